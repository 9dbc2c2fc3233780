"""FAQ endpoints: the public, cached FAQ and the staff's editing of it."""

from __future__ import annotations

from flask.views import MethodView

from app.core.api import ID, Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.support import faqs, schemas

blp = Blueprint("faq", __name__, url_prefix="/api", description="Frequently asked questions")


@blp.route("/faqs/")
class Faqs(MethodView):
    @blp.response(200, schemas.FaqSectionSchema(many=True))
    def get(self):
        """Published questions and answers, grouped by category."""
        return faqs.published_faqs()

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.FaqSchema)
    @blp.response(201, schemas.FaqStaffSchema)
    def post(self, data):
        """Staff: add a question to a category (``is_published: false`` for a draft)."""
        return faqs.create_faq(data)


@blp.route("/admin/faqs/")
class FaqsForStaff(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.FaqQuerySchema, location="query")
    @blp.response(200, schemas.FaqStaffSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self, query):
        """Staff: every question, drafts included, in page order."""
        return faqs.list_all(**query)


@blp.route(f"/faqs/<{ID}:faq_id>/")
class FaqDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.FaqUpdateSchema, required=False)
    @blp.response(200, schemas.FaqStaffSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data, faq_id):
        """Staff: change a question, its answer, category, position or publication."""
        return faqs.update_faq(faq_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, faq_id):
        """Staff: delete a question."""
        faqs.delete_faq(faq_id)


@blp.route("/faq-categories/")
class FaqCategories(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.FaqCategorySchema(many=True))
    @blp.paginate(QueryPage)
    def get(self):
        """Staff: every FAQ category, empty ones included."""
        return faqs.list_categories()

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.FaqCategorySchema)
    @blp.response(201, schemas.FaqCategorySchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: add a category."""
        return faqs.create_category(data)


@blp.route(f"/faq-categories/<{ID}:category_id>/")
class FaqCategoryDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.FaqCategoryUpdateSchema, required=False)
    @blp.response(200, schemas.FaqCategorySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, category_id):
        """Staff: rename, re-slug or move a category."""
        return faqs.update_category(category_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, category_id):
        """Staff: delete an empty category (one with questions is a 409)."""
        faqs.delete_category(category_id)
