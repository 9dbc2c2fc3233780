"""Staff views of payments: filtered lists with the transaction log, for support and review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import NotFoundError
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment, Refund

_WITH_DETAILS = (
    selectinload(Payment.order),
    selectinload(Payment.user),
    selectinload(Payment.fraud_decision),
    selectinload(Payment.refunds).selectinload(Refund.payment),
    selectinload(Payment.transactions),
)


def list_payments(filters: Mapping[str, Any]) -> sa.Select:
    """Every payment, newest first, narrowed by status, gateway, review flag, order, customer, dates."""
    query = sa.select(Payment).options(*_WITH_DETAILS).order_by(Payment.created_at.desc(), Payment.id.desc())
    if status := filters.get("status"):
        query = query.where(Payment.status == status)
    if gateway := filters.get("gateway"):
        query = query.where(Payment.gateway == gateway)
    if "flagged" in filters:
        query = query.where(Payment.flagged_for_review.is_(filters["flagged"]))
    if number := filters.get("order"):
        query = query.where(Payment.order_id.in_(sa.select(Order.id).where(Order.number == number)))
    if email := filters.get("email"):
        users = sa.select(User.id).where(User.email.contains(email.strip().lower()))
        query = query.where(Payment.user_id.in_(users))
    if created_from := filters.get("created_from"):
        query = query.where(Payment.created_at >= created_from)
    if created_to := filters.get("created_to"):
        query = query.where(Payment.created_at < created_to)
    return query


def get_payment(reference: str) -> Payment:
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.reference == reference).options(*_WITH_DETAILS)
    )
    if payment is None:
        raise NotFoundError("No such payment.")
    return payment
