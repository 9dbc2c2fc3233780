"""Background jobs of the orders domain: customer e-mails."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy import orm

from app.auth.models import User
from app.core.mail import deliver_mail
from app.core.money import Money
from app.extensions import db
from app.orders.models import Order

SUBJECTS = {
    "placed": "Your Sokoni order {number} is placed",
    "status": "Your Sokoni order {number} is now {status}",
}


@functools.cache
def _order_and_email() -> sa.Select:
    """The order with its lines and its customer's address: two statements (three, and the
    customer's profile joined, by ``Session.get``), built once, the id bound by name."""
    return (
        sa.select(Order, User.email)
        .join(User, User.id == Order.user_id)
        .where(Order.id == sa.bindparam("order_id"))
        .options(orm.selectinload(Order.items))
        .execution_options(prepare=True)
    )


def send_order_email(order_id: int, kind: str, collection_code: str | None = None) -> None:
    """Tell the customer about their order (runs in a worker; nothing if it is gone).

    A pickup order's collection code travels only in the job's arguments and this e-mail.
    """
    found = db.session.execute(_order_and_email(), {"order_id": order_id}).first()
    if found is None:
        return
    order, email = found
    status = order.status.replace("_", " ")
    lines = [f"{item.quantity} x {item.product_name} ({item.sku})" for item in order.items]
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
    deliver_mail(email, SUBJECTS[kind].format(number=order.number, status=status), body)
