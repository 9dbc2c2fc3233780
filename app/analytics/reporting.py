"""What every report shares: the response cache and conversion to the reporting currency."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from flask import current_app
from redis.exceptions import RedisError

from app.core.errors import NotFoundError
from app.core.models import utcnow
from app.core.money import Money
from app.extensions import cache
from app.payments.services import currency_service

T = TypeVar("T")
log = logging.getLogger(__name__)
KEY_PREFIX = "analytics:"


def cached(report: str, compute: Callable[[], T], **params: Any) -> T:
    """``compute()``'s result, kept ``ANALYTICS_CACHE_SECONDS`` under a key naming every parameter.

    Reports are aggregates over many rows and staff reload them often; a few minutes' delay
    is the price of not re-running them on every click.
    """
    key = KEY_PREFIX + report + "?" + "&".join(f"{name}={params[name]}" for name in sorted(params))
    try:
        hit = cache.get(key)
    except (RedisError, OSError) as exc:  # a report is still worth serving without its cache
        log.warning("Analytics cache unavailable, computing %s: %r", report, exc)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=current_app.config["ANALYTICS_CACHE_SECONDS"])
    except (RedisError, OSError) as exc:
        log.warning("Analytics cache unavailable, %s not kept: %r", report, exc)
    return value


def reporting_currency(requested: str | None) -> str:
    return requested or current_app.config["REPORTING_CURRENCY"]


class Converter:
    """Converts to ``to`` at the rates of ``at`` (capped at now), each rate looked up once:
    a report converts many amounts in a handful of currencies."""

    def __init__(self, to: str, at: datetime) -> None:
        self.to = to
        self.at = min(at, utcnow())
        self._rates: dict[str, Decimal | None] = {}

    def total(self, amounts: Iterable[Money]) -> Money | None:
        """The sum of ``amounts`` in ``to``; ``None`` when a currency has no rate, so a report
        shows the gap instead of failing."""
        total = 0
        for money in amounts:
            value = self._rate(money.currency)
            if value is None:
                return None
            total += currency_service.apply_rate(money, self.to, value).amount
        return Money(total, self.to)

    def _rate(self, currency: str) -> Decimal | None:
        if currency not in self._rates:
            try:
                self._rates[currency] = currency_service.rate(currency, self.to, self.at)
            except NotFoundError:
                self._rates[currency] = None
        return self._rates[currency]


def divide(amount: int, count: int) -> int:
    """``amount / count`` rounded half-up to a whole minor unit (an average order value)."""
    return int((Decimal(amount) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP)) if count else 0
