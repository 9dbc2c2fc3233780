"""What every report shares: the response cache and conversion to the reporting currency."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from flask import current_app

from app.core.errors import NotFoundError
from app.core.models import utcnow
from app.core.money import Money
from app.extensions import cache
from app.payments.services import currency_service

T = TypeVar("T")
KEY_PREFIX = "analytics:"


def cached(report: str, compute: Callable[[], T], **params: Any) -> T:
    """``compute()``'s result, kept ``ANALYTICS_CACHE_SECONDS`` under a key naming every parameter.

    Reports are aggregates over many rows and staff reload them often; a few minutes' delay
    is the price of not re-running them on every click.
    """
    key = KEY_PREFIX + report + "?" + "&".join(f"{name}={params[name]}" for name in sorted(params))
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(key, value, timeout=current_app.config["ANALYTICS_CACHE_SECONDS"])
    return value


def reporting_currency(requested: str | None) -> str:
    return requested or current_app.config["REPORTING_CURRENCY"]


def convert_total(amounts: Iterable[Money], to: str, at: datetime) -> Money | None:
    """The sum of ``amounts`` in ``to`` at the rates of ``at`` (capped at now); ``None``
    when a currency has no rate, so a report shows the gap instead of failing."""
    at = min(at, utcnow())
    total = 0
    for money in amounts:
        try:
            total += currency_service.convert(money, to, at).amount
        except NotFoundError:
            return None
    return Money(total, to)


def divide(amount: int, count: int) -> int:
    """``amount / count`` rounded half-up to a whole minor unit (an average order value)."""
    return int((Decimal(amount) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if count else 0
