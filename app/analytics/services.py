"""Staff reports, each a few SQL aggregates over the live tables (nothing is stored).

Definitions, once:

- A **sale** is an order placed in the range that was paid: ``REVENUE_STATUSES`` plus
  ``refunded`` (it was paid, then given back). Pending, cancelled and expired orders are
  not sales. Orders are dated by when they were placed.
- **Gross** is the sales' totals; **refunds** the succeeded refunds of those sales' payments
  (whenever they happened); **revenue** is gross minus refunds.
- **Conversion** is sales / carts created in the range.
- Money stays in its own currency; the ``converted`` figures add each currency's total
  converted at the rate of the range's end (or now), and are ``null`` when a rate is missing.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa

from app.analytics.periods import DateRange, Interval, as_date, bucket
from app.analytics.reporting import Converter, cached, divide, reporting_currency
from app.auth.models import User
from app.cart.models import Cart
from app.core.money import Money
from app.core.permissions import Role
from app.extensions import db
from app.orders.models import Order, OrderItem
from app.orders.states import OrderStatus
from app.payments.models import ACTIVE_STATUSES, CAPTURED_STATUSES, Payment, Refund, RefundStatus
from app.products.models import Product, ProductVariant

S = OrderStatus
#: Orders whose money was received and is kept (pay-on-pickup ones once collected).
REVENUE_STATUSES = (
    S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.COLLECTED, S.PARTIALLY_REFUNDED,
)  # fmt: skip
#: Orders counted as sales: revenue ones, and those paid then refunded in full.
SALE_STATUSES = (*REVENUE_STATUSES, S.REFUNDED)
FIGURES = ("gross", "refunds", "revenue")


def _refunded_per_order() -> Any:
    """Subquery: succeeded refunds per order, in the order's currency."""
    return (
        sa.select(Payment.order_id, sa.func.sum(Refund.amount).label("refunded"))
        .join(Refund, Refund.payment_id == Payment.id)
        .where(Refund.status == RefundStatus.SUCCEEDED.value)
        .group_by(Payment.order_id)
        .subquery()
    )


def _sales(days: DateRange, *columns: Any) -> Any:
    """``SELECT columns, count, gross, refunds`` over the range's sales (group it further)."""
    refunded = _refunded_per_order()
    refunds = sa.func.coalesce(sa.func.sum(refunded.c.refunded), 0)
    return (
        sa.select(*columns, sa.func.count(Order.id), sa.func.sum(Order.total), refunds)
        .select_from(Order)
        .outerjoin(refunded, refunded.c.order_id == Order.id)
        .where(Order.status.in_(SALE_STATUSES), days.contains(Order.created_at))
    )


def _money(amount: Any, currency: str) -> dict[str, Any]:
    return Money(int(amount or 0), currency).to_dict()


# ---- summary --------------------------------------------------------------------------


def summary(days: DateRange, currency: str | None = None) -> dict[str, Any]:
    """Sales, revenue, refunds, new customers and conversion over ``days``, per currency and
    converted to the reporting currency."""
    to = reporting_currency(currency)
    return cached("summary", lambda: _summary(days, to), start=days.start, end=days.end, currency=to)


def _summary(days: DateRange, to: str) -> dict[str, Any]:
    rows = db.session.execute(_sales(days, Order.currency).group_by(Order.currency).order_by(Order.currency))
    currencies, totals = [], defaultdict(list)
    orders = 0
    for code, count, gross, refunds in rows:
        amounts = {
            "gross": Money(int(gross), code),
            "refunds": Money(int(refunds), code),
            "revenue": Money(int(gross) - int(refunds), code),
        }
        for name, money in amounts.items():
            totals[name].append(money)
        orders += count
        currencies.append({"orders": count, **_figures(amounts, count)})
    converter = Converter(to, days.until)
    converted = {name: converter.total(totals[name]) for name in FIGURES}
    carts = _count(Cart.id, days.contains(Cart.created_at))
    return {
        "start": days.start,
        "end": days.end,
        "orders": orders,
        "carts": carts,
        "conversion": orders / carts if carts else None,
        "new_customers": _count(User.id, User.role == Role.CUSTOMER.value, days.contains(User.created_at)),
        "currencies": currencies,
        "converted": None if None in converted.values() else _figures(converted, orders),
    }


def _figures(amounts: dict[str, Any], orders: int) -> dict[str, Any]:
    """One currency's gross, refunds and revenue, and the average order value they imply."""
    gross: Money = amounts["gross"]
    average = Money(divide(gross.amount, orders), gross.currency)
    return {
        "currency": gross.currency,
        "average_order_value": average.to_dict(),
        **{name: amounts[name].to_dict() for name in FIGURES},
    }


def _count(column: Any, *conditions: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count(column)).where(*conditions)) or 0


# ---- sales over time ------------------------------------------------------------------


def sales(days: DateRange, interval: Interval) -> dict[str, Any]:
    """Sales and revenue per day, week or month and currency; buckets without sales are zero."""
    return cached(
        "sales", lambda: _sales_series(days, interval), start=days.start, end=days.end, interval=interval
    )


def _sales_series(days: DateRange, interval: Interval) -> dict[str, Any]:
    period = bucket(Order.created_at, interval).label("period")
    rows = db.session.execute(_sales(days, period, Order.currency).group_by(period, Order.currency))
    found: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for day, code, count, gross, refunds in rows:
        found[code][as_date(day)] = (count, int(gross) - int(refunds))
    periods = list(days.buckets(interval))
    series = [
        {"currency": code, "points": [_point(day, *points.get(day, (0, 0)), code) for day in periods]}
        for code, points in sorted(found.items())
    ]
    return {"interval": interval.value, "start": days.start, "end": days.end, "series": series}


def _point(day: date, orders: int, revenue: int, currency: str) -> dict[str, Any]:
    return {"period": day, "orders": orders, "revenue": _money(revenue, currency)}


# ---- products -------------------------------------------------------------------------


def top_products(days: DateRange, by: str, limit: int, currency: str | None = None) -> dict[str, Any]:
    """The best-selling products of ``days`` by units or by revenue (converted to the reporting
    currency; a product whose revenue cannot be converted ranks after those that can).

    Counts the lines of revenue orders: fully refunded orders drop out, a partial refund is
    not apportioned to lines (no refund says which line it was for). Lines of deleted
    products are left out; a product is named as on its orders.
    """
    to = reporting_currency(currency)
    return cached(
        "top-products",
        lambda: _top_products(days, by, limit, to),
        start=days.start,
        end=days.end,
        by=by,
        limit=limit,
        currency=to,
    )


def _top_products(days: DateRange, by: str, limit: int, to: str) -> dict[str, Any]:
    rows = db.session.execute(
        sa.select(
            OrderItem.product_id,
            sa.func.max(OrderItem.product_name),
            Order.currency,
            sa.func.sum(OrderItem.quantity),
            sa.func.sum(OrderItem.total),
        )
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.product_id.is_not(None),
            Order.status.in_(REVENUE_STATUSES),
            days.contains(Order.created_at),
        )
        .group_by(OrderItem.product_id, Order.currency)
    )
    products: dict[int, dict[str, Any]] = {}
    for product_id, name, code, units, revenue in rows:
        product = products.setdefault(
            product_id, {"product_id": product_id, "name": name, "units": 0, "revenue": []}
        )
        product["units"] += int(units)
        product["revenue"].append(Money(int(revenue), code))
    converter = Converter(to, days.until)
    for product in products.values():
        converted = converter.total(product["revenue"])
        product["converted_revenue"] = converted and converted.to_dict()
        product["revenue"] = [
            money.to_dict() for money in sorted(product["revenue"], key=lambda m: m.currency)
        ]

    def rank(product: dict[str, Any]) -> tuple:
        if by == "units":
            return (-product["units"], product["product_id"])
        converted = product["converted_revenue"]
        return (converted is None, -converted["amount"] if converted else 0, product["product_id"])

    ranked = sorted(products.values(), key=rank)[:limit]
    return {"start": days.start, "end": days.end, "by": by, "currency": to, "products": ranked}


def low_stock(threshold: int, limit: int) -> dict[str, Any]:
    """Active variants of active products with at most ``threshold`` units on hand, lowest first."""
    return cached("low-stock", lambda: _low_stock(threshold, limit), threshold=threshold, limit=limit)


def low_stock_rows(threshold: int, limit: int) -> list[dict[str, Any]]:
    """The low-stock variants themselves, uncached (the console's dashboard shows them live)."""
    rows = db.session.execute(
        sa.select(ProductVariant.id, ProductVariant.sku, Product.name, ProductVariant.stock_on_hand)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.is_active, Product.is_active, ProductVariant.stock_on_hand <= threshold)
        .order_by(ProductVariant.stock_on_hand, ProductVariant.sku)
        .limit(limit)
    )
    return [{"id": i, "sku": sku, "product": name, "stock": stock} for i, sku, name, stock in rows]


def _low_stock(threshold: int, limit: int) -> dict[str, Any]:
    return {"threshold": threshold, "variants": low_stock_rows(threshold, limit)}


# ---- payments -------------------------------------------------------------------------


def payments(days: DateRange) -> dict[str, Any]:
    """Per gateway and method: attempts, success rate, volume and median time to success;
    and succeeded refunds per gateway. Payments are dated by creation, refunds by theirs."""
    return cached("payments", lambda: _payments(days), start=days.start, end=days.end)


def _payments(days: DateRange) -> dict[str, Any]:
    captured = Payment.status.in_([status.value for status in CAPTURED_STATUSES])
    still_open = Payment.status.in_([status.value for status in ACTIVE_STATUSES])
    rows = db.session.execute(
        sa.select(
            Payment.gateway,
            Payment.method,
            Payment.currency,
            sa.func.count(Payment.id),
            sa.func.sum(sa.case((captured, 1), else_=0)),
            sa.func.sum(sa.case((still_open, 1), else_=0)),
            sa.func.sum(sa.case((captured, Payment.amount), else_=0)),
        )
        .where(days.contains(Payment.created_at))
        .group_by(Payment.gateway, Payment.method, Payment.currency)
    )
    medians = _median_seconds_to_success(days, captured)
    methods: dict[tuple[str, str | None], dict[str, Any]] = {}
    for gateway, method, code, attempts, succeeded, pending, volume in rows:
        row = methods.setdefault(
            (gateway, method),
            {"gateway": gateway, "method": method, "attempts": 0, "succeeded": 0, "open": 0, "volume": []},
        )
        row["attempts"] += attempts
        row["succeeded"] += int(succeeded or 0)
        row["open"] += int(pending or 0)
        if volume:
            row["volume"].append(_money(volume, code))
    for key, row in methods.items():
        finished = row["attempts"] - row["open"]
        row["success_rate"] = row["succeeded"] / finished if finished else None
        row["median_seconds_to_success"] = medians.get(key)
    ordered = sorted(methods.values(), key=lambda row: (row["gateway"], row["method"] or ""))
    return {"start": days.start, "end": days.end, "methods": ordered, "refunds": _refunds_per_gateway(days)}


def _median_seconds_to_success(days: DateRange, captured: Any) -> dict[tuple[str, str | None], float]:
    """Median seconds from creation to success per gateway and method.

    PostgreSQL computes it (``percentile_cont``); SQLite has no median, so there the
    durations are fetched and the median taken here: same figure, fine for a test database.
    """
    finished = (captured, Payment.completed_at.is_not(None), days.contains(Payment.created_at))
    group = (Payment.gateway, Payment.method)
    if db.engine.dialect.name == "postgresql":
        seconds = sa.extract("epoch", Payment.completed_at - Payment.created_at)
        median = sa.func.percentile_cont(0.5).within_group(seconds)
        rows = db.session.execute(sa.select(*group, median).where(*finished).group_by(*group))
        return {(gateway, method): float(value) for gateway, method, value in rows}
    seconds = (sa.func.julianday(Payment.completed_at) - sa.func.julianday(Payment.created_at)) * 86400
    durations: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for gateway, method, value in db.session.execute(sa.select(*group, seconds).where(*finished)):
        durations[(gateway, method)].append(round(value, 3))
    return {key: statistics.median(values) for key, values in durations.items()}


def _refunds_per_gateway(days: DateRange) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Payment.gateway, Refund.currency, sa.func.count(Refund.id), sa.func.sum(Refund.amount))
        .join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.status == RefundStatus.SUCCEEDED.value, days.contains(Refund.created_at))
        .group_by(Payment.gateway, Refund.currency)
        .order_by(Payment.gateway, Refund.currency)
    )
    gateways: dict[str, dict[str, Any]] = {}
    for gateway, code, count, amount in rows:
        row = gateways.setdefault(gateway, {"gateway": gateway, "count": 0, "amount": []})
        row["count"] += count
        row["amount"].append(_money(amount, code))
    return list(gateways.values())
