"""Staff: every payment, with filters, its fraud decision, refunds and transaction log."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.payments import schemas
from app.payments.services import payment_admin, payment_service
from app.payments.views import admin_payment_view

blp = Blueprint("admin_payments", __name__, url_prefix="/api/admin/payments", description="Payments (staff)")


class AdminPaymentPage(QueryPage):
    @property
    def items(self) -> list:
        return [admin_payment_view(payment) for payment in super().items]


@blp.route("/")
class AdminPayments(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.AdminPaymentQuerySchema, location="query")
    @blp.response(200, schemas.AdminPaymentSchema(many=True))
    @blp.paginate(AdminPaymentPage)
    def get(self, filters):
        """Payments, newest first; ``flagged=true`` lists those waiting for a review."""
        return payment_admin.list_payments(filters)


@blp.route("/<string:reference>/")
class AdminPaymentDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.AdminPaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reference):
        """One payment with everything staff need to follow it."""
        return admin_payment_view(payment_admin.get_payment(reference))


@blp.route("/<string:reference>/review/")
class AdminPaymentReview(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ReviewSchema)
    @blp.response(200, schemas.AdminPaymentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, reference):
        """Release a payment held by the fraud check to its gateway, or cancel it."""
        return admin_payment_view(payment_service.review_held(current_user, reference, data["approve"]))
