"""Currency conversion with stored exchange rates, its rounding, and ``flask rates load``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.money import Money
from app.payments.services import currency_service

JAN = datetime(2026, 1, 1, tzinfo=UTC)
JUN = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def rates():
    currency_service.load_rates(
        [
            {"base": "USD", "quote": "NGN", "rate": "1500.25", "as_of": "2026-01-01"},
            {"base": "USD", "quote": "NGN", "rate": "1600", "as_of": "2026-06-01T00:00:00+00:00"},
            {"base": "USD", "quote": "UGX", "rate": "3700.5", "as_of": "2026-01-01"},
            {"base": "KWD", "quote": "USD", "rate": "3.2567", "as_of": "2026-01-01"},
        ]
    )


def test_conversion_uses_the_latest_rate_at_the_time(rates):
    assert currency_service.convert(Money(1_00, "USD"), "NGN", at=datetime(2026, 3, 1, tzinfo=UTC)) == Money(
        1500_25, "NGN"
    )
    assert currency_service.convert(Money(1_00, "USD"), "NGN") == Money(1600_00, "NGN")


def test_exponents_of_both_currencies_are_respected(rates):
    assert currency_service.convert(Money(10_00, "USD"), "UGX") == Money(37_005, "UGX")  # UGX has no decimals
    assert currency_service.convert(Money(1_000, "KWD"), "USD") == Money(3_26, "USD")  # 3.2567 → 3.26


def test_rounding_is_half_up_to_the_target_minor_unit(rates):
    # 0.01 USD x 3700.5 = 37.005 UGX, whose minor unit is 1 shilling: 37.
    assert currency_service.convert(Money(1, "USD"), "UGX") == Money(37, "UGX")
    currency_service.load_rates([{"base": "USD", "quote": "GHS", "rate": "0.5", "as_of": "2026-01-01"}])
    assert currency_service.convert(Money(1, "USD"), "GHS") == Money(1, "GHS")  # 0.005 → 0.01, half up
    assert currency_service.convert(Money(3, "USD"), "GHS") == Money(2, "GHS")  # 0.015 → 0.02


def test_a_rate_also_converts_the_other_way(rates):
    assert currency_service.rate("NGN", "USD", at=JUN) == Decimal(1) / Decimal(1600)
    assert currency_service.convert(Money(1600_00, "NGN"), "USD") == Money(1_00, "USD")


def test_same_currency_and_missing_rates(rates):
    assert currency_service.convert(Money(5, "NGN"), "NGN") == Money(5, "NGN")
    with pytest.raises(NotFoundError):
        currency_service.convert(Money(5, "NGN"), "KES")
    with pytest.raises(NotFoundError):
        currency_service.convert(Money(1_00, "USD"), "NGN", at=datetime(2025, 1, 1, tzinfo=UTC))


def test_loading_again_updates_instead_of_duplicating(rates):
    currency_service.load_rates([{"base": "USD", "quote": "NGN", "rate": "1550", "as_of": "2026-01-01"}])
    assert currency_service.rate("USD", "NGN", at=JAN) == Decimal("1550")


@pytest.mark.parametrize(
    "row",
    [
        {"base": "USD", "quote": "NGN", "rate": "-1", "as_of": "2026-01-01"},
        {"base": "USD", "quote": "ZZZ", "rate": "1", "as_of": "2026-01-01"},
        {"base": "USD", "quote": "NGN", "rate": "abc", "as_of": "2026-01-01"},
        {"base": "USD", "quote": "NGN", "rate": "1", "as_of": "yesterday"},
        {"base": "USD", "quote": "NGN", "rate": "1"},
    ],
)
def test_a_bad_row_loads_nothing(row):
    good = {"base": "USD", "quote": "KES", "rate": "129", "as_of": "2026-01-01"}
    with pytest.raises(ValidationError):
        currency_service.load_rates([good, row])
    with pytest.raises(NotFoundError):
        currency_service.rate("USD", "KES")


def test_flask_rates_load(app, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("base,quote,rate,as_of\nUSD,NGN,1500.25,2026-01-01\nEUR,NGN,1700,2026-01-01\n")
    result = app.test_cli_runner().invoke(args=["rates", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 exchange rates" in result.output
    assert currency_service.convert(Money(1_00, "EUR"), "NGN") == Money(1700_00, "NGN")
    path.write_text("base,quote,rate,as_of\nUSD,NGN,zero,2026-01-01\n")
    failed = app.test_cli_runner().invoke(args=["rates", "load", str(path)])
    assert failed.exit_code != 0
    assert "Line 2" in failed.output
