"""Whether a review comes from a buyer: the "verified purchase" badge."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.orders.models import Order, OrderItem
from app.orders.states import OrderStatus

#: Orders in these states reached the customer; a paid order still on its way does not count.
RECEIVED = (OrderStatus.DELIVERED, OrderStatus.COMPLETED, OrderStatus.COLLECTED)


def has_received(user_id: int, product_id: int) -> bool:
    """True when one of the user's orders containing the product was delivered or collected."""
    bought = (
        sa.select(OrderItem.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            Order.user_id == user_id,
            OrderItem.product_id == product_id,
            Order.status.in_([status.value for status in RECEIVED]),
        )
        .exists()
    )
    return bool(db.session.scalar(sa.select(bought)))
