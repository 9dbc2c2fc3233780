"""The sandbox gateway's approve/decline page: plain server-rendered HTML, no external assets."""

from __future__ import annotations

import marshmallow as ma
from flask import render_template_string
from flask.views import MethodView

from app.core.api import Blueprint
from app.payments.services import sandbox_service

blp = Blueprint(
    "sandbox_page", __name__, url_prefix="/api/payments/sandbox", description="Sandbox gateway's hosted page"
)

_HTML = {"200": {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sokoni sandbox payment</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}.note{color:#666}</style></head>
<body><h1>Sandbox payment</h1>
{% if done %}
<p>Payment <strong>{{ payment.reference }}</strong> is now <strong>{{ payment.status }}</strong>.</p>
{% if payment.return_url %}<p><a href="{{ payment.return_url }}">Back to the shop</a></p>{% endif %}
{% else %}
<p>Order {{ payment.order.number }}: <strong>{{ amount }}</strong></p>
<p>Reference {{ payment.reference }} &middot; status {{ payment.status }}</p>
<form method="post">
<input type="hidden" name="token" value="{{ token }}">
<button name="decision" value="approve">Approve</button>
<button name="decision" value="decline">Decline</button>
</form>
{% endif %}
<p class="note">Test mode: no money moves. Your choice is sent to Sokoni as a signed webhook.</p>
</body></html>
"""


class DecisionSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(max=500))
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(["approve", "decline"]))


@blp.route("/<string:reference>/")
class SandboxPage(MethodView):
    @blp.doc(responses=_HTML)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, reference):
        """The approve/decline page a sandbox payment's ``authorization_url`` points to."""
        shown = sandbox_service.page(reference)
        return render_template_string(
            PAGE, payment=shown.payment, token=shown.token, amount=shown.amount, done=False
        )

    @blp.arguments(DecisionSchema, location="form")
    @blp.doc(responses=_HTML)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, form, reference):
        """Approve or decline: Sokoni then receives the sandbox's signed webhook."""
        payment = sandbox_service.decide(reference, form["token"], form["decision"] == "approve")
        return render_template_string(PAGE, payment=payment, done=True)
