"""Staff refunds of captured payments."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import Blueprint
from app.core.permissions import Role
from app.payments import schemas
from app.payments.services import refund_service
from app.payments.views import refund_view

blp = Blueprint("refunds", __name__, url_prefix="/api/payments", description="Refunds (staff)")


@blp.route("/<string:reference>/refunds/")
class Refunds(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.idempotent()
    @blp.arguments(schemas.RefundCreateSchema)
    @blp.response(201, schemas.RefundSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, data, reference):
        """Refund all (no ``amount``) or part of a captured payment, never more than is left."""
        refund = refund_service.create_refund(
            current_user, reference, idempotency_key=request.headers["Idempotency-Key"].strip(), **data
        )
        return refund_view(refund)
