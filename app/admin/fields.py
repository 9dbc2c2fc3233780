"""Form fields for money: operators type major units ("NGN 12,500.00"), services get minor units.

One amount per currency, comma- or line-separated. Each currency's own exponent decides
the decimals (KWD 1.250 is three, UGX none), and extra precision is refused rather than
rounded, as in the API.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from wtforms import StringField, ValidationError

from app.core.money import Money, is_known_currency

_ITEM = re.compile(r"^([A-Za-z]{3})\s+([0-9][0-9,]*(?:\.[0-9]+)?)$")


def parse_amounts(text: str) -> dict[str, int]:
    """``"NGN 12,500.00, UGX 45000"`` → ``{"NGN": 1250000, "UGX": 45000}``; ``ValueError`` if malformed."""
    amounts: dict[str, int] = {}
    for raw in re.split(r"[;\n]|,\s+(?=[A-Za-z])", text or ""):
        item = raw.strip()
        if not item:
            continue
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"{item!r} is not like 'NGN 12500.00'")
        currency, number = match[1].upper(), match[2].replace(",", "")
        if not is_known_currency(currency):
            raise ValueError(f"{currency} is not an ISO 4217 currency")
        if currency in amounts:
            raise ValueError(f"{currency} appears twice")
        try:
            amounts[currency] = Money.from_major(Decimal(number), currency).amount
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(str(exc)) from exc
    return amounts


def show_amounts(amounts: dict[str, int]) -> str:
    """The inverse of ``parse_amounts``: what the field shows for stored minor units."""
    return ", ".join(
        f"{currency} {Money(amount, currency).to_major()}" for currency, amount in sorted(amounts.items())
    )


class AmountsField(StringField):
    """A ``{currency: minor units}`` mapping edited as text; ``data`` is the mapping."""

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return show_amounts(self.data or {})

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_amounts(valuelist[0])
        except ValueError as exc:
            self.data = {}
            raise ValidationError(str(exc)) from exc


class ListField(StringField):
    """A list of short strings (countries, regions, cities) edited as comma-separated text."""

    def __init__(self, *args: Any, upper: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upper = upper

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            items = [item.strip() for item in valuelist[0].split(",") if item.strip()]
            self.data = [item.upper() for item in items] if self.upper else items
