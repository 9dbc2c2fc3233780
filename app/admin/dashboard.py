"""The dashboard's figures, each one SQL aggregate (or one RQ registry count).

Payments per gateway and low stock come from ``app.analytics`` (the staff reports); the
sales figures are computed here because the console counts days in the shop's time zone
(``SHOP_TIMEZONE``: a Lagos shop's day starts at 00:00 in Lagos) while the reports use UTC
days. Revenue uses the reports' definition of the orders whose money was received and is
kept (``analytics.services.REVENUE_STATUSES``); the order counts include every order placed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from redis.exceptions import RedisError

from app.admin.formatting import format_money, shop_zone
from app.analytics import services as analytics
from app.analytics.periods import DateRange
from app.core.jobs import get_queue
from app.core.models import utcnow
from app.core.money import Money
from app.extensions import db
from app.orders.models import Order
from app.support.models import Ticket
from app.support.states import TicketStatus

SALES_DAYS = 30
LOW_STOCK_ROWS = 10


@dataclass
class Period:
    """Orders placed in a period and the revenue they brought, per currency."""

    orders: int = 0
    revenue: dict[str, int] = field(default_factory=dict)

    @property
    def revenue_text(self) -> list[str]:
        return [format_money(amount, currency) for currency, amount in sorted(self.revenue.items())]


def shop_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` starts in the shop's time zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=shop_zone()).astimezone(UTC)


def shop_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(shop_zone()).date()


def period(since: datetime) -> Period:
    count = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.created_at >= since))
    rows = db.session.execute(
        sa.select(Order.currency, sa.func.sum(Order.total))
        .where(Order.created_at >= since, Order.status.in_(analytics.REVENUE_STATUSES))
        .group_by(Order.currency)
    )
    return Period(orders=count or 0, revenue={currency: int(total) for currency, total in rows})


def _local_day(column: Any) -> Any:
    """SQL for the shop-local calendar day of a UTC timestamp, on PostgreSQL and SQLite."""
    if db.engine.dialect.name == "postgresql":
        return sa.cast(sa.func.timezone(current_app.config["SHOP_TIMEZONE"], column), sa.Date)
    offset = utcnow().astimezone(shop_zone()).utcoffset() or timedelta()
    return sa.func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def sales_series(today: date, days: int = SALES_DAYS) -> dict[str, Any]:
    """Revenue per shop-local day and currency over the last ``days`` days, in major units
    (what a chart's axis shows), plus the orders per day."""
    start = today - timedelta(days=days - 1)
    day = _local_day(Order.created_at).label("day")
    revenue = sa.func.sum(sa.case((Order.status.in_(analytics.REVENUE_STATUSES), Order.total), else_=0))
    rows = db.session.execute(
        sa.select(day, Order.currency, sa.func.count(Order.id), revenue)
        .where(Order.created_at >= shop_midnight(start))
        .group_by(day, Order.currency)
    )
    labels = [(start + timedelta(days=offset)).isoformat() for offset in range(days)]
    index = {label: position for position, label in enumerate(labels)}
    orders = [0] * days
    per_currency: dict[str, list[float]] = defaultdict(lambda: [0.0] * days)
    for row_day, currency, count, total in rows:
        position = index.get(str(row_day))
        if position is None:
            continue
        orders[position] += count
        if total:
            per_currency[currency][position] += float(Money(int(total), currency).to_major())
    return {"labels": labels, "orders": orders, "revenue": dict(sorted(per_currency.items()))}


def low_stock(limit: int = LOW_STOCK_ROWS) -> list[dict[str, Any]]:
    """The analytics low-stock report at the catalog's threshold, live (never cached)."""
    return analytics.low_stock_rows(current_app.config["CATALOG_LOW_STOCK_THRESHOLD"], limit)


def payments_by_gateway(days: DateRange) -> list[dict[str, Any]]:
    """``analytics.payments`` (per gateway and method) summed per gateway: attempts,
    successes, the success rate among finished attempts, and the money received per currency."""
    gateways: dict[str, dict[str, Any]] = {}
    for method in analytics.payments(days)["methods"]:
        totals = {"attempts": 0, "succeeded": 0, "open": 0, "received": defaultdict(int)}
        row = gateways.setdefault(method["gateway"], {"gateway": method["gateway"], **totals})
        for name in ("attempts", "succeeded", "open"):
            row[name] += method[name]
        for money in method["volume"]:
            row["received"][money["currency"]] += money["amount"]
    for row in gateways.values():
        finished = row["attempts"] - row["open"]
        row["success_rate"] = row["succeeded"] / finished if finished else None
        row["received_text"] = [format_money(amount, c) for c, amount in sorted(row["received"].items())]
    return sorted(gateways.values(), key=lambda row: (-row["attempts"], row["gateway"]))


def open_tickets() -> int:
    """Tickets not yet resolved or closed."""
    done = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    return db.session.scalar(sa.select(sa.func.count(Ticket.id)).where(Ticket.status.not_in(done))) or 0


def failed_jobs() -> int | None:
    """Jobs in every queue's failed registry; ``None`` when Redis cannot be reached."""
    try:
        return sum(get_queue(name).failed_job_registry.count for name in current_app.config["RQ_QUEUES"])
    except RedisError:
        return None


def figures(now: datetime | None = None) -> dict[str, Any]:
    today, utc_today = shop_today(now), (now or utcnow()).astimezone(UTC).date()
    week_start = today - timedelta(days=today.weekday())
    return {
        "today": period(shop_midnight(today)),
        "week": period(shop_midnight(week_start)),
        "sales": sales_series(today),
        "low_stock": low_stock(),
        "low_stock_threshold": current_app.config["CATALOG_LOW_STOCK_THRESHOLD"],
        "failed_jobs": failed_jobs(),
        "open_tickets": open_tickets(),
        "payments": payments_by_gateway(DateRange(utc_today - timedelta(days=SALES_DAYS - 1), utc_today)),
        "payments_refresh_minutes": max(current_app.config["ANALYTICS_CACHE_SECONDS"] // 60, 1),
        "timezone": current_app.config["SHOP_TIMEZONE"],
    }
