"""The payments domain's tables: payments, refunds, webhook deliveries, the gateway call log,
fraud decisions and exchange rates.

Money is integer minor units plus an ISO 4217 code, as everywhere in Sokoni. The hard
guarantees live in constraints rather than in code paths: one payment per user and
``Idempotency-Key``, one stored delivery per gateway and event id (a replayed webhook
cannot be processed twice), one refund per payment and key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import Order


class PaymentStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    HELD = "held"
    """Held by the fraud check: nothing was sent to the gateway; staff release or cancel it."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    """Replaced by a payment through another gateway for the same order."""
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


#: A payment that may still be paid: at most one per order.
ACTIVE_STATUSES = frozenset({PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION, PaymentStatus.HELD})
#: Money was captured: refunds are possible, failures are late news.
CAPTURED_STATUSES = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: Refunds whose amount counts against what is left to refund.
COMMITTED_REFUND_STATUSES = frozenset({RefundStatus.PENDING, RefundStatus.SUCCEEDED})


class WebhookStatus(StrEnum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"
    REJECTED = "rejected"
    """The signature was missing or wrong: kept for the record, never processed."""


class FraudOutcome(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class FraudDecision(db.Model):
    """One fraud assessment, with its score and the reasons behind it (blocks included)."""

    __tablename__ = "fraud_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    score: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    decision: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    ip_country: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.Index("ix_fraud_decisions_user_created", "user_id", "created_at"),)


class Payment(TimestampMixin, db.Model):
    """One attempt to pay an order through one gateway, identified by our ``reference``."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    gateway: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    method: Mapped[str | None] = mapped_column(sa.String(16))
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount_refunded: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=PaymentStatus.PENDING.value)
    provider_reference: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    provider_transaction_id: Mapped[str | None] = mapped_column(sa.String(120))
    authorization_url: Mapped[str | None] = mapped_column(sa.String(1000))
    client_secret: Mapped[str | None] = mapped_column(sa.String(255))
    instructions: Mapped[str | None] = mapped_column(sa.String(500))
    return_url: Mapped[str | None] = mapped_column(sa.String(1000))
    fell_back_from: Mapped[str | None] = mapped_column(sa.String(40))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500))
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    phone_hash: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    """Keyed hash of the payer's phone: enough for velocity checks, useless to a thief."""
    ip_address: Mapped[str | None] = mapped_column(sa.String(45), index=True)
    fraud_decision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("fraud_decisions.id", ondelete="SET NULL"), index=True
    )
    flagged_for_review: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    review_reason: Mapped[str | None] = mapped_column(sa.String(500))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship()
    user: Mapped[User] = relationship()
    fraud_decision: Mapped[FraudDecision | None] = relationship()
    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")
    transactions: Mapped[list[Transaction]] = relationship(order_by="Transaction.id", viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "idempotency_key"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("amount_refunded >= 0 and amount_refunded <= amount", name="refund_within_amount"),
        sa.Index("ix_payments_status_created", "status", "created_at"),
        sa.Index("ix_payments_user_created", "user_id", "created_at"),
        sa.Index("ix_payments_created_at", "created_at"),  # the analytics payments report's range
    )

    @property
    def refundable(self) -> int:
        """What may still be refunded: captured minus refunds succeeded or under way."""
        committed = sum(r.amount for r in self.refunds if r.status in COMMITTED_REFUND_STATUSES)
        return self.amount - committed if self.status in CAPTURED_STATUSES else 0


class Refund(TimestampMixin, db.Model):
    """All or part of a captured payment sent back, at most once per ``Idempotency-Key``."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    payment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("payments.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=RefundStatus.PENDING.value)
    reason: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    provider_refund_id: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    payment: Mapped[Payment] = relationship(back_populates="refunds")

    __table_args__ = (
        sa.UniqueConstraint("payment_id", "idempotency_key"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )


class WebhookEvent(db.Model):
    """One delivery from a provider, stored before it is answered and processed by a worker."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    event_id: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    event_type: Mapped[str | None] = mapped_column(sa.String(100))
    reference: Mapped[str | None] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    """The raw body, as signed, so the worker reads exactly what was verified."""
    signature_valid: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=WebhookStatus.RECEIVED.value)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("gateway", "event_id"),
        sa.Index("ix_webhook_events_status_received", "status", "received_at"),
    )


class Transaction(db.Model):
    """Append-only log of every gateway call and webhook: what, how long, and how it went.

    ``request_summary`` holds what an operator needs to follow a payment (amounts, our
    references, the operation), never keys, tokens, card data or full phone numbers.
    """

    __tablename__ = "payment_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    refund_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("refunds.id", ondelete="SET NULL"), index=True
    )
    webhook_event_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_events.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    gateway: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    request_summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    response_status: Mapped[str | None] = mapped_column(sa.String(40))
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer)
    outcome: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


@sa.event.listens_for(Transaction, "before_update")
def _append_only(*_args: Any) -> None:
    raise RuntimeError("payment_transactions is append-only")


class ExchangeRate(db.Model):
    """1 ``base`` = ``rate`` ``quote`` (in major units), as published at ``as_of``."""

    __tablename__ = "exchange_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    base: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    quote: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    rate: Mapped[Decimal] = mapped_column(sa.Numeric(24, 10), nullable=False)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    source: Mapped[str | None] = mapped_column(sa.String(100))

    __table_args__ = (
        sa.UniqueConstraint("base", "quote", "as_of"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )
