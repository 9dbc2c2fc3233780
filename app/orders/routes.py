"""Order endpoints: checkout, the customer's orders, and staff actions."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.orders import schemas, services
from app.orders.views import order_view, sent_order_view

blp = Blueprint("orders", __name__, url_prefix="/api/orders", description="Checkout and orders")


class OrderPage(QueryPage):
    """A page of orders rendered with ``order_view``."""

    @property
    def items(self) -> list:
        return [order_view(order) for order in super().items]


@blp.route("/")
class Orders(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.OrderQuerySchema, location="query")
    @blp.response(200, schemas.OrderSchema(many=True))
    @blp.paginate(OrderPage)
    def get(self, filters):
        """Your orders, newest first (staff: ``all=true`` for everyone's, with more filters)."""
        return services.list_orders(current_user, filters)

    @blp.login_required()
    @blp.idempotent()
    @blp.arguments(schemas.CheckoutSchema)
    @blp.response(201, schemas.OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data):
        """Place the cart as an order awaiting payment; stock is reserved until it expires."""
        placed = services.place_order(
            current_user, idempotency_key=request.headers["Idempotency-Key"].strip(), **data
        )
        # Sent as rendered: ``sent_order_view`` is what OrderSchema dumps (test_orders pins it).
        return jsonify(sent_order_view(placed.order, placed.collection_code)), 201


@blp.route("/<string:number>/")
class OrderDetail(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number):
        """One of your orders, with its items, totals and history."""
        return order_view(services.get_order(current_user, number))


@blp.route("/<string:number>/cancel/")
class OrderCancel(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.CancelSchema, required=False)
    @blp.response(200, schemas.OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, number):
        """Cancel while unpaid, or paid but not yet being prepared (the payment is refunded)."""
        return order_view(services.cancel_order(current_user, number, data.get("reason")))


@blp.route("/<string:number>/status/")
class OrderStatusChange(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.StatusChangeSchema)
    @blp.response(200, schemas.OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, number):
        """Staff: move an order along its life cycle (only allowed transitions)."""
        return order_view(services.change_status(current_user, number, data["status"], data.get("note")))


@blp.route("/<string:number>/collect/")
class OrderCollect(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CollectionCodeSchema)
    @blp.response(200, schemas.OrderSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, number):
        """Staff: hand a bus-station parcel over against the customer's collection code."""
        return order_view(services.confirm_collection(current_user, number, data["code"]))
