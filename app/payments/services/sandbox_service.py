"""The sandbox gateway's hosted page: a person approves or declines a test payment.

The page carries a signed, single-use token bound to the payment (so another site cannot
make a browser approve a payment: it would need a token only this page shows, and each
token works once). The decision becomes the webhook a real provider would send: built and
signed by the sandbox gateway, then fed to the same ``webhook_service.ingest`` the public
endpoint uses, so the demo goes through signature checks, dedupe and the worker.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.errors import ConflictError, NotFoundError, PermissionDenied
from app.core.money import Money
from app.core.redis_client import get_redis
from app.extensions import db
from app.payments.gateways.sandbox import SandboxGateway
from app.payments.models import Payment, PaymentStatus
from app.payments.services import gateway_calls, webhook_service

SANDBOX = "sandbox"
TOKEN_MAX_AGE = 3600
_SALT = "sokoni-sandbox-page"
_USED_KEY = "sokoni:sandbox:used:{nonce}"


@dataclass(frozen=True)
class Page:
    payment: Payment
    token: str
    amount: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _payment(reference: str) -> Payment:
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.reference == reference, Payment.gateway == SANDBOX)
    )
    if payment is None:
        raise NotFoundError("No such sandbox payment.")
    return payment


def page(reference: str) -> Page:
    """What the approve/decline page shows, with a fresh one-time token."""
    payment = _payment(reference)
    token = _serializer().dumps({"reference": reference, "nonce": secrets.token_hex(16)})
    return Page(payment, token, Money(payment.amount, payment.currency).format())


def decide(reference: str, token: str, approve: bool) -> Payment:
    """Turn the person's choice into a signed webhook and deliver it to Sokoni itself."""
    try:
        claims = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature as exc:
        raise PermissionDenied("This page has expired; reload it.") from exc
    if claims.get("reference") != reference:
        raise PermissionDenied("This page belongs to another payment.")
    payment = _payment(reference)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION):
        raise ConflictError(f"This payment is already {payment.status}.")
    if not get_redis().set(_USED_KEY.format(nonce=claims["nonce"]), 1, nx=True, ex=TOKEN_MAX_AGE):
        raise ConflictError("This choice was already sent.")
    gateway = gateway_calls.gateway(SANDBOX)
    if not isinstance(gateway, SandboxGateway):  # a plugin cannot pose as the sandbox
        raise NotFoundError("The sandbox gateway is not available.")
    body, headers = gateway.signed_webhook(
        payment.reference, payment.provider_reference or "", Money(payment.amount, payment.currency), approve
    )
    webhook_service.ingest(SANDBOX, body, headers)
    db.session.expire_all()
    return _payment(reference)
