"""``flask seed --orders N``: a realistic order history in bulk, idempotent, never touching stock."""

from __future__ import annotations

from itertools import pairwise

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.orders.bench_seed import ADDRESS_ONLY, FINAL_WEIGHTS, NUMBER_MARK, PICKUP_ONLY, status_path
from app.orders.models import Order, OrderEvent, OrderItem
from app.orders.states import HOLDS_UNSOLD_STOCK, OrderStatus, allowed_next
from app.products.models import ProductVariant

#: Every (final status, pickup?) the seed produces.
COMBINATIONS = [
    (final, pickup)
    for final, _ in FINAL_WEIGHTS
    for pickup in (False, True)
    if not (pickup and final in ADDRESS_ONLY) and not (not pickup and final in PICKUP_ONLY)
]


@pytest.mark.parametrize(("final", "pickup"), COMBINATIONS)
def test_every_seeded_history_is_a_legal_walk_through_the_state_machine(final, pickup):
    path = status_path(final, pickup)
    assert path[0] == OrderStatus.PENDING_PAYMENT
    assert path[-1] == final
    for current, following in pairwise(path):
        assert following in allowed_next(current)


def test_orders_are_added_up_to_the_target_with_lines_and_history(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "--products", "20"]).exit_code == 0
    stock = db.session.scalar(sa.select(sa.func.sum(ProductVariant.stock_on_hand)))

    first = runner.invoke(args=["seed", "--orders", "60"])
    assert "Order history: 60 orders added (target 60)." in first.output, first.output
    again = runner.invoke(args=["seed", "--orders", "60"])
    assert "Order history: 0 orders added (target 60)." in again.output, again.output

    # Only the history's orders (``flask seed`` also adds the console's demo month).
    history = f"{app.config['ORDER_NUMBER_PREFIX']}{NUMBER_MARK}%"
    orders = db.session.scalars(sa.select(Order).where(Order.number.like(history))).all()
    assert len(orders) == 60
    assert db.session.scalar(sa.select(sa.func.sum(ProductVariant.stock_on_hand))) == stock
    assert not [o for o in orders if o.status == OrderStatus.PENDING_PAYMENT]
    assert len({o.currency for o in orders}) > 1
    for order in orders:
        assert 1 <= len(order.items) <= 3
        assert order.subtotal == sum(item.total for item in order.items)
        assert order.total == order.subtotal - order.discount + order.shipping  # prices include VAT
        assert [e.to_status for e in order.events][-1] == order.status
        assert (order.delivery_type == "bus_station") == (order.bus_station is not None)
    assert db.session.query(OrderItem).count() >= 60
    assert db.session.query(OrderEvent).count() >= 120
    holding = [o for o in orders if o.status in HOLDS_UNSOLD_STOCK]
    assert all(o.expires_at is None for o in holding)  # nothing for the expiry sweep to release
