"""Promotion arithmetic and the price book's notion of "running now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.products.pricing import BookedPromotion, Offer, PriceBook

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def promotion(id=1, kind="percentage", percent_off=10, amounts_off=None, products=(), paths=(), **window):
    return BookedPromotion(
        id=id,
        name=f"Promotion {id}",
        kind=kind,
        percent_off=percent_off if kind == "percentage" else None,
        amounts_off=amounts_off or {},
        starts_at=window.get("starts_at", NOW - timedelta(days=1)),
        ends_at=window.get("ends_at"),
        product_ids=frozenset(products),
        category_paths=tuple(paths),
    )


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [(10_000, 10, 9_000), (999, 15, 850), (1, 50, 1), (45_000, 100, 0)],
)
def test_percentage_discounts_round_in_the_shops_favour(amount, percent, expected):
    assert promotion(percent_off=percent).discounted(amount, "NGN") == expected


def test_fixed_discounts_apply_only_in_their_currencies_and_never_below_zero():
    fixed = promotion(kind="fixed", amounts_off={"NGN": 50_000, "UGX": 5_000})
    assert fixed.discounted(120_000, "NGN") == 70_000
    assert fixed.discounted(3_000, "UGX") == 0
    assert fixed.discounted(120_000, "KES") == 120_000


def test_the_best_running_promotion_wins_and_does_not_stack():
    book = PriceBook(
        (
            promotion(1, percent_off=10, products=[7]),
            promotion(2, percent_off=30, paths=["/1/"]),
            promotion(3, percent_off=50, products=[7], starts_at=NOW + timedelta(hours=1)),
        )
    )
    in_category = book.offer(10_000, "NGN", 7, "/1/4/", NOW)
    assert in_category == Offer(7_000, "NGN", compare_at=10_000, promotion_id=2)
    assert book.offer(10_000, "NGN", 7, None, NOW) == Offer(9_000, "NGN", compare_at=10_000, promotion_id=1)
    assert book.offer(10_000, "NGN", 8, "/10/", NOW) == Offer(10_000, "NGN")  # /10/ is not under /1/


def test_running_promotions_follow_the_clock():
    book = PriceBook(
        (
            promotion(1, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)),
            promotion(2, starts_at=NOW + timedelta(minutes=30)),
        )
    )
    assert book.active_ids(NOW) == "1"
    assert book.active_ids(NOW + timedelta(minutes=30)) == "1.2"
    assert book.active_ids(NOW + timedelta(hours=1)) == "2"  # ends_at is exclusive
    assert PriceBook(()).active_ids(NOW) == "none"
