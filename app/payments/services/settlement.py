"""What a provider's word about a payment does to it and to its order — in one place.

Webhooks, the client's "verify", reconciliation and cash at the pickup point all end here.
The payment row is locked (``SELECT … FOR UPDATE``) so two deliveries of the same news
settle it once; news that can change nothing (``final_outcome``) needs no lock. The rules:

- success: our reference, the amount and the currency must match what we asked for; a
  mismatch flags the payment for review and never marks the order paid. A matching success
  moves the order to ``paid`` through the orders service and queues the receipt;
- failure: ends a payment that is still open; after a success it is late news, recorded
  and ignored (events arrive out of order, and a later state is never undone);
- pending: changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from app.core.batched_jobs import enqueue_batched
from app.core.models import utcnow
from app.core.money import Money
from app.core.transactions import locked
from app.extensions import db
from app.orders import services as orders
from app.orders.states import OrderStatus
from app.payments import tasks
from app.payments.gateways.base import PaymentState, PaymentStatus
from app.payments.models import ACTIVE_STATUSES, CAPTURED_STATUSES, Payment
from app.payments.models import PaymentStatus as Status

log = logging.getLogger(__name__)

PAY_ON_PICKUP = "pay_on_pickup"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A provider's statement about one payment, and where it came from."""

    status: PaymentState
    amount: Money | None
    """``None`` only when no source states an amount (an M-Pesa STK push's is fixed by us)."""
    source: str
    reference: str = ""
    provider_transaction_id: str = ""
    failure_reason: str = ""

    @classmethod
    def of(cls, status: PaymentStatus, source: str, fallback_amount: Money | None = None) -> Evidence:
        return cls(
            status=status.status,
            amount=status.amount or fallback_amount,
            source=source,
            reference=status.reference,
            provider_transaction_id=status.provider_transaction_id,
            failure_reason=status.failure_reason,
        )


def lock_payment(payment_id: int, order_id: int | None = None) -> Payment:
    """The payment and its order, locked until commit and re-read (another worker may have
    moved them). Always the order first, then the payment, wherever both are locked, so two
    transactions never wait on each other in a circle. A caller that has already read the
    payment's ``order_id`` (it never changes) passes it and saves a query."""
    if order_id is None:
        order_id = db.session.scalar(sa.select(Payment.order_id).where(Payment.id == payment_id))
    orders.lock_for_payment(order_id)
    return db.session.scalar(locked(sa.select(Payment).where(Payment.id == payment_id), of=Payment))


def settle(
    payment_id: int,
    evidence: Evidence,
    order_id: int | None = None,
    before_commit: Callable[[str], None] | None = None,
) -> str:
    """Apply ``evidence`` to the payment in one transaction; returns what happened.

    ``before_commit(outcome)`` runs inside that transaction, just before it commits: a
    webhook stores its own outcome with the settlement, in one commit instead of two.
    """
    payment = lock_payment(payment_id, order_id)
    outcome = _decide(payment, evidence)
    if before_commit is not None:
        before_commit(outcome)
    if outcome == "succeeded" and payment.gateway != PAY_ON_PICKUP:
        note = f"Paid by {payment.reference} through {payment.gateway} ({evidence.source})"
        orders.transition(payment.order, OrderStatus.PAID, note=note)  # commits the payment with it
    else:
        db.session.commit()
    if outcome == "succeeded":
        enqueue_batched(tasks.send_receipt, payment_id)
    return outcome


def final_outcome(reference: str, status: str, evidence: Evidence) -> str | None:
    """The outcome when ``evidence`` can change nothing about a payment in ``status``, else None.

    It depends on the status alone, so it may be asked of an unlocked read: "nothing" decided
    on a committed status is what settling would have decided when it was read, so only a
    change needs the locks of ``settle``. Captured is final for any news, an ended payment
    for news of its failure, and news that it is pending changes no payment.
    """
    if evidence.status is PaymentState.SUCCEEDED:
        return "already_succeeded" if status in CAPTURED_STATUSES else None
    if evidence.status in (PaymentState.FAILED, PaymentState.CANCELLED):
        if status in ACTIVE_STATUSES:
            return None
        log.info("Payment %s: %s %s ignored (it is %s)", reference, evidence.source, evidence.status, status)
        return "ignored_late" if status in CAPTURED_STATUSES else "unchanged"
    if evidence.status is PaymentState.REQUIRES_ACTION and status == Status.PENDING:
        return None
    return "unchanged"


def _decide(payment: Payment, evidence: Evidence) -> str:
    """Change the locked payment as ``evidence`` says (uncommitted); returns the outcome."""
    final = final_outcome(payment.reference, payment.status, evidence)
    if final is not None:
        return final
    if evidence.status is PaymentState.SUCCEEDED:
        return _succeed(payment, evidence)
    if evidence.status in (PaymentState.FAILED, PaymentState.CANCELLED):
        return _fail(payment, evidence)
    payment.status = Status.REQUIRES_ACTION
    return "requires_action"


def _succeed(payment: Payment, evidence: Evidence) -> str:
    """``succeeded`` leaves the order's move to ``paid`` to ``settle`` (pay on pickup: the
    order was collected, which is what made this payment succeed)."""
    if payment.flagged_for_review:  # once doubted, only staff decide what it paid for
        return "flagged"
    problem = mismatch(payment, evidence)
    if problem:
        return _flag(payment, problem)
    payment.status = Status.SUCCEEDED
    payment.completed_at = utcnow()
    payment.failure_reason = None
    payment.provider_transaction_id = evidence.provider_transaction_id or payment.provider_transaction_id
    order = payment.order
    if payment.gateway == PAY_ON_PICKUP:
        return "succeeded"
    if order.status != OrderStatus.PENDING_PAYMENT:
        return _flag(payment, f"captured while the order is {order.status}: refund or handle by hand")
    _supersede_others(payment)
    return "succeeded"


def _fail(payment: Payment, evidence: Evidence) -> str:
    """End a payment that is still open (``final_outcome`` answered for the others)."""
    payment.status = Status.CANCELLED if evidence.status is PaymentState.CANCELLED else Status.FAILED
    payment.failure_reason = (evidence.failure_reason or "")[:500] or None
    payment.completed_at = utcnow()
    return str(payment.status)


def mismatch(payment: Payment, evidence: Evidence) -> str | None:
    """Why ``evidence`` cannot be the payment we asked for, or ``None`` when it matches."""
    if evidence.reference and evidence.reference != payment.reference:
        return f"reference {evidence.reference!r} is not {payment.reference!r}"
    if evidence.amount is not None and evidence.amount != Money(payment.amount, payment.currency):
        return (
            f"amount {evidence.amount.amount} {evidence.amount.currency} is not "
            f"{payment.amount} {payment.currency}"
        )
    return None


def _flag(payment: Payment, reason: str) -> str:
    payment.flagged_for_review = True
    payment.review_reason = reason[:500]
    log.warning("Payment %s flagged for review: %s", payment.reference, reason)
    return "flagged"


def _supersede_others(paid: Payment) -> None:
    """A success on an older attempt closes the newer open ones (their customer never paid)."""
    others = db.session.scalars(
        sa.select(Payment).where(
            Payment.order_id == paid.order_id,
            Payment.id != paid.id,
            Payment.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
    )
    for other in others:
        other.status = Status.SUPERSEDED
