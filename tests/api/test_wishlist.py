"""Wishlist: idempotent adds, today's prices and stock, move to cart, and privacy."""

from __future__ import annotations

import pytest

from tests.factories import ProductFactory, PromotionFactory, UserFactory, VariantFactory

URL = "/api/wishlist/"
ITEMS = "/api/wishlist/items/"


@pytest.fixture
def headers(customer, auth_headers):
    return auth_headers(customer)


@pytest.fixture
def lamp():
    return VariantFactory(
        product=ProductFactory(name="Solar Lamp"), prices={"NGN": 100_000}, stock_on_hand=20
    )


def add(client, headers, product_id, **extra):
    return client.post(ITEMS, json={"product_id": product_id, **extra}, headers=headers)


def test_adding_twice_keeps_one_item(client, headers, lamp):
    first = add(client, headers, lamp.product_id)
    second = add(client, headers, lamp.product_id)
    assert (first.status_code, second.status_code) == (201, 200)
    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [item["product_id"] for item in listed.json] == [lamp.product_id]
    assert '"total": 1' in listed.headers["X-Pagination"]


def test_the_list_shows_todays_price_promotion_and_stock(client, headers, lamp):
    PromotionFactory(name="Harmattan sale", percent_off=10, products=[lamp.product])
    add(client, headers, lamp.product_id)
    (item,) = client.get(URL, headers=headers).json
    assert item["product"]["slug"] == "solar-lamp"
    assert item["price"] == {"amount": 90_000, "currency": "NGN"}
    assert item["compare_at"] == {"amount": 100_000, "currency": "NGN"}
    assert item["on_sale"] is True
    assert item["promotion"]["name"] == "Harmattan sale"
    assert item["stock_status"] == "in_stock"
    assert item["available"] is True


def test_a_product_shows_its_cheapest_variant_and_best_stock(client, headers):
    product = ProductFactory()
    VariantFactory(product=product, prices={"NGN": 50_000}, stock_on_hand=0)
    VariantFactory(product=product, prices={"NGN": 70_000}, stock_on_hand=2)
    add(client, headers, product.id)
    (item,) = client.get(URL, headers=headers).json
    assert item["price"]["amount"] == 50_000
    assert item["stock_status"] == "low_stock"
    assert item["on_sale"] is False
    assert item["promotion"] is None


def test_a_wished_variant_is_priced_and_stocked_on_its_own(client, headers):
    product = ProductFactory()
    VariantFactory(product=product, prices={"NGN": 50_000}, stock_on_hand=9)
    sold_out = VariantFactory(
        product=product, prices={"NGN": 70_000}, stock_on_hand=0, options={"size": "XL"}
    )
    assert add(client, headers, product.id, variant_id=sold_out.id).status_code == 201
    (item,) = client.get(URL, headers=headers).json
    assert item["variant"] == {"id": sold_out.id, "sku": sold_out.sku, "options": {"size": "XL"}}
    assert item["price"]["amount"] == 70_000
    assert (item["stock_status"], item["available"]) == ("out_of_stock", False)


def test_adding_again_with_a_variant_switches_to_it(client, headers, lamp):
    other = VariantFactory(product=lamp.product, prices={"NGN": 120_000})
    add(client, headers, lamp.product_id)
    again = add(client, headers, lamp.product_id, variant_id=other.id)
    assert again.status_code == 200
    assert again.json["variant_id"] == other.id


def test_prices_follow_the_requested_currency(client, headers, lamp):
    add(client, headers, lamp.product_id)
    (item,) = client.get(URL + "?currency=KES", headers=headers).json
    assert item["price"] is None
    assert (item["stock_status"], item["available"]) == ("unavailable", False)


@pytest.mark.parametrize("case", ["missing", "inactive", "foreign_variant"])
def test_unknown_products_and_variants_are_404(client, headers, lamp, case):
    body = {
        "missing": {"product_id": 999_999},
        "inactive": {"product_id": ProductFactory(is_active=False).id},
        "foreign_variant": {"product_id": lamp.product_id, "variant_id": VariantFactory().id},
    }[case]
    assert client.post(ITEMS, json=body, headers=headers).status_code == 404


def test_remove_then_remove_again_is_404(client, headers, lamp):
    add(client, headers, lamp.product_id)
    assert client.delete(f"{ITEMS}{lamp.product_id}/", headers=headers).status_code == 204
    assert client.get(URL, headers=headers).json == []
    assert client.delete(f"{ITEMS}{lamp.product_id}/", headers=headers).status_code == 404


def test_another_customer_never_sees_or_touches_my_wishlist(client, headers, auth_headers, lamp):
    add(client, headers, lamp.product_id)
    other = auth_headers(UserFactory())
    assert client.get(URL, headers=other).json == []
    assert client.delete(f"{ITEMS}{lamp.product_id}/", headers=other).status_code == 404
    assert client.post(f"{ITEMS}{lamp.product_id}/move-to-cart/", headers=other).status_code == 404
    assert len(client.get(URL, headers=headers).json) == 1


def test_the_wishlist_needs_a_login(client, lamp):
    assert client.get(URL).status_code == 401
    assert client.post(ITEMS, json={"product_id": lamp.product_id}).status_code == 401


def test_a_full_wishlist_refuses_more(app, client, headers, lamp, monkeypatch):
    monkeypatch.setitem(app.config, "WISHLIST_MAX_ITEMS", 1)
    add(client, headers, lamp.product_id)
    response = add(client, headers, VariantFactory().product_id)
    assert response.status_code == 409
    assert add(client, headers, lamp.product_id).status_code == 200  # already there: still fine


def test_move_to_cart_puts_the_only_variant_in_the_cart(client, headers, lamp):
    add(client, headers, lamp.product_id)
    response = client.post(f"{ITEMS}{lamp.product_id}/move-to-cart/", json={"quantity": 2}, headers=headers)
    assert response.status_code == 200, response.json
    assert [(i["variant_id"], i["quantity"]) for i in response.json["items"]] == [(lamp.id, 2)]
    assert client.get(URL, headers=headers).json == []
    assert client.get("/api/cart/", headers=headers).json["item_count"] == 2


def test_move_to_cart_needs_a_variant_when_there_are_several(client, headers, lamp):
    other = VariantFactory(product=lamp.product, prices={"NGN": 120_000})
    add(client, headers, lamp.product_id)
    url = f"{ITEMS}{lamp.product_id}/move-to-cart/"
    refused = client.post(url, headers=headers)
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "variant_required"
    moved = client.post(url, json={"variant_id": other.id}, headers=headers)
    assert moved.status_code == 200
    assert moved.json["items"][0]["variant_id"] == other.id


def test_move_to_cart_keeps_the_item_when_the_cart_refuses_it(client, headers):
    sold_out = VariantFactory(stock_on_hand=0)
    add(client, headers, sold_out.product_id, variant_id=sold_out.id)
    response = client.post(f"{ITEMS}{sold_out.product_id}/move-to-cart/", headers=headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_stock"
    assert len(client.get(URL, headers=headers).json) == 1


def test_listing_costs_the_same_queries_for_1_or_10_items(client, headers, count_queries):
    products = [VariantFactory(prices={"NGN": 10_000 * (n + 1)}).product for n in range(10)]
    PromotionFactory(products=products[:3])
    add(client, headers, products[0].id)
    client.get(URL, headers=headers)  # warm the price book
    with count_queries() as one:
        assert len(client.get(URL, headers=headers).json) == 1
    for product in products[1:]:
        add(client, headers, product.id)
    with count_queries() as ten:
        assert len(client.get(URL, headers=headers).json) == 10
    assert ten.count == one.count
