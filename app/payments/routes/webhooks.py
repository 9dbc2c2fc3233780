"""Providers' webhooks: no JWT; the signature on the raw body is the authentication."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from app.core.api import Blueprint
from app.payments.services import webhook_service

blp = Blueprint(
    "payment_webhooks", __name__, url_prefix="/api/payments/webhooks", description="Payment provider webhooks"
)


@blp.route("/<string:gateway>/")
class Webhook(MethodView):
    @blp.response(200)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, gateway):
        """Receive one delivery: verified, stored and queued; a replay is answered 200 and ignored."""
        received = webhook_service.ingest(gateway, request.get_data(cache=False), request.headers)
        return {"received": True, "duplicate": received.duplicate}

    @blp.response(200)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, gateway):
        """MTN MoMo may deliver its callback with PUT."""
        return self.post(gateway)
