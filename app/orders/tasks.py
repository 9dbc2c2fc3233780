"""Background jobs of the orders domain: customer e-mails."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from app.auth.models import User
from app.core.mail import deliver_mail
from app.core.money import Money
from app.core.prepared_statements import prepared
from app.extensions import db
from app.orders.models import Order, OrderItem

SUBJECTS = {
    "placed": "Your Sokoni order {number} is placed",
    "status": "Your Sokoni order {number} is now {status}",
}


_ORDERS, _ITEMS, _USERS = Order.__table__, OrderItem.__table__, User.__table__


@functools.cache
def _order_lines_and_email() -> sa.Select:
    """The order's lines (one row each, in order) with what the e-mail shows of the order and
    its customer's address: one prepared statement on the tables, built once. The ORM's
    order, its lines by ``selectinload`` and their instances cost the worker more than
    the mail itself (two statements; three, with the profile, by ``Session.get``)."""
    return prepared(
        sa.select(
            _ORDERS.c.number,
            _ORDERS.c.status,
            _ORDERS.c.total,
            _ORDERS.c.currency,
            _ORDERS.c.bus_station,
            _USERS.c.email,
            _ITEMS.c.quantity,
            _ITEMS.c.product_name,
            _ITEMS.c.sku,
        )
        .join(_USERS, _USERS.c.id == _ORDERS.c.user_id)
        .outerjoin(_ITEMS, _ITEMS.c.order_id == _ORDERS.c.id)
        .where(_ORDERS.c.id == sa.bindparam("order_id"))
        .order_by(_ITEMS.c.id)
    )


def send_order_email(order_id: int, kind: str, collection_code: str | None = None) -> None:
    """Tell the customer about their order (runs in a worker; nothing if it is gone).

    A pickup order's collection code travels only in the job's arguments and this e-mail.
    """
    rows = db.session.execute(_order_lines_and_email(), {"order_id": order_id}).all()
    if not rows:
        return
    order = rows[0]
    status = order.status.replace("_", " ")
    lines = [f"{row.quantity} x {row.product_name} ({row.sku})" for row in rows if row.sku is not None]
    total = Money(order.total, order.currency).format()
    body = "\n".join(
        [
            f"Order {order.number} — {status}.",
            "",
            *lines,
            "",
            f"Total: {total}",
        ]
    )
    if collection_code:
        station = (order.bus_station or {}).get("name", "the bus station")
        body += f"\n\nCollect it at {station} with this code: {collection_code}"
    deliver_mail(order.email, SUBJECTS[kind].format(number=order.number, status=status), body)
