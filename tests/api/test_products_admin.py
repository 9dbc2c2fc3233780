"""Staff writes to the catalog: permissions, validation, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.models import utcnow
from tests.factories import CategoryFactory, ProductFactory, TagFactory, VariantFactory

NEW_PRODUCT = {
    "name": "Shea Butter Soap",
    "description": "Handmade in Tamale.",
    "brand": "Nkulenu",
    "attributes": {"origin": "Ghana"},
    "images": [{"url": "https://cdn.sokoni.test/soap.jpg", "alt_text": "A bar of soap"}],
    "variants": [
        {
            "sku": "SOAP-100G",
            "options": {"weight": "100 g"},
            "weight_grams": 110,
            "stock_on_hand": 50,
            "prices": [{"currency": "GHS", "amount": 2500}, {"currency": "ngn", "amount": 350000}],
        }
    ],
}


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/products/"),
        ("patch", "/api/products/x/"),
        ("delete", "/api/products/x/"),
        ("post", "/api/products/x/variants/"),
        ("patch", "/api/variants/1/"),
        ("post", "/api/categories/"),
        ("delete", "/api/categories/x/"),
        ("post", "/api/tags/"),
        ("post", "/api/promotions/"),
        ("patch", "/api/promotions/1/"),
        ("post", "/api/collections/"),
        ("get", "/api/catalog/cache/"),
    ],
)
def test_writes_need_staff(client, customer, auth_headers, method, path):
    assert getattr(client, method)(path, json={}).status_code == 401
    forbidden = getattr(client, method)(path, json={}, headers=auth_headers(customer))
    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "forbidden"


def test_staff_create_a_product_then_customers_see_it(client, staff_headers):
    TagFactory(name="Organic")
    CategoryFactory(name="Beauty")
    created = client.post(
        "/api/products/",
        json={**NEW_PRODUCT, "category": "beauty", "tags": ["organic"]},
        headers=staff_headers,
    )
    assert created.status_code == 201, created.json
    assert created.json["slug"] == "shea-butter-soap"
    assert created.json["variants"][0]["prices"] == [
        {"amount": 2500, "currency": "GHS"},
        {"amount": 350000, "currency": "NGN"},
    ]
    assert created.json["variants"][0]["stock_on_hand"] == 50
    public = client.get("/api/products/shea-butter-soap/?currency=GHS").json
    assert public["price"] == {"amount": 2500, "currency": "GHS"}
    assert public["category"]["slug"] == "beauty"
    assert public["images"][0]["alt_text"] == "A bar of soap"
    assert public["attributes"] == {"origin": "Ghana"}
    assert "stock_on_hand" not in public["variants"][0]


def test_slugs_are_unique_and_stable(client, staff_headers):
    first = client.post("/api/products/", json={"name": "Jollof Spice Mix"}, headers=staff_headers).json
    second = client.post("/api/products/", json={"name": "Jollof spice mix!"}, headers=staff_headers).json
    assert (first["slug"], second["slug"]) == ("jollof-spice-mix", "jollof-spice-mix-2")
    renamed = client.patch(
        "/api/products/jollof-spice-mix/", json={"name": "Smoky Jollof Spice"}, headers=staff_headers
    )
    assert renamed.json["slug"] == "jollof-spice-mix"  # a rename keeps links working
    taken = client.patch(
        "/api/products/jollof-spice-mix/", json={"slug": "jollof-spice-mix-2"}, headers=staff_headers
    )
    assert taken.status_code == 409


def test_a_duplicate_sku_is_409(client, staff_headers):
    VariantFactory(sku="TAKEN-1")
    body = {**NEW_PRODUCT, "variants": [{**NEW_PRODUCT["variants"][0], "sku": "TAKEN-1"}]}
    response = client.post("/api/products/", json=body, headers=staff_headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert "TAKEN-1" in str(response.json["error"]["details"])
    product = ProductFactory()
    again = client.post(
        f"/api/products/{product.slug}/variants/", json={"sku": "TAKEN-1"}, headers=staff_headers
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"prices": [{"currency": "NGN", "amount": -1}]}, "prices"),
        ({"prices": [{"currency": "XXZ", "amount": 100}]}, "prices"),
        ({"prices": [{"currency": "NGN", "amount": 1.5}]}, "prices"),
        ({"prices": [{"currency": "NGN", "amount": 1}, {"currency": "NGN", "amount": 2}]}, "prices"),
        ({"stock_on_hand": -3}, "stock_on_hand"),
        ({"sku": "has spaces"}, "sku"),
    ],
)
def test_variant_validation(client, staff_headers, change, field):
    variant = VariantFactory()
    response = client.patch(f"/api/variants/{variant.id}/", json=change, headers=staff_headers)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]["json"]


def test_product_validation(client, staff_headers):
    assert client.post("/api/products/", json={}, headers=staff_headers).status_code == 422
    unknown = client.post("/api/products/", json={"name": "X", "category": "nope"}, headers=staff_headers)
    assert unknown.status_code == 422
    assert "category" in unknown.json["error"]["details"]
    tags = client.post("/api/products/", json={"name": "X", "tags": ["nope"]}, headers=staff_headers)
    assert tags.status_code == 422
    image = client.post(
        "/api/products/", json={"name": "X", "images": [{"url": "not a url"}]}, headers=staff_headers
    )
    assert image.status_code == 422


def test_update_prices_in_place_and_delete(client, staff_headers):
    variant = VariantFactory(prices={"NGN": 1000, "KES": 500})
    response = client.patch(
        f"/api/variants/{variant.id}/",
        json={"prices": [{"currency": "NGN", "amount": 1200}, {"currency": "USD", "amount": 99}]},
        headers=staff_headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["prices"] == [{"amount": 1200, "currency": "NGN"}, {"amount": 99, "currency": "USD"}]
    slug = variant.product.slug
    assert client.delete(f"/api/variants/{variant.id}/", headers=staff_headers).status_code == 204
    assert client.get(f"/api/products/{slug}/").json["variants"] == []
    assert client.delete(f"/api/products/{slug}/", headers=staff_headers).status_code == 204
    assert client.get(f"/api/products/{slug}/").status_code == 404
    assert client.delete(f"/api/products/{slug}/", headers=staff_headers).status_code == 404


def test_category_writes_and_moves(client, staff_headers):
    def post(**body):
        return client.post("/api/categories/", json=body, headers=staff_headers)

    assert post(name="Home").status_code == 201
    assert post(name="Kitchen", parent="home").json["parent"] == "home"
    assert post(name="Pots", parent="kitchen").status_code == 201
    assert post(name="Garden").status_code == 201
    assert post(name="Home").json["slug"] == "home-2"
    assert post(name="Dup", slug="garden").status_code == 409
    assert post(name="Orphan", parent="nowhere").status_code == 422
    moved = client.patch("/api/categories/kitchen/", json={"parent": "garden"}, headers=staff_headers)
    assert moved.status_code == 200
    tree = {node["slug"]: node for node in client.get("/api/categories/").json}
    assert [c["slug"] for c in tree["garden"]["children"]] == ["kitchen"]
    assert tree["garden"]["children"][0]["children"][0]["slug"] == "pots"
    cycle = client.patch("/api/categories/garden/", json={"parent": "pots"}, headers=staff_headers)
    assert cycle.status_code == 422
    assert client.delete("/api/categories/garden/", headers=staff_headers).status_code == 409  # has children
    assert client.delete("/api/categories/pots/", headers=staff_headers).status_code == 204


def test_category_filter_follows_a_moved_subtree(client, staff_headers):
    home = CategoryFactory(name="Home")
    kitchen = CategoryFactory(name="Kitchen", parent=home)
    pots = CategoryFactory(name="Pots", parent=kitchen)
    garden = CategoryFactory(name="Garden")
    VariantFactory(product__name="Clay Pot", product__category=pots)
    assert [c["slug"] for c in client.get("/api/products/?category=home").json] == ["clay-pot"]
    client.patch("/api/categories/kitchen/", json={"parent": garden.slug}, headers=staff_headers)
    assert client.get("/api/products/?category=home").json == []
    assert [c["slug"] for c in client.get("/api/products/?category=garden").json] == ["clay-pot"]
    assert client.delete("/api/categories/pots/", headers=staff_headers).status_code == 409  # has products


def test_tag_writes(client, staff_headers):
    assert client.post("/api/tags/", json={"name": "Made in Kenya"}, headers=staff_headers).json["slug"] == (
        "made-in-kenya"
    )
    assert (
        client.post(
            "/api/tags/", json={"name": "X", "slug": "made-in-kenya"}, headers=staff_headers
        ).status_code
        == 409
    )
    renamed = client.patch("/api/tags/made-in-kenya/", json={"name": "Kenyan"}, headers=staff_headers)
    assert renamed.json["name"] == "Kenyan"
    assert client.delete("/api/tags/made-in-kenya/", headers=staff_headers).status_code == 204
    assert client.get("/api/tags/").json == []


def test_promotion_writes_and_rules(client, staff_headers):
    product = VariantFactory(prices={"NGN": 10_000}).product
    now = utcnow()
    body = {
        "name": "Flash sale",
        "kind": "percentage",
        "percent_off": 20,
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "products": [product.slug],
    }
    created = client.post("/api/promotions/", json=body, headers=staff_headers)
    assert created.status_code == 201, created.json
    assert client.get(f"/api/products/{product.slug}/").json["price"]["amount"] == 8_000
    ended = client.patch(
        f"/api/promotions/{created.json['id']}/",
        json={"ends_at": (now - timedelta(seconds=1)).isoformat()},
        headers=staff_headers,
    )
    assert ended.status_code == 200
    assert client.get(f"/api/products/{product.slug}/").json["price"]["amount"] == 10_000
    scheduled = client.get("/api/promotions/?status=all", headers=staff_headers).json
    assert [p["name"] for p in scheduled] == ["Flash sale"]
    bad = [
        {**body, "percent_off": None},
        {**body, "kind": "fixed"},
        {**body, "kind": "fixed", "percent_off": None, "amounts_off": {"NGN": 0}},
        {**body, "percent_off": 101},
        {**body, "ends_at": (now - timedelta(days=1)).isoformat()},
        {**body, "starts_at": "2026-01-01T00:00:00"},  # no offset
        {**body, "products": ["nope"]},
    ]
    for payload in bad:
        response = client.post("/api/promotions/", json=payload, headers=staff_headers)
        assert response.status_code == 422, payload
    assert client.delete(f"/api/promotions/{created.json['id']}/", headers=staff_headers).status_code == 204
    assert client.get(f"/api/promotions/{created.json['id']}/", headers=staff_headers).status_code == 404


def test_collection_writes(client, staff_headers):
    first = VariantFactory(product__name="Kente Scarf").product
    second = VariantFactory(product__name="Maasai Sandals").product
    body = {"name": "Featured", "products": [second.slug, first.slug]}
    created = client.post("/api/collections/", json=body, headers=staff_headers)
    assert created.status_code == 201, created.json
    assert [p["slug"] for p in created.json["products"]] == ["maasai-sandals", "kente-scarf"]
    reordered = client.patch(
        "/api/collections/featured/", json={"products": [first.slug, second.slug]}, headers=staff_headers
    )
    assert [p["slug"] for p in reordered.json["products"]] == ["kente-scarf", "maasai-sandals"]
    computed = client.post(
        "/api/collections/",
        json={"name": "Best", "kind": "best_sellers", "products": []},
        headers=staff_headers,
    )
    assert computed.status_code == 422
    assert (
        client.post(
            "/api/collections/", json={"name": "X", "slug": "featured"}, headers=staff_headers
        ).status_code
        == 409
    )
    assert client.delete("/api/collections/featured/", headers=staff_headers).status_code == 204
    assert client.get("/api/collections/").json == []
