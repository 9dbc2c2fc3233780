"""Slugs, and which commits retire cached catalog views."""

from __future__ import annotations

import pytest

from app.extensions import cache, db
from app.products.models import Product
from app.products.slugs import slugify, unique_slug
from tests.factories import ProductFactory, TagFactory, VariantFactory


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ankara Print Maxi Dress", "ankara-print-maxi-dress"),
        ("Ọ̀yọ́ Crème Brûlée — 2 pack!", "oyo-creme-brulee-2-pack"),
        ("  --  ", "item"),
        ("x" * 300, "x" * 100),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_unique_slug_counts_up_past_taken_ones():
    ProductFactory(name="Kente", slug="kente")
    ProductFactory(name="Kente", slug="kente-2")
    ProductFactory(name="Kente cloth", slug="kente-cloth")
    assert unique_slug(Product.slug, "Kente!") == "kente-3"
    assert unique_slug(Product.slug, "Batik") == "batik"


def generations() -> dict[str, int]:
    names = ("products", "categories", "tags", "promotions", "collections")
    return {name: int(cache.get(f"catalog:gen:{name}") or 0) for name in names}


def test_each_write_bumps_only_its_domain():
    before = generations()
    TagFactory()
    after = generations()
    assert after["tags"] == before["tags"] + 1
    assert {k: v for k, v in after.items() if k != "tags"} == {k: v for k, v in before.items() if k != "tags"}


def test_invisible_changes_and_rollbacks_bump_nothing():
    variant = VariantFactory(stock_on_hand=50)
    before = generations()
    variant.product.sales_count += 3  # popularity moves with every sale; nobody sees the number
    variant.stock_on_hand = 40  # still "in stock"
    db.session.commit()
    variant.product.name = "Renamed, then rolled back"
    db.session.flush()
    db.session.rollback()
    assert generations() == before
    variant.stock_on_hand = 3  # now "low stock": customers see that
    db.session.commit()
    assert generations()["products"] == before["products"] + 1
