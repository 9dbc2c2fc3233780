"""Order arithmetic: subtotal, discount, shipping, VAT and total, in integer minor units.

VAT rates are per country in config (basis points: 750 = 7.5 %). Prices are stated
tax-inclusive (the VAT is the part of the total it already contains) or tax-exclusive
(VAT is added on top), by ``PRICES_INCLUDE_TAX``. VAT applies to goods after discount
and to shipping, and is rounded half-up to the minor unit once, on the whole order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

BASIS_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: int
    discount: int
    shipping: int
    tax: int
    tax_rate_bp: int
    prices_include_tax: bool

    @property
    def total(self) -> int:
        taxable = self.subtotal - self.discount + self.shipping
        return taxable if self.prices_include_tax else taxable + self.tax


def vat_rate_bp(country: str) -> int:
    return current_app.config["VAT_RATES_BP"].get(country, 0)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def compute_totals(subtotal: int, discount: int, shipping: int, country: str) -> Totals:
    rate = vat_rate_bp(country)
    inclusive = current_app.config["PRICES_INCLUDE_TAX"]
    taxable = Decimal(subtotal - discount + shipping)
    if inclusive:
        tax = _round(taxable * rate / (BASIS_POINTS + rate))
    else:
        tax = _round(taxable * rate / BASIS_POINTS)
    return Totals(subtotal, discount, shipping, tax, rate, inclusive)
