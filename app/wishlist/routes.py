"""Wishlist endpoints: the caller's own list only."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_smorest.pagination import PaginationParameters

from app.cart.schemas import CartSchema
from app.core.api import ID, Blueprint
from app.core.pagination import QueryPage
from app.wishlist import schemas, services
from app.wishlist.views import item_views

blp = Blueprint("wishlist", __name__, url_prefix="/api/wishlist", description="The customer's wishlist")


class WishlistPage(QueryPage):
    """A page of wishlist items rendered with today's prices in the collection's currency."""

    def __init__(self, collection: services.PricedItems, page_params: PaginationParameters) -> None:
        self.currency = collection.currency
        super().__init__(collection.query, page_params)

    @property
    def items(self) -> list:
        return item_views(super().items, self.currency)


@blp.route("/")
class Wishlist(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.WishlistQuerySchema, location="query")
    @blp.response(200, schemas.WishlistItemSchema(many=True))
    @blp.paginate(WishlistPage)
    def get(self, query):
        """Your wishlist, newest first, with today's price, promotion and stock."""
        return services.list_items(current_user, query.get("currency"))


@blp.route("/items/")
class WishlistItems(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.WishlistAddSchema)
    @blp.response(201, schemas.WishlistItemSchema)
    @blp.alt_response(200, schema=schemas.WishlistItemSchema, description="Already on the wishlist")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add a product (optionally one variant); adding it again keeps a single item."""
        item, created = services.add_item(current_user, data["product_id"], data.get("variant_id"))
        return item_views([item], services.currency_for(current_user, None))[0], 201 if created else 200


@blp.route(f"/items/<{ID}:product_id>/")
class WishlistItem(MethodView):
    @blp.login_required()
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, product_id):
        """Take a product off your wishlist."""
        services.remove_item(current_user, product_id)


@blp.route(f"/items/<{ID}:product_id>/move-to-cart/")
class MoveToCart(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.MoveToCartSchema, required=False)
    @blp.response(200, CartSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, product_id):
        """Put a wished-for product in your cart and take it off the wishlist; returns the cart."""
        return services.move_to_cart(current_user, product_id, **data)
