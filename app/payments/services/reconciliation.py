"""Reconciliation: poll the gateway about payments left pending, and finalise or expire them.

Webhooks get lost: MoMo sends its callback once, Paystack sends none for failures, a
customer closes the tab. Every few minutes (``flask scheduler``) payments pending longer
than ``PAYMENTS_RECONCILE_AFTER_MINUTES`` are verified with their gateway and settled like
a webhook would; those still pending after ``PAYMENTS_PENDING_EXPIRY_MINUTES``, or whose
order can no longer be paid, expire. Payments held or flagged for review are left to staff.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.models import utcnow
from app.extensions import db
from app.orders.states import OrderStatus
from app.payments.gateways.errors import GatewayError
from app.payments.models import Payment, PaymentStatus
from app.payments.services import payment_service, settlement

log = logging.getLogger(__name__)

_OPEN = (PaymentStatus.PENDING.value, PaymentStatus.REQUIRES_ACTION.value)
#: Outcomes of ``settle`` that leave a payment open.
_STILL_OPEN = frozenset({"unchanged", "requires_action"})


def reconcile_pending_payments(limit: int = 200) -> int:
    """The periodic job; returns how many payments it finalised or expired."""
    minutes = current_app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"]
    ids = db.session.scalars(
        sa.select(Payment.id)
        .where(
            Payment.status.in_(_OPEN),
            Payment.flagged_for_review.is_(False),
            Payment.gateway != settlement.PAY_ON_PICKUP,
            Payment.created_at <= utcnow() - timedelta(minutes=minutes),
        )
        .order_by(Payment.created_at)
        .limit(limit)
    ).all()
    finalised = 0
    for payment_id in ids:
        try:
            finalised += _reconcile(payment_id)
        except GatewayError as exc:  # one provider down must not stop the others
            db.session.rollback()
            log.warning("Reconciliation of payment %s failed: %s", payment_id, exc)
    return finalised


def _reconcile(payment_id: int) -> bool:
    payment = db.session.get(Payment, payment_id)
    outcome = payment_service.refresh(payment, source="reconciliation")
    if outcome not in _STILL_OPEN:
        return True
    return _expire_if_stale(payment_id)


def _expire_if_stale(payment_id: int) -> bool:
    payment = settlement.lock_payment(payment_id)
    cutoff = utcnow() - timedelta(minutes=current_app.config["PAYMENTS_PENDING_EXPIRY_MINUTES"])
    stale = payment.created_at <= cutoff or payment.order.status != OrderStatus.PENDING_PAYMENT
    if stale and payment.status in _OPEN:
        payment.status = PaymentStatus.EXPIRED
        payment.completed_at = utcnow()
    db.session.commit()
    return stale
