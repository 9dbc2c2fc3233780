"""Money as integer minor units plus an ISO 4217 code: the one module that knows exponents.

Exponents come from CLDR via Babel (NGN 2, UGX 0, KWD 3, JPY 0), so a shop never stores
a float and never guesses where the decimal point goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pycountry
from babel.numbers import format_currency, get_currency_precision


def is_known_currency(code: str) -> bool:
    """True for an active ISO 4217 alphabetic code such as ``NGN``."""
    return len(code) == 3 and code.isupper() and pycountry.currencies.get(alpha_3=code) is not None


def exponent(currency: str) -> int:
    """Digits after the decimal point for ``currency`` (2 for NGN, 0 for UGX, 3 for KWD)."""
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount is an integer of minor units")
        if not is_known_currency(self.currency):
            raise ValueError(f"Unknown currency {self.currency!r}")

    @classmethod
    def from_major(cls, value: Decimal | str | int, currency: str) -> Money:
        """Build from a major-unit amount ("125.50" NGN → 12550); rejects extra precision."""
        scaled = Decimal(value).scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    def to_major(self) -> Decimal:
        """The amount in major units, exactly (12550 NGN → Decimal("125.50"))."""
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def format(self, locale: str = "en") -> str:
        """Human formatting in ``locale`` (₦12,500.00, UGX 45,000, KWD 1.250)."""
        return format_currency(self.to_major(), self.currency, locale=locale)

    def to_dict(self) -> dict[str, int | str]:
        return {"amount": self.amount, "currency": self.currency}
