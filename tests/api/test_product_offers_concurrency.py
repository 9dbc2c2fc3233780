"""Races on PostgreSQL: staff writing the same product, or products of the same category,
at the same moment; every write lands and the read model and its counts stay exact."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.products import offers
from app.products.models import ProductOffer, ProductOfferCount
from tests.api.test_reviews_concurrency import race
from tests.conftest import bearer, login
from tests.factories import CategoryFactory, VariantFactory

pytestmark = pytest.mark.usefixtures("postgres")


def snapshot() -> tuple[set, set]:
    db.session.expire_all()
    rows = set(db.session.execute(sa.select(*ProductOffer.__table__.c)))
    counts = {row for row in db.session.execute(sa.select(*ProductOfferCount.__table__.c)) if row[2]}
    return rows, counts


def test_simultaneous_price_changes_keep_offers_and_counts_exact(app, client, staff):
    headers = bearer(login(client, staff.email)["access"])
    category = CategoryFactory()
    same_product = VariantFactory(product__category=category, prices={"NGN": 5000})
    siblings = [VariantFactory(product=same_product.product, prices={"NGN": 6000}) for _ in range(3)]
    others = [VariantFactory(product__category=category, prices={"NGN": 7000}) for _ in range(4)]
    requests = [
        ("PATCH", f"/api/variants/{variant.id}/", headers, {"prices": [{"currency": c, "amount": 1000 + i}]})
        for i, variant in enumerate([same_product, *siblings, *others])
        for c in ("KES",)
    ]
    assert Counter(race(app, requests)) == {200: len(requests)}
    kept = snapshot()
    db.session.execute(sa.delete(ProductOffer))
    offers.rebuild(db.session.connection())
    assert snapshot() == kept
    db.session.rollback()
    total = client.get(f"/api/products/?currency=KES&category={category.slug}").headers["X-Pagination"]
    assert '"total": 5' in total  # the shared product once, each other product once
