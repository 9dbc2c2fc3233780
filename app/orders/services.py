"""Order rules after checkout: who sees what, transitions, cancellation, collection, expiry.

Every status change goes through ``transition``: the row is locked, the move checked
against ``states``, recorded as an ``OrderEvent``, stock given back exactly once when
an unsold order ends, and the customer e-mailed — all in one transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.batched_jobs import enqueue_batched
from app.core.errors import ConflictError, ErrorCode, NotFoundError, PermissionDenied, ValidationError
from app.core.jobs import schedule_at
from app.core.models import utcnow
from app.core.permissions import Role, has_role
from app.core.transactions import after_commit, locked
from app.delivery.collection_codes import verify_collection_code
from app.extensions import db
from app.orders import checkout, tasks
from app.orders.models import Order, OrderEvent
from app.orders.signals import order_status_changed
from app.orders.states import (
    CUSTOMER_CANCELLABLE,
    HOLDS_UNSOLD_STOCK,
    NOTIFY_CUSTOMER,
    SYSTEM_ONLY,
    OrderStatus,
    ensure_transition,
)
from app.products import inventory

_WITH_DETAILS = (selectinload(Order.items), selectinload(Order.events))


def place_order(user: User, **checkout_args: Any) -> checkout.Placed:
    """Checkout (see ``checkout.place_order``), left for the caller to commit; once it has,
    a new order is e-mailed and set to expire."""
    placed = checkout.place_order(user, **checkout_args)
    if placed.created:
        after_commit(functools.partial(_announce_placed, placed))
    return placed


def _announce_placed(placed: checkout.Placed) -> None:
    order = placed.order
    enqueue_batched(tasks.send_order_email, order.id, "placed", placed.collection_code)
    schedule_at(order.expires_at, expire_order, order.id)


def get_order(user: User, number: str) -> Order:
    """A customer's own order (another's is a 404, never a 403); staff see every order."""
    query = sa.select(Order).where(Order.number == number).options(*_WITH_DETAILS)
    if not has_role(user, Role.STAFF):
        query = query.where(Order.user_id == user.id)
    order = db.session.scalar(query)
    if order is None:
        raise NotFoundError("No such order.")
    return order


def list_orders(user: User, filters: Mapping[str, Any]) -> sa.Select:
    """The caller's orders, newest first; staff list everyone's with more filters."""
    query = sa.select(Order).options(*_WITH_DETAILS).order_by(Order.created_at.desc(), Order.id.desc())
    if not has_role(user, Role.STAFF) or not filters.get("all"):
        query = query.where(Order.user_id == user.id)
    if status := filters.get("status"):
        query = query.where(Order.status == status)
    if delivery_type := filters.get("delivery_type"):
        query = query.where(Order.delivery_type == delivery_type)
    if created_from := filters.get("created_from"):
        query = query.where(Order.created_at >= created_from)
    if created_to := filters.get("created_to"):
        query = query.where(Order.created_at < created_to)
    if email := filters.get("email"):
        query = query.join(User, User.id == Order.user_id).where(User.email.contains(email.strip().lower()))
    return query


def _locked(order_id: int) -> Order:
    """The order row, locked until commit and re-read (another transaction may have moved it)."""
    return db.session.scalar(locked(sa.select(Order).where(Order.id == order_id)))


def transition(
    order: Order, target: str, *, actor: User | None = None, note: str | None = None, commit: bool = True
) -> Order:
    """Move ``order`` to ``target`` if the state machine allows it (else 409), exactly once."""
    order = _locked(order.id)
    previous = order.status
    ensure_transition(previous, target)
    order.status = target
    order.events.append(
        OrderEvent(
            from_status=previous,
            to_status=target,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            note=note,
        )
    )
    ends_unsold = OrderStatus(target) in {OrderStatus.CANCELLED, OrderStatus.EXPIRED}
    if ends_unsold and OrderStatus(previous) in HOLDS_UNSOLD_STOCK:
        inventory.release_stock(order.quantities)
    if target == OrderStatus.PAID:
        inventory.record_sales(order.quantities)
        order.expires_at = None
    if commit:
        db.session.commit()
        _announce(order, previous)
    return order


def _announce(order: Order, previous: str) -> None:
    order_status_changed.send(current_app._get_current_object(), order=order, previous=previous)
    if OrderStatus(order.status) in NOTIFY_CUSTOMER:
        enqueue_batched(tasks.send_order_email, order.id, "status")


def cancel_order(user: User, number: str, reason: str | None = None) -> Order:
    """The customer cancels while unpaid, or paid but not yet being prepared (refund follows)."""
    order = get_order(user, number)
    if order.user_id == user.id and OrderStatus(order.status) not in CUSTOMER_CANCELLABLE:
        raise ConflictError(
            "This order can no longer be cancelled; contact support.",
            code=ErrorCode.INVALID_TRANSITION,
            details={"from": order.status, "to": OrderStatus.CANCELLED.value},
        )
    return transition(order, OrderStatus.CANCELLED, actor=user, note=reason)


def change_status(staff: User, number: str, target: str, note: str | None = None) -> Order:
    """Staff move an order along; payment-driven states are left to the payments domain."""
    if OrderStatus(target) in SYSTEM_ONLY:
        raise ValidationError(
            f"{target} is set by the payment flow, not by hand.",
            details={"status": ["Set by payments or the expiry job."]},
        )
    if target == OrderStatus.COLLECTED:
        raise ValidationError(
            "Confirm a collection with its code.", details={"status": ["Use the collection endpoint."]}
        )
    return transition(get_order(staff, number), target, actor=staff, note=note)


def confirm_collection(staff: User, number: str, code: str) -> Order:
    """Staff hand a parcel over at the bus station against the customer's code."""
    order = get_order(staff, number)
    if order.delivery_type != "bus_station":
        raise ValidationError(
            "This order is not a bus-station pickup.", details={"number": ["Not a pickup."]}
        )
    if not verify_collection_code(code, order.collection_code_hash or ""):
        raise PermissionDenied("The collection code does not match.")
    return transition(order, OrderStatus.COLLECTED, actor=staff, note="Collected with the customer's code")


def expire_order(order_id: int) -> bool:
    """Expire one unpaid order whose time is up; False if it was paid or ended meanwhile."""
    order = db.session.get(Order, order_id)
    if order is None or order.status != OrderStatus.PENDING_PAYMENT or not _overdue(order):
        return False
    try:
        transition(order, OrderStatus.EXPIRED, note="Not paid in time")
    except ConflictError:  # paid or cancelled while we waited for the lock
        db.session.rollback()
        return False
    return True


def lock_for_payment(order_id: int) -> Order:
    """The order row locked until the caller commits (payments: one active payment per order)."""
    return _locked(order_id)


def extend_payment_window(order: Order, until: datetime) -> None:
    """Keep an unpaid order (and its stock) until ``until`` at least: mobile money is slow.

    Part of the caller's transaction; a shorter window is never shortened further.
    """
    if order.status == OrderStatus.PENDING_PAYMENT and (order.expires_at is None or order.expires_at < until):
        order.expires_at = until


def _overdue(order: Order, now: datetime | None = None) -> bool:
    return order.expires_at is not None and order.expires_at <= (now or utcnow())


def expire_overdue_orders(limit: int = 500) -> int:
    """The periodic sweep: expire every unpaid order past its time; returns how many."""
    ids = db.session.scalars(
        sa.select(Order.id)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Order.expires_at <= utcnow())
        .order_by(Order.expires_at)
        .limit(limit)
    ).all()
    return sum(expire_order(order_id) for order_id in ids)
