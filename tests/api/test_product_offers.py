"""Product lists read ``product_offers``: every catalog write keeps it exact at once."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.products import offers
from app.products.models import ProductOffer, ProductOfferCount, VariantPrice
from tests.factories import CategoryFactory, ProductFactory, VariantFactory


def listed(client, query: str = "") -> list[tuple[str, int]]:
    response = client.get(f"/api/products/?sort=price&fields=slug,price{query}")
    assert response.status_code == 200, response.json
    total = response.headers["X-Pagination"]
    slugs = [(card["slug"], card["price"]["amount"]) for card in response.json]
    assert f'"total": {len(slugs)}' in total  # the count and the page agree
    return slugs


def offered() -> set[tuple[int, str, int, int]]:
    """Every row of the read model: (product, currency, price, category key)."""
    db.session.expire_all()
    return set(db.session.execute(sa.select(*ProductOffer.__table__.c)))


def rows() -> set[tuple[int, str, int]]:
    return {(product, currency, price) for product, currency, price, _ in offered()}


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


def test_the_lowest_active_price_per_currency_is_listed(client):
    cheap = VariantFactory(prices={"NGN": 500_000, "KES": 9_000})
    VariantFactory(product=cheap.product, prices={"NGN": 300_000})
    VariantFactory(product=cheap.product, prices={"NGN": 100_000}, is_active=False)
    other = VariantFactory(prices={"NGN": 400_000})
    assert listed(client) == [(cheap.product.slug, 300_000), (other.product.slug, 400_000)]
    assert listed(client, "&currency=KES") == [(cheap.product.slug, 9_000)]
    assert listed(client, "&currency=USD") == []


def test_price_changes_through_the_api_move_the_product_at_once(client, staff_headers):
    first = VariantFactory(prices={"NGN": 100_000})
    second = VariantFactory(prices={"NGN": 200_000})
    body = {"prices": [{"currency": "NGN", "amount": 50_000}, {"currency": "GHS", "amount": 700}]}
    assert client.patch(f"/api/variants/{second.id}/", json=body, headers=staff_headers).status_code == 200
    assert listed(client) == [(second.product.slug, 50_000), (first.product.slug, 100_000)]
    assert listed(client, "&currency=GHS") == [(second.product.slug, 700)]


def test_deactivating_deleting_or_unpricing_removes_the_offer(client, staff_headers):
    hidden, deleted, unpriced, kept = (VariantFactory(prices={"NGN": n * 1000}) for n in (1, 2, 3, 4))
    patch = client.patch(
        f"/api/products/{hidden.product.slug}/", json={"is_active": False}, headers=staff_headers
    )
    assert patch.status_code == 200
    assert client.delete(f"/api/variants/{deleted.id}/", headers=staff_headers).status_code == 204
    db.session.execute(sa.delete(VariantPrice).where(VariantPrice.variant_id == unpriced.id))
    db.session.commit()  # a Core delete bypasses the listener: the next refresh repairs it
    offers.refresh(db.session.connection(), [unpriced.product_id])
    db.session.commit()
    assert listed(client) == [(kept.product.slug, 4000)]
    patch = client.patch(
        f"/api/products/{hidden.product.slug}/", json={"is_active": True}, headers=staff_headers
    )
    assert patch.status_code == 200
    assert listed(client) == [(hidden.product.slug, 1000), (kept.product.slug, 4000)]


def test_a_variant_moved_to_another_product_re_offers_both(client):
    variant = VariantFactory(prices={"NGN": 1000})
    old = variant.product
    new = ProductFactory()
    variant.product = new
    db.session.commit()
    assert (old.id, "NGN", 1000) not in rows()
    assert (new.id, "NGN", 1000) in rows()


def test_a_rolled_back_write_leaves_the_offers_as_they_were(client):
    variant = VariantFactory(prices={"NGN": 1000})
    before = rows()
    variant.prices[0].amount = 1
    db.session.flush()
    assert rows() == {(variant.product_id, "NGN", 1)}  # already true inside the transaction
    db.session.rollback()
    assert rows() == before


def test_a_full_rebuild_matches_what_the_listener_kept(client):
    for n in range(5):
        VariantFactory(prices={"NGN": 1000 + n, "KES": 10 + n})
    kept = rows()
    db.session.execute(sa.delete(ProductOffer))
    offers.rebuild(db.session.connection())
    db.session.commit()
    assert rows() == kept


def test_stock_moves_do_not_touch_the_offers_but_in_stock_is_current(client):
    variant = VariantFactory(prices={"NGN": 1000}, stock_on_hand=1)
    card = client.get("/api/products/?fields=slug,in_stock").json[0]
    assert card["in_stock"] is True
    variant.stock_on_hand = 0
    db.session.commit()
    assert client.get("/api/products/?fields=slug,in_stock").json[0]["in_stock"] is False
    assert client.get("/api/products/?in_stock=true").json == []
    assert [c["slug"] for c in client.get("/api/products/?in_stock=false").json] == [variant.product.slug]


def kept_counts() -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        sa.select(ProductOfferCount.currency, ProductOfferCount.category_key, ProductOfferCount.products)
    )
    return {(currency, key): n for currency, key, n in rows if n}


def test_counts_follow_a_random_run_of_catalog_writes(client):
    """Whatever the writes, the kept counts equal a recount and the offers a rebuild."""
    rng = random.Random(8)
    categories = [CategoryFactory() for _ in range(3)]
    variants = []
    for step in range(60):
        action = rng.choice(["add", "add", "price", "deactivate", "move", "drop", "product", "delete"])
        if action == "add" or not variants:
            parent = rng.choice(variants).product if variants and rng.random() < 0.3 else None
            extra = {"product": parent} if parent else {"product__category": rng.choice([*categories, None])}
            prices = {
                c: rng.randint(1, 9) * 1000 for c in rng.sample(["NGN", "KES", "GHS"], rng.randint(1, 3))
            }
            variants.append(VariantFactory(prices=prices, **extra))
        else:
            variant = rng.choice(variants)
            if action == "price":
                variant.prices[0].amount = rng.randint(1, 9) * 1000
            elif action == "deactivate":
                variant.is_active = not variant.is_active
            elif action == "move":
                variant.product.category = rng.choice([*categories, None])
            elif action == "product":
                variant.product.is_active = not variant.product.is_active
            elif action == "delete":
                product = variant.product
                variants = [v for v in variants if v.product_id != product.id]
                db.session.delete(product)
            else:
                variants.remove(variant)
                db.session.delete(variant)
            db.session.commit()
        if step % 10 == 9:
            kept, read_model = kept_counts(), offered()
            db.session.execute(sa.delete(ProductOffer))
            offers.rebuild(db.session.connection())
            assert read_model == offered(), f"after step {step}"
            assert kept == kept_counts(), f"after step {step}"
            db.session.rollback()
    for currency in ("NGN", "KES", "GHS"):
        for category in [*categories, None]:
            query = f"&currency={currency}" + (f"&category={category.slug}" if category else "")
            listed(client, query)  # the kept total equals the page's length (asserted inside)


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_a_category_sorted_by_price_pages_through_its_subtree_in_a_total_order(client, sort):
    """Such a page is picked from the offers alone, then joined: it must agree with the
    whole list, ties broken by newest id, the subtree in and other categories out."""
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    elsewhere = CategoryFactory()
    amounts = [3000, 1000, 2000, 1000, 5000, 2000, 4000]
    inside = [
        VariantFactory(prices={"NGN": amount}, product__category=(parent, child)[i % 2])
        for i, amount in enumerate(amounts)
    ]
    VariantFactory(prices={"NGN": 1500}, product__category=elsewhere)
    VariantFactory(prices={"NGN": 2500}, product__category=None)
    sold_out = inside[3]
    sold_out.stock_on_hand = 0
    db.session.commit()

    def expected(variants):
        ordered = sorted(variants, key=lambda v: -v.product_id)  # the tie-break first
        ordered.sort(key=lambda v: v.prices[0].amount, reverse=sort == "-price")
        return [(v.product.slug, v.prices[0].amount) for v in ordered]

    base = f"/api/products/?category={parent.slug}&sort={sort}&fields=slug,price"
    pages = [client.get(f"{base}&page_size=3&page={page}") for page in (1, 2, 3)]
    assert all(page.status_code == 200 for page in pages)
    assert [(c["slug"], c["price"]["amount"]) for page in pages for c in page.json] == expected(inside)
    assert '"total": 7' in pages[0].headers["X-Pagination"]
    stocked = client.get(f"{base}&in_stock=true")
    assert [(c["slug"], c["price"]["amount"]) for c in stocked.json] == expected(
        [v for v in inside if v is not sold_out]
    )


def test_search_follows_a_renamed_product(client):
    """On PostgreSQL the searched document is kept by the database from the name and the
    description; a rename must be found by its new words, and no more by the old."""
    variant = VariantFactory(product__name="Baobab Honey", product__description="Raw and golden.")
    assert [c["slug"] for c in client.get("/api/products/?q=baobab").json] == [variant.product.slug]
    variant.product.name = "Acacia Honey"
    db.session.commit()
    assert client.get("/api/products/?q=baobab").json == []
    assert [c["slug"] for c in client.get("/api/products/?q=acacia").json] == [variant.product.slug]
    assert [c["slug"] for c in client.get("/api/products/?q=golden").json] == [variant.product.slug]
