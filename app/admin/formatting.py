"""How the console shows values: money in its currency, times in the shop's time zone.

Kept apart from the views so every list, detail page and dashboard card formats the same
way, and so the rules are testable without rendering a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_symbol
from flask import current_app

from app.core.money import Money, is_known_currency


def shop_zone() -> ZoneInfo:
    """The shop's time zone (``SHOP_TIMEZONE``); validated when the console starts."""
    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def local_time(value: datetime | None) -> datetime | None:
    """A stored UTC time as the shop's wall-clock time (naive values are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(shop_zone())


def format_time(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return value.isoformat()
    return local_time(value).strftime("%Y-%m-%d %H:%M %Z")


@lru_cache(maxsize=64)
def _display_locale(currency: str) -> str:
    """English as written where the currency is at home (en_NG writes ₦, en_UG USh), else en."""
    candidate = f"en_{currency[:2]}"
    try:
        Locale.parse(candidate)
    except (UnknownLocaleError, ValueError):
        return "en"
    return candidate


def format_money(amount: int | None, currency: str | None) -> str:
    """``1250000, "NGN"`` → ``₦12,500.00``, ``45000 UGX`` → ``USh 45,000``, ``1250 KWD`` → ``KWD 1.250``.

    A lettered symbol gets a space before the number, as operators write it; data that is
    not money is shown raw rather than hidden.
    """
    if amount is None:
        return ""
    if not currency or not is_known_currency(currency):
        return f"{amount} {currency or ''}".strip()
    locale = _display_locale(currency)
    text = Money(int(amount), currency).format(locale)
    symbol = get_currency_symbol(currency, locale)
    sign, rest = ("-", text[1:]) if text.startswith("-") else ("", text)
    if (
        symbol.replace(" ", "").isalpha()
        and rest.startswith(symbol)
        and not rest[len(symbol) :].startswith(" ")
    ):
        rest = f"{symbol} {rest[len(symbol) :]}"
    return sign + rest


def format_amounts(amounts: dict[str, int] | None) -> str:
    """A per-currency mapping (coupon and promotion amounts) as ``₦500.00, USh 2,000``."""
    return ", ".join(format_money(amount, currency) for currency, amount in sorted((amounts or {}).items()))


def money_column(amount_field: str, currency_field: str = "currency") -> Callable[..., str]:
    """A Flask-Admin column formatter for an amount whose currency is another column."""

    def formatter(_view: Any, _context: Any, model: Any, _name: str) -> str:
        return format_money(getattr(model, amount_field), getattr(model, currency_field))

    return formatter


def time_column(_view: Any, value: datetime, _name: str) -> str:
    """Flask-Admin type formatter: every datetime column in the shop's time zone."""
    return format_time(value)


def amounts_column(field: str) -> Callable[..., str]:
    def formatter(_view: Any, _context: Any, model: Any, _name: str) -> str:
        return format_amounts(getattr(model, field))

    return formatter
