"""What payments do when an order moves: the listener of ``order_status_changed``.

- a paid order is cancelled → its captured payments are refunded in full;
- an unpaid order is cancelled or expires → its open payments are closed, so a success
  arriving afterwards is flagged for review instead of paying a dead order;
- a pay-on-pickup order is collected → staff took the cash: its payment succeeded.

Each reaction runs as a job, after the order's own transaction has committed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.jobs import enqueue
from app.core.money import Money
from app.extensions import db
from app.orders.models import Order
from app.orders.signals import order_status_changed
from app.orders.states import OrderStatus
from app.payments import tasks
from app.payments.gateways.base import PaymentState
from app.payments.models import ACTIVE_STATUSES, Payment, PaymentStatus
from app.payments.services import refund_service, settlement

#: Order states in which money may have been captured.
_PAID_STATES = frozenset({OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.READY_FOR_PICKUP})


@order_status_changed.connect
def on_order_status_changed(_sender: Any, order: Order, previous: str, **_extra: Any) -> None:
    if order.status == OrderStatus.CANCELLED and previous in _PAID_STATES:
        enqueue(tasks.refund_cancelled_order, order.id)
    if order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
        enqueue(tasks.close_open_payments, order.id)
    if order.status == OrderStatus.COLLECTED:
        enqueue(tasks.settle_cash_on_pickup, order.id)


def refund_cancelled_order(order_id: int) -> int:
    return len(refund_service.refund_order(order_id, reason="Order cancelled"))


def close_open_payments(order_id: int) -> int:
    """Expire every open payment of an order that can no longer be paid."""
    ids = _open_payment_ids(order_id)
    for payment_id in ids:
        payment = settlement.lock_payment(payment_id)
        if payment.status in ACTIVE_STATUSES:
            payment.status = PaymentStatus.EXPIRED
        db.session.commit()
    return len(ids)


def settle_cash_on_pickup(order_id: int) -> int:
    """The order was handed over against its code and the cash: its payment succeeded."""
    order = db.session.get(Order, order_id)
    settled = 0
    for payment_id in _open_payment_ids(order_id, gateway=settlement.PAY_ON_PICKUP):
        cash = settlement.Evidence(
            status=PaymentState.SUCCEEDED, amount=Money(order.total, order.currency), source="cash on pickup"
        )
        settled += settlement.settle(payment_id, cash) == "succeeded"
    return settled


def _open_payment_ids(order_id: int, gateway: str | None = None) -> list[int]:
    query = sa.select(Payment.id).where(
        Payment.order_id == order_id, Payment.status.in_([s.value for s in ACTIVE_STATUSES])
    )
    if gateway:
        query = query.where(Payment.gateway == gateway)
    return list(db.session.scalars(query))
