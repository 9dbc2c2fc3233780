"""Exchange rates and conversion between currencies, for display and reporting.

Exponents come from ``app.core.money`` (NGN 2, UGX 0, KWD 3). A rate says 1 ``base`` =
``rate`` ``quote`` in major units, as published at ``as_of``; conversions use the latest
rate published at or before the moment asked about, direct or inverted (a USD→NGN rate
also converts NGN to USD).

Rounding, documented once: the exact product ``amount * rate`` is computed in decimal,
then rounded **half-up to the target currency's minor unit** (1.005 USD → 1.01 USD;
0.5 UGX → 1 UGX). Conversions are for showing prices and for reports: a customer is always
charged in the order's own currency, never in a converted amount.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import sqlalchemy as sa

from app.core.errors import NotFoundError, ValidationError
from app.core.models import utcnow
from app.core.money import Money, exponent, is_known_currency
from app.extensions import db
from app.payments.models import ExchangeRate


def rate(base: str, quote: str, at: datetime | None = None) -> Decimal:
    """How many ``quote`` one ``base`` buys at ``at`` (default: now); 404 without a rate."""
    if base == quote:
        return Decimal(1)
    at = at or utcnow()
    direct = _latest(base, quote, at)
    if direct is not None:
        return direct
    inverse = _latest(quote, base, at)
    if inverse is not None:
        return Decimal(1) / inverse
    raise NotFoundError(f"No exchange rate from {base} to {quote}.", details={"base": base, "quote": quote})


def convert(money: Money, to: str, at: datetime | None = None) -> Money:
    """``money`` in ``to``, rounded half-up to ``to``'s minor unit."""
    if money.currency == to:
        return money
    return apply_rate(money, to, rate(money.currency, to, at))


def apply_rate(money: Money, to: str, value: Decimal) -> Money:
    """``money`` times a known rate into ``to``, rounded half-up: for reports that convert
    many amounts at one rate and look it up once."""
    major = money.to_major() * value
    minor = major.scaleb(exponent(to)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(minor), to)


def _latest(base: str, quote: str, at: datetime) -> Decimal | None:
    return db.session.scalar(
        sa.select(ExchangeRate.rate)
        .where(ExchangeRate.base == base, ExchangeRate.quote == quote, ExchangeRate.as_of <= at)
        .order_by(ExchangeRate.as_of.desc())
        .limit(1)
    )


def load_rates(rows: Iterable[Mapping[str, str]], source: str | None = None) -> int:
    """Store rates from ``base, quote, rate, as_of`` rows (a rerun updates them); returns how many.

    Every row is checked before anything is written: one bad line loads nothing.
    """
    parsed = [_row(number, row) for number, row in enumerate(rows, start=2)]
    for base, quote, value, as_of in parsed:
        existing = db.session.scalar(
            sa.select(ExchangeRate).where(
                ExchangeRate.base == base, ExchangeRate.quote == quote, ExchangeRate.as_of == as_of
            )
        )
        if existing is None:
            db.session.add(ExchangeRate(base=base, quote=quote, rate=value, as_of=as_of, source=source))
        else:
            existing.rate, existing.source = value, source
    db.session.commit()
    return len(parsed)


def load_csv(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return load_rates(csv.DictReader(handle), source=path.name)


def _row(line: int, row: Mapping[str, str]) -> tuple[str, str, Decimal, datetime]:
    try:
        base, quote = row["base"].strip().upper(), row["quote"].strip().upper()
        value = Decimal(row["rate"].strip())
        as_of = datetime.fromisoformat(row["as_of"].strip())
    except (KeyError, AttributeError, InvalidOperation, ValueError) as exc:
        raise ValidationError(f"Line {line}: expected base, quote, rate, as_of ({exc}).") from exc
    if not (is_known_currency(base) and is_known_currency(quote)) or base == quote:
        raise ValidationError(f"Line {line}: {base}/{quote} is not a pair of ISO 4217 currencies.")
    if not value.is_finite() or value <= 0:
        raise ValidationError(f"Line {line}: the rate must be a positive number.")
    return base, quote, value, as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
