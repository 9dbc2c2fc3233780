"""Review endpoints: public reading, the author's writes, votes and staff moderation."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import ID, Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.reviews import schemas, services

blp = Blueprint("reviews", __name__, url_prefix="/api", description="Product reviews and ratings")


@blp.route("/products/<slug>/reviews/")
class ProductReviews(MethodView):
    @blp.arguments(schemas.ReviewQuerySchema, location="query")
    @blp.response(200, schemas.ProductReviewSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(QueryPage)
    def get(self, query, slug):
        """A product's reviews: newest, highest, lowest or most helpful first."""
        return services.list_reviews(slug, **query)

    @blp.login_required()
    @blp.arguments(schemas.ReviewCreateSchema)
    @blp.response(201, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, slug):
        """Review a product (once); marked ``verified_purchase`` if you received it."""
        return services.create_review(current_user, slug, data)


@blp.route("/reviews/")
class ReviewModerationQueue(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ModerationQuerySchema, location="query")
    @blp.response(200, schemas.ProductReviewSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.paginate(QueryPage)
    def get(self, query):
        """Staff: every review, hidden ones included, newest first."""
        return services.list_for_moderation(**query)


@blp.route(f"/reviews/<{ID}:review_id>/")
class ReviewDetail(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.ReviewUpdateSchema, required=False)
    @blp.response(200, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data, review_id):
        """Edit your review; the product's rating follows."""
        return services.update_review(current_user, review_id, data)

    @blp.login_required()
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, review_id):
        """Delete your review; the product's rating follows."""
        services.delete_review(current_user, review_id)


@blp.route(f"/reviews/<{ID}:review_id>/helpful/")
class ReviewHelpful(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, review_id):
        """Mark a review helpful (once per customer; not your own)."""
        return services.vote_helpful(current_user, review_id)

    @blp.login_required()
    @blp.response(200, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def delete(self, review_id):
        """Take your helpful vote back."""
        return services.withdraw_vote(current_user, review_id)


@blp.route(f"/reviews/<{ID}:review_id>/hide/")
class ReviewHide(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.HideSchema)
    @blp.response(200, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, review_id):
        """Staff: hide a review, with the reason; it leaves the product's rating."""
        return services.hide_review(current_user, review_id, data["reason"])


@blp.route(f"/reviews/<{ID}:review_id>/unhide/")
class ReviewUnhide(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.ProductReviewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, review_id):
        """Staff: show a hidden review again; it counts in the rating again."""
        return services.unhide_review(review_id)
