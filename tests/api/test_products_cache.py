"""The catalog cache: hits, freshness after every kind of write, ETags, Redis outages,
stampedes, and a fixed number of SQL queries per list page."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import redis
from freezegun import freeze_time

from app.core.models import utcnow
from app.extensions import cache, db
from app.products import services
from tests.factories import (
    CategoryFactory,
    CollectionFactory,
    ProductFactory,
    PromotionFactory,
    TagFactory,
    VariantFactory,
)

LIST = "/api/products/"


@pytest.fixture
def dress():
    return VariantFactory(product__name="Ankara Dress", prices={"NGN": 1_000_000}, stock_on_hand=10)


def price_in(response, slug: str) -> int | None:
    body = response.json
    if isinstance(body, dict):  # one collection
        body = body["products"]
    elif body and "products" in body[0]:  # the collections list
        body = body[0]["products"]
    cards = body
    return next((card["price"]["amount"] for card in cards if card["slug"] == slug), None)


def cache_stats(client, staff, auth_headers) -> dict:
    return client.get("/api/catalog/cache/", headers=auth_headers(staff)).json


def test_the_second_request_is_served_from_the_cache(client, dress, count_queries, staff, auth_headers):
    first = client.get(LIST)
    with count_queries() as counter:
        second = client.get(LIST)
    assert counter.count == 0
    assert second.data == first.data
    assert second.headers["X-Pagination"] == first.headers["X-Pagination"]
    stats = cache_stats(client, staff, auth_headers)
    assert (stats["hits"], stats["misses"], stats["hit_rate"]) == (1, 1, 0.5)
    assert stats["available"] is True


def test_keys_include_the_whole_query(client, dress):
    VariantFactory(product__name="Kente Cloth", prices={"NGN": 2_000_000, "GHS": 50_000})
    assert len(client.get(LIST).json) == 2
    assert len(client.get(f"{LIST}?currency=GHS").json) == 1
    assert len(client.get(f"{LIST}?q=kente").json) == 1
    assert len(client.get(f"{LIST}?page_size=1").json) == 1
    assert [c["slug"] for c in client.get(f"{LIST}?sort=-price").json] == ["kente-cloth", "ankara-dress"]
    assert [c["slug"] for c in client.get(f"{LIST}?sort=price").json] == ["ankara-dress", "kente-cloth"]


def test_a_price_change_shows_on_the_very_next_get_everywhere(client, dress, staff, auth_headers):
    CollectionFactory(name="Featured", products=[dress.product])
    slug = dress.product.slug
    views = [LIST, f"{LIST}?q=dress", f"{LIST}?sort=price", "/api/collections/", "/api/collections/featured/"]
    for url in [*views, f"/api/products/{slug}/"]:
        client.get(url)  # warm every view
    response = client.patch(
        f"/api/variants/{dress.id}/",
        json={"prices": [{"currency": "NGN", "amount": 900_000}]},
        headers=auth_headers(staff),
    )
    assert response.status_code == 200
    for url in views:
        assert price_in(client.get(url), slug) == 900_000, url
    assert client.get(f"/api/products/{slug}/").json["price"]["amount"] == 900_000


def test_a_write_outside_http_also_invalidates(client, dress):
    """Invalidation hangs on the commit, not on the endpoint: services, CLI and jobs too."""
    slug = dress.product.slug
    assert price_in(client.get(LIST), slug) == 1_000_000
    services.update_variant(dress.id, {"prices": [{"currency": "NGN", "amount": 750_000}]})
    assert price_in(client.get(LIST), slug) == 750_000


def test_a_deactivated_product_disappears_at_once(client, dress, staff, auth_headers):
    slug = dress.product.slug
    CollectionFactory(name="Featured", products=[dress.product])
    assert client.get(f"/api/products/{slug}/").status_code == 200
    assert price_in(client.get(LIST), slug) is not None
    assert price_in(client.get("/api/collections/featured/"), slug) is not None
    client.patch(f"/api/products/{slug}/", json={"is_active": False}, headers=auth_headers(staff))
    assert client.get(f"/api/products/{slug}/").status_code == 404
    assert price_in(client.get(LIST), slug) is None
    assert price_in(client.get("/api/collections/featured/"), slug) is None


def test_stock_status_changes_show_but_stock_moves_do_not_empty_the_cache(client, dress):
    slug = dress.product.slug
    assert client.get(f"{LIST}?in_stock=true").json
    dress.stock_on_hand = 9  # still in stock: nothing a customer sees changes
    db.session.commit()
    generation = cache.get("catalog:gen:products")
    dress.stock_on_hand = 0
    db.session.commit()
    assert cache.get("catalog:gen:products") == (generation or 0) + 1
    assert client.get(f"{LIST}?in_stock=true").json == []
    assert client.get(f"/api/products/{slug}/").json["variants"][0]["stock_status"] == "out_of_stock"


def test_category_tag_and_promotion_writes_invalidate(client, dress, staff, auth_headers):
    headers = auth_headers(staff)
    assert client.get("/api/categories/").json == []
    assert client.get("/api/tags/").json == []
    assert client.get("/api/promotions/").json == []
    client.post("/api/categories/", json={"name": "Fashion"}, headers=headers)
    client.post("/api/tags/", json={"name": "New"}, headers=headers)
    client.patch(f"/api/products/{dress.product.slug}/", json={"category": "fashion"}, headers=headers)
    assert [c["slug"] for c in client.get("/api/categories/").json] == ["fashion"]
    assert [t["slug"] for t in client.get("/api/tags/").json] == ["new"]
    assert client.get(f"{LIST}?category=fashion").json[0]["category"]["name"] == "Fashion"
    client.patch("/api/categories/fashion/", json={"name": "Style"}, headers=headers)
    assert client.get(LIST).json[0]["category"]["name"] == "Style"
    client.post(
        "/api/promotions/",
        json={
            "name": "Sale",
            "kind": "percentage",
            "percent_off": 50,
            "starts_at": (utcnow() - timedelta(minutes=1)).isoformat(),
            "categories": ["fashion"],
        },
        headers=headers,
    )
    assert client.get(LIST).json[0]["price"]["amount"] == 500_000
    assert [p["name"] for p in client.get("/api/promotions/").json] == ["Sale"]


def test_a_promotion_starts_and_ends_without_any_write(client, dress):
    start = utcnow() + timedelta(hours=1)
    PromotionFactory(
        percent_off=20, products=[dress.product], starts_at=start, ends_at=start + timedelta(hours=1)
    )
    slug = dress.product.slug
    assert price_in(client.get(LIST), slug) == 1_000_000
    with freeze_time(start + timedelta(minutes=1)):
        assert price_in(client.get(LIST), slug) == 800_000
        assert client.get(f"/api/products/{slug}/").json["compare_at"]["amount"] == 1_000_000
    with freeze_time(start + timedelta(hours=2)):
        assert price_in(client.get(LIST), slug) == 1_000_000


def test_etag_and_cache_control_and_304(client, dress, staff, auth_headers):
    first = client.get(LIST)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=30"
    not_modified = client.get(LIST, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    client.patch(f"/api/variants/{dress.id}/", json={"stock_on_hand": 0}, headers=auth_headers(staff))
    changed = client.get(LIST, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    for url in ("/api/categories/", "/api/tags/", "/api/promotions/", "/api/collections/"):
        assert client.get(url).headers["Cache-Control"].startswith("public"), url


def test_staff_responses_are_never_cached(client, dress, staff, auth_headers):
    headers = auth_headers(staff)
    response = client.get(f"/api/products/{dress.product.slug}/", headers=headers)
    assert response.json["variants"][0]["stock_on_hand"] == 10
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    public = client.get(f"/api/products/{dress.product.slug}/")
    assert "stock_on_hand" not in public.json["variants"][0]
    assert cache_stats(client, staff, auth_headers)["misses"] == 1  # only the public request


def test_errors_are_not_cached(client, staff, auth_headers):
    assert client.get("/api/products/nope/").status_code == 404
    VariantFactory(product__name="Nope")
    assert client.get("/api/products/nope/").status_code == 200


def test_the_cache_can_be_switched_off(app, client, dress, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "CATALOG_CACHE_ENABLED", False)
    client.get(LIST)
    with count_queries() as counter:
        response = client.get(LIST)
    assert counter.count > 0
    assert response.headers["ETag"]


def test_redis_unreachable_serves_from_the_database(app, client, dress, monkeypatch, caplog):
    """The cache's Redis refuses connections: 200s from the database, a warning, never a 500."""
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(cache.cache, "_read_client", unreachable)
    monkeypatch.setattr(cache.cache, "_write_client", unreachable)
    monkeypatch.delitem(app.extensions, "catalog_cache_health", raising=False)  # a fresh breaker
    slug = dress.product.slug
    with caplog.at_level(logging.WARNING, logger="app.products.cache"):
        first = client.get(LIST)
    assert first.status_code == 200
    assert price_in(first, slug) == 1_000_000
    assert "Catalog cache unavailable" in caplog.text
    services.update_variant(dress.id, {"prices": [{"currency": "NGN", "amount": 400_000}]})
    assert price_in(client.get(LIST), slug) == 400_000
    detail = client.get(f"/api/products/{slug}/")
    assert (detail.status_code, detail.headers["Cache-Control"]) == (200, "public, max-age=30")
    for url in ("/api/categories/", "/api/tags/", "/api/promotions/", "/api/collections/"):
        assert client.get(url).status_code == 200, url


def test_a_stampede_on_a_cold_key_computes_it_once(app, dress, count_queries, monkeypatch):
    """Eight concurrent misses of one key: one request computes, the others wait for it."""
    if db.engine.dialect.name == "sqlite":
        pytest.skip("in-memory SQLite shares one connection between threads")
    # Generous limits so a loaded CI machine cannot turn waiting into recomputing.
    monkeypatch.setitem(app.config, "CATALOG_CACHE_WAIT_SECONDS", 30)
    monkeypatch.setitem(app.config, "CATALOG_CACHE_LOCK_SECONDS", 60)
    barrier = threading.Barrier(8)
    statuses = []

    def get() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get(f"{LIST}?q=dress").status_code)

    with count_queries() as counter:
        threads = [threading.Thread(target=get) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 8
    assert sum("count(" in statement.lower() for statement in counter.statements) == 1


@pytest.mark.parametrize("size", [5, 100])
def test_a_list_page_costs_the_same_few_queries_whatever_its_size(
    app, client, size, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "CATALOG_CACHE_ENABLED", False)  # count the database work
    category = CategoryFactory(name="Phones")
    tags = [TagFactory(), TagFactory()]
    for index in range(size):
        product = ProductFactory(category=category, tags=tags)
        VariantFactory(product=product, prices={"NGN": 1000 + index, "KES": 10})
        VariantFactory(product=product, prices={"NGN": 2000 + index})
    PromotionFactory(categories=[category])
    with count_queries() as counter:
        response = client.get(f"{LIST}?page_size=100&sort=price")
    assert len(response.json) == size
    assert response.json[0]["compare_at"] is not None
    # the kept total, the page, then its first images, stock and tags in one, and the price
    # book (a promotion has just started, so the one the process held is stale)
    assert counter.count == 4, counter.statements


def test_category_lists_read_the_category_paths_once_per_categories_generation(
    app, client, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "CATALOG_CACHE_ENABLED", False)  # count the database work
    electronics = CategoryFactory(name="Electronics")
    phones = CategoryFactory(name="Phones", parent=electronics)
    VariantFactory(product=ProductFactory(name="Tecno Spark", category=phones))
    url = f"{LIST}?category=electronics"
    client.get(LIST)  # the first request on an empty Redis starts the cache's epoch
    assert [card["slug"] for card in client.get(url).json] == ["tecno-spark"]
    with count_queries() as counter:
        assert [card["slug"] for card in client.get(url).json] == ["tecno-spark"]
    # the kept total, the page and its details: the subtree comes from the paths kept
    assert counter.count == 3, counter.statements

    # A category added or switched off is a write to the categories: the next list sees it.
    radios = CategoryFactory(name="Radios", parent=electronics)
    VariantFactory(product=ProductFactory(name="Solar Radio", category=radios))
    assert sorted(card["slug"] for card in client.get(url).json) == ["solar-radio", "tecno-spark"]
    phones.is_active = False
    db.session.commit()
    assert [card["slug"] for card in client.get(url).json] == ["solar-radio"]
    assert client.get(f"{LIST}?category=phones").json == []
