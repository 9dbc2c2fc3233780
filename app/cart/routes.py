"""Cart endpoints, for signed-in users (bearer token) and guests (``X-Cart-Token``)."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_jwt_extended import get_current_user, verify_jwt_in_request

from app.cart import coupon_admin, schemas, services
from app.cart.services import CartOwner
from app.core.api import Blueprint
from app.core.errors import ValidationError
from app.core.pagination import QueryPage
from app.core.permissions import Role

blp = Blueprint("cart", __name__, url_prefix="/api", description="Shopping carts and coupons")

CART_TOKEN = "X-Cart-Token"  # noqa: S105 - a header name, not a secret
CART_TOKEN_MAX_LENGTH = 128
OWNER_DOC = {
    "security": [{"bearerAuth": []}, {}],
    "parameters": [
        {
            "in": "header",
            "name": CART_TOKEN,
            "required": False,
            "schema": {"type": "string", "maxLength": CART_TOKEN_MAX_LENGTH},
            "description": "A guest's cart token, returned by the first write; ignored when signed in.",
        }
    ],
}
TOKEN_HEADER_DOC = {
    CART_TOKEN: {"description": "Issued on a guest's first write", "schema": {"type": "string"}}
}


def current_owner() -> CartOwner:
    """The signed-in user if a valid token is sent (a bad one is a 401), else the guest token."""
    verify_jwt_in_request(optional=True)
    token = request.headers.get(CART_TOKEN, "").strip()
    if len(token) > CART_TOKEN_MAX_LENGTH:
        raise ValidationError(
            f"{CART_TOKEN} is not a cart token.", details={CART_TOKEN: ["Longer than any token we issue."]}
        )
    return CartOwner(user=get_current_user(), token=token or None)


@blp.route("/cart/")
class CartView(MethodView):
    @blp.doc(**OWNER_DOC)
    @blp.arguments(schemas.CartQuerySchema, location="query")
    @blp.response(200, schemas.CartSchema)
    def get(self, query):
        """The caller's cart with saved and current prices (an empty cart if there is none)."""
        return services.get_cart(current_owner(), query.get("currency"))

    @blp.doc(**OWNER_DOC)
    @blp.response(204)
    def delete(self):
        """Empty the cart."""
        services.clear_cart(current_owner())


@blp.route("/cart/items/")
class CartItems(MethodView):
    @blp.doc(**OWNER_DOC)
    @blp.arguments(schemas.AddItemSchema)
    @blp.response(201, schemas.CartSchema, headers=TOKEN_HEADER_DOC)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add a variant (more of it if already there); a guest's first write gets a cart token."""
        cart, token = services.add_item(current_owner(), **data)
        # Sent as rendered: a cart view is already what CartSchema dumps (test_cart pins
        # it), and dumping it again cost this busiest cart write a tenth of its time.
        return jsonify(cart), 201, ({CART_TOKEN: token} if token else {})


@blp.route("/cart/items/<int:item_id>/")
class CartItem(MethodView):
    @blp.doc(**OWNER_DOC)
    @blp.arguments(schemas.UpdateItemSchema)
    @blp.response(200, schemas.CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, item_id):
        """Change a line's quantity (its price is refreshed to today's)."""
        return services.update_item(current_owner(), item_id, data["quantity"])

    @blp.doc(**OWNER_DOC)
    @blp.response(200, schemas.CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, item_id):
        """Remove a line."""
        return services.remove_item(current_owner(), item_id)


@blp.route("/cart/coupon/")
class CartCoupon(MethodView):
    @blp.doc(**OWNER_DOC)
    @blp.arguments(schemas.ApplyCouponSchema)
    @blp.response(200, schemas.CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Apply a coupon code (checked now, and again at checkout)."""
        return services.apply_coupon(current_owner(), data["code"])

    @blp.doc(**OWNER_DOC)
    @blp.response(200, schemas.CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self):
        """Remove the coupon."""
        return services.remove_coupon(current_owner())


@blp.route("/coupons/")
class Coupons(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CouponQuerySchema, location="query")
    @blp.response(200, schemas.CouponSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self, query):
        """Staff: coupon codes, newest first."""
        return coupon_admin.list_coupons(query.get("active"))

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CouponCreateSchema)
    @blp.response(201, schemas.CouponSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: create a coupon code."""
        return coupon_admin.create_coupon(data)


@blp.route("/coupons/<int:coupon_id>/")
class CouponDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.CouponSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, coupon_id):
        """Staff: one coupon with its usage."""
        return coupon_admin.get_coupon(coupon_id)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CouponUpdateSchema)
    @blp.response(200, schemas.CouponSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, coupon_id):
        """Staff: change a coupon's rules."""
        return coupon_admin.update_coupon(coupon_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, coupon_id):
        """Staff: delete an unused coupon, or deactivate a used one (its history stays)."""
        coupon_admin.delete_coupon(coupon_id)
