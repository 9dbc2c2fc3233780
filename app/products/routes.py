"""Catalog endpoints: thin adapters from HTTP to the catalog services.

Public GETs go through ``cached_view`` (response cache, ETag, 304); staff requests and
writes bypass it, and every write retires the cached views it affects on commit.
"""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView

from app.core.api import Blueprint
from app.core.permissions import Role
from app.products import cache, invalidation, listing, merchandising, offers, schemas, services, taxonomy
from app.products.access import is_staff_request
from app.products.cache import cached_view

blp = Blueprint(
    "products",
    __name__,
    url_prefix="/api",
    description="Catalog: products, categories, tags, promotions and collections",
)
invalidation.register()
offers.register()

PAGINATION = {"page_size": 20, "max_page_size": 100}


@blp.route("/products/")
class Products(MethodView):
    decorators = [cached_view("products")]

    @blp.arguments(schemas.ProductListQuerySchema, location="query")
    @blp.response(200, schemas.ProductCardSchema(many=True))
    @blp.paginate(**PAGINATION)
    def get(self, query, pagination_parameters):
        """Search and filter products (prices in minor units of ``currency``)."""
        cards, pagination_parameters.item_count = listing.list_products(
            pagination_parameters.page, pagination_parameters.page_size, **query
        )
        # The cards are built in the schema's exact shape (a test pins it): serialised as
        # they are, not copied field by field through marshmallow a second time.
        return jsonify(cards)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ProductCreateSchema)
    @blp.response(201, schemas.ProductDetailSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: create a product with its variants and prices."""
        return services.create_product(data)


@blp.route("/products/<slug>/")
class ProductDetail(MethodView):
    decorators = [cached_view("products")]

    @blp.arguments(schemas.CurrencyQuerySchema, location="query")
    @blp.response(200, schemas.ProductDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query, slug):
        """A product page: variants, prices, stock status, images, rating summary."""
        return services.get_product(slug, query.get("currency"), staff=is_staff_request())

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ProductUpdateSchema)
    @blp.response(200, schemas.ProductDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, slug):
        """Staff: change a product; ``tags`` and ``images`` replace the current ones."""
        return services.update_product(slug, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, slug):
        """Staff: delete a product and its variants (deactivate it to keep its history)."""
        services.delete_product(slug)


@blp.route("/products/<slug>/variants/")
class Variants(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.VariantCreateSchema)
    @blp.response(201, schemas.VariantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, slug):
        """Staff: add a variant with its prices."""
        return services.create_variant(slug, data)


@blp.route("/variants/<int:variant_id>/")
class VariantDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.VariantUpdateSchema)
    @blp.response(200, schemas.VariantSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, variant_id):
        """Staff: change a variant; ``prices`` replaces all its prices."""
        return services.update_variant(variant_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, variant_id):
        """Staff: delete a variant."""
        services.delete_variant(variant_id)


@blp.route("/categories/")
class Categories(MethodView):
    decorators = [cached_view("categories")]

    @blp.response(200, schemas.CategorySchema(many=True))
    def get(self):
        """The category tree, nested (staff also see inactive categories)."""
        return taxonomy.category_tree(include_inactive=is_staff_request())

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CategoryCreateSchema)
    @blp.response(201, schemas.CategorySchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: create a category, at the root or under ``parent``."""
        return taxonomy.category_view(taxonomy.create_category(data))


@blp.route("/categories/<slug>/")
class CategoryDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CategoryUpdateSchema)
    @blp.response(200, schemas.CategorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, slug):
        """Staff: change or move a category (its subtree moves with it)."""
        return taxonomy.category_view(taxonomy.update_category(slug, data))

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, slug):
        """Staff: delete an empty category."""
        taxonomy.delete_category(slug)


@blp.route("/tags/")
class Tags(MethodView):
    decorators = [cached_view("tags")]

    @blp.response(200, schemas.TagSchema(many=True))
    def get(self):
        """Every tag, by name."""
        return taxonomy.list_tags()

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TagSchema)
    @blp.response(201, schemas.TagSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: create a tag."""
        return taxonomy.create_tag(data)


@blp.route("/tags/<slug>/")
class TagDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TagUpdateSchema)
    @blp.response(200, schemas.TagSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, slug):
        """Staff: rename a tag."""
        return taxonomy.update_tag(slug, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, slug):
        """Staff: delete a tag (products keep existing without it)."""
        taxonomy.delete_tag(slug)


@blp.route("/promotions/")
class Promotions(MethodView):
    decorators = [cached_view("promotions")]

    @blp.arguments(schemas.PromotionQuerySchema, location="query")
    @blp.response(200, schemas.PromotionSchema(many=True))
    def get(self, query):
        """Promotions running now (staff: also ``status=scheduled`` or ``all``)."""
        return merchandising.list_promotions(query["status"], staff=is_staff_request())

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.PromotionCreateSchema)
    @blp.response(201, schemas.PromotionSchema)
    def post(self, data):
        """Staff: schedule a promotion on products and/or categories."""
        return merchandising.create_promotion(data)


@blp.route("/promotions/<int:promotion_id>/")
class PromotionDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.PromotionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, promotion_id):
        """Staff: one promotion, running or not."""
        return merchandising.get_promotion(promotion_id)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.PromotionUpdateSchema)
    @blp.response(200, schemas.PromotionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data, promotion_id):
        """Staff: change a promotion."""
        return merchandising.update_promotion(promotion_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, promotion_id):
        """Staff: delete a promotion (prices return to list prices at once)."""
        merchandising.delete_promotion(promotion_id)


@blp.route("/collections/")
class Collections(MethodView):
    decorators = [cached_view("collections")]

    @blp.arguments(schemas.CurrencyQuerySchema, location="query")
    @blp.response(200, schemas.CollectionSchema(many=True))
    def get(self, query):
        """Homepage sections with their products, in order."""
        return merchandising.list_collections(query.get("currency"))

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CollectionCreateSchema)
    @blp.response(201, schemas.CollectionSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: create a collection (manual with ``products``, or computed by ``kind``)."""
        return merchandising.create_collection(data)


@blp.route("/collections/<slug>/")
class CollectionDetail(MethodView):
    decorators = [cached_view("collections")]

    @blp.arguments(schemas.CurrencyQuerySchema, location="query")
    @blp.response(200, schemas.CollectionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, query, slug):
        """One collection with its products."""
        return merchandising.get_collection(slug, query.get("currency"), staff=is_staff_request())

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.CollectionUpdateSchema)
    @blp.response(200, schemas.CollectionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, slug):
        """Staff: change a collection; ``products`` replaces its list."""
        return merchandising.update_collection(slug, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, slug):
        """Staff: delete a collection (its products stay)."""
        merchandising.delete_collection(slug)


@blp.route("/catalog/cache/")
class CacheStats(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.CacheStatsSchema)
    def get(self):
        """Staff: catalog cache hits, misses, hit rate and generations."""
        return cache.stats()
