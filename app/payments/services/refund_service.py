"""Refunds: all or part of a captured payment, never more than captured minus refunded.

The amount is reserved under the payment's row lock (a pending refund counts against what
is left), committed, and only then sent to the gateway, so two staff members refunding at
once cannot send back more than was paid. A failed refund frees its amount. The refund
ends through the gateway's answer or its webhook; the payment and order then become
``refunded`` or ``partially_refunded``.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import NotFoundError
from app.core.money import Money
from app.extensions import db
from app.orders import services as orders
from app.orders.states import OrderStatus, allowed_next
from app.payments.errors import NotRefundable, RefundTooLarge
from app.payments.gateways.base import PaymentQuery, RefundRequest, RefundResult, RefundState
from app.payments.gateways.errors import GatewayError
from app.payments.models import CAPTURED_STATUSES, Payment, PaymentStatus, Refund, RefundStatus
from app.payments.services import gateway_calls, settlement
from app.payments.services.payment_service import new_reference

_FINAL = {
    RefundState.SUCCEEDED: RefundStatus.SUCCEEDED,
    RefundState.FAILED: RefundStatus.FAILED,
    RefundState.CANCELLED: RefundStatus.CANCELLED,
}


def create_refund(
    staff: User | None, reference: str, *, reason: str, idempotency_key: str, amount: int | None = None
) -> Refund:
    """Refund ``amount`` (default: all that is left) of the payment ``reference``."""
    payment_id = db.session.scalar(sa.select(Payment.id).where(Payment.reference == reference))
    if payment_id is None:
        raise NotFoundError("No such payment.")
    existing = db.session.scalar(
        sa.select(Refund).where(Refund.payment_id == payment_id, Refund.idempotency_key == idempotency_key)
    )
    if existing is not None:
        return existing
    payment = settlement.lock_payment(payment_id)
    if payment.status not in CAPTURED_STATUSES:
        raise NotRefundable(details={"status": payment.status})
    remaining = payment.refundable
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise RefundTooLarge(details={"refundable": Money(remaining, payment.currency).to_dict()})
    gateway = gateway_calls.gateway(payment.gateway)
    if not gateway.supports_refunds:
        raise NotRefundable(
            f"{gateway.display_name} refunds are made from the provider's own portal.",
            details={"gateway": gateway.id},
        )
    refund = Refund(
        reference=new_reference("REF"),
        payment=payment,
        amount=amount,
        currency=payment.currency,
        reason=reason,
        idempotency_key=idempotency_key,
        created_by_id=staff.id if staff else None,
    )
    db.session.add(refund)
    db.session.commit()  # the amount is reserved before any money moves
    _send(refund)
    db.session.refresh(refund)
    return refund


def _send(refund: Refund) -> None:
    payment = refund.payment
    gateway = gateway_calls.gateway(payment.gateway)
    refund_request = RefundRequest(
        reference=refund.reference,
        payment=PaymentQuery(
            reference=payment.reference, provider_reference=payment.provider_reference or ""
        ),
        amount=Money(refund.amount, refund.currency),
        provider_transaction_id=payment.provider_transaction_id or "",
        reason=refund.reason,
        idempotency_key=refund.reference,
    )
    summary = {
        "operation": "refund",
        "reference": refund.reference,
        "payment": payment.reference,
        "amount": refund.amount,
        "currency": refund.currency,
    }
    try:
        result = gateway_calls.call(
            "refund",
            gateway,
            lambda: gateway.process_refund(refund_request),
            summary=summary,
            payment_id=payment.id,
            refund_id=refund.id,
        )
    except GatewayError as exc:
        refund.status = RefundStatus.FAILED
        refund.failure_reason = exc.message
        db.session.commit()
        raise
    refund.provider_refund_id = result.provider_refund_id or None
    db.session.commit()
    finish(refund.id, result.status)


def finish(refund_id: int, state: RefundState, failure_reason: str | None = None) -> str:
    """Apply a refund's final state once; the payment and the order follow a success."""
    payment_id = db.session.scalar(sa.select(Refund.payment_id).where(Refund.id == refund_id))
    payment = settlement.lock_payment(payment_id)
    refund = db.session.get(Refund, refund_id, populate_existing=True)
    if refund.status != RefundStatus.PENDING or state is RefundState.PENDING:
        db.session.commit()
        return "unchanged"
    refund.status = _FINAL[state]
    if refund.status != RefundStatus.SUCCEEDED:
        refund.failure_reason = failure_reason
        db.session.commit()
        return str(refund.status)
    payment.amount_refunded += refund.amount
    whole = payment.amount_refunded == payment.amount
    payment.status = PaymentStatus.REFUNDED if whole else PaymentStatus.PARTIALLY_REFUNDED
    target = OrderStatus.REFUNDED if whole else OrderStatus.PARTIALLY_REFUNDED
    if target in allowed_next(payment.order.status):
        orders.transition(payment.order, target, note=f"Refund {refund.reference}")  # commits
    else:
        db.session.commit()  # a cancelled order stays cancelled; the money still goes back
    return "refunded"


def apply_provider_update(gateway_id: str, result: RefundResult) -> str:
    """A refund webhook: find our refund by the provider's id and finish it."""
    refund_id = db.session.scalar(
        sa.select(Refund.id)
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.provider_refund_id == result.provider_refund_id, Payment.gateway == gateway_id)
    )
    if refund_id is None:
        return "unknown_payment"
    return finish(refund_id, result.status)


def refund_order(order_id: int, reason: str) -> list[Refund]:
    """Send back everything still refundable on an order's captured payments (cancellation)."""
    payments = db.session.scalars(
        sa.select(Payment).where(
            Payment.order_id == order_id, Payment.status.in_([s.value for s in CAPTURED_STATUSES])
        )
    ).all()
    return [
        create_refund(None, payment.reference, reason=reason, idempotency_key=f"order-cancelled:{order_id}")
        for payment in payments
        if payment.refundable > 0
    ]
