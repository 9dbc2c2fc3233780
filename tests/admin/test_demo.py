"""``flask console demo``: a month of sales the dashboard can chart, added once."""

from __future__ import annotations

from freezegun import freeze_time

from app.admin import dashboard
from app.cli.seed import seed_users
from app.extensions import db
from app.orders.models import Order
from app.orders.states import TRANSITIONS, OrderStatus
from app.payments.models import Payment
from tests.factories import VariantFactory


# The early hours in Lagos: ten hours before now, thirty days ago, is outside the chart.
@freeze_time("2026-12-04 00:45:00")
def test_demo_sales_fill_the_dashboard_once(app):
    seed_users()
    for index in range(3):
        VariantFactory(prices={"NGN": 150_000 + index, "KES": 9_000})
    result = app.test_cli_runner().invoke(args=["console", "demo"])
    assert "orders added" in result.output
    orders = db.session.scalars(db.select(Order)).all()
    assert len(orders) >= 30
    for order in orders:  # every history is a legal path through the state machine
        for event in order.events[1:]:
            assert OrderStatus(event.to_status) in TRANSITIONS[OrderStatus(event.from_status)]
    figures = dashboard.figures()
    assert sum(figures["sales"]["orders"]) == len(orders)
    assert figures["sales"]["revenue"]["NGN"]
    assert {row["gateway"] for row in figures["payments"]} >= {"paystack"}
    assert all(
        0 <= row["success_rate"] <= 1 for row in figures["payments"] if row["success_rate"] is not None
    )
    again = app.test_cli_runner().invoke(args=["console", "demo"])
    assert "already there" in again.output
    assert db.session.scalar(db.select(db.func.count(Order.id))) == len(orders)
    assert db.session.scalar(db.select(db.func.count(Payment.id))) >= len(orders) * 0.8


def test_demo_needs_the_seeded_shop_first(app):
    result = app.test_cli_runner().invoke(args=["console", "demo"])
    assert "run flask seed" in result.output
