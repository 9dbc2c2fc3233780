"""Customers' payment endpoints: which gateways apply, start a payment, read and verify it."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import Blueprint
from app.payments import schemas
from app.payments.services import (
    order_events,  # noqa: F401 - connects the order listeners
    payment_service,
)
from app.payments.views import payment_view

blp = Blueprint("payments", __name__, url_prefix="/api/payments", description="Payments")


@blp.route("/gateways/")
class Gateways(MethodView):
    @blp.arguments(schemas.GatewayQuerySchema, location="query")
    @blp.response(200, schemas.GatewaySchema(many=True))
    def get(self, query):
        """Gateways that can take a payment in this currency (and country), best first."""
        return [
            {"id": g.id, "name": g.display_name, "methods": sorted(g.methods)}
            for g in payment_service.list_gateways(
                query["currency"], query.get("country"), query.get("method")
            )
        ]


@blp.route("/")
class Payments(MethodView):
    @blp.login_required()
    @blp.idempotent()
    @blp.arguments(schemas.PaymentCreateSchema)
    @blp.response(201, schemas.PaymentSchema)
    @blp.alt_response(200, schema=schemas.PaymentSchema, description="The order's open payment")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def post(self, data):
        """Pay one of your orders awaiting payment; returns where or how to pay.

        Asking again returns the order's open payment; naming another gateway replaces it.
        If the gateway is down, the next one that applies is used and ``fallback`` says so.
        """
        initiated = payment_service.initiate(
            current_user,
            idempotency_key=request.headers["Idempotency-Key"].strip(),
            ip_address=request.remote_addr,
            ip_country=request.headers.get(current_app.config["PAYMENTS_FRAUD_COUNTRY_HEADER"]),
            **data,
        )
        return payment_view(initiated.payment, initiated.fallback), 201 if initiated.created else 200


@blp.route("/<string:reference>/")
class PaymentDetail(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.PaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reference):
        """One of your payments (staff: any payment)."""
        return payment_view(payment_service.get_payment(current_user, reference))


@blp.route("/<string:reference>/verify/")
class PaymentVerify(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.PaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def post(self, reference):
        """Ask the gateway now (e.g. after its redirect) and settle the payment if it is final."""
        return payment_view(payment_service.verify(current_user, reference))
