"""Carts through the HTTP API: guests, users, merge at login, prices, stock, coupons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.cart import schemas, services
from app.cart.models import Cart, CartStatus, Coupon
from app.core.models import utcnow
from app.extensions import db
from app.products.models import ProductImage, VariantPrice
from tests.conftest import bearer, login
from tests.factories import (
    DEFAULT_PASSWORD,
    CategoryFactory,
    ProductFactory,
    PromotionFactory,
    VariantFactory,
)


def add(client, variant_id, quantity=1, headers=None, **extra):
    return client.post(
        "/api/cart/items/",
        json={"variant_id": variant_id, "quantity": quantity, **extra},
        headers=headers or {},
    )


def make_coupon(**fields) -> Coupon:
    values = {"code": "KARIBU10", "kind": "percentage", "percent_off": 10, **fields}
    coupon = Coupon(**values)
    db.session.add(coupon)
    db.session.commit()
    return coupon


def test_guest_cart_gets_a_token_and_only_its_holder_sees_it(client):
    variant = VariantFactory(prices={"NGN": 250_000})
    first = add(client, variant.id, 2)
    assert first.status_code == 201
    token = first.headers["X-Cart-Token"]
    assert len(token) >= 40
    assert first.json["subtotal"] == {"amount": 500_000, "currency": "NGN"}

    second = add(client, variant.id, 1, headers={"X-Cart-Token": token})
    assert "X-Cart-Token" not in second.headers
    assert second.json["items"][0]["quantity"] == 3

    assert client.get("/api/cart/").json["items"] == []
    assert client.get("/api/cart/", headers={"X-Cart-Token": "guess" * 10}).json["items"] == []
    assert db.session.query(Cart).one().token_hash != token  # only a digest is stored


def test_adding_more_than_available_is_a_409_with_the_available_quantity(client, customer, auth_headers):
    variant = VariantFactory(stock_on_hand=3)
    headers = auth_headers(customer)
    assert add(client, variant.id, 2, headers).status_code == 201
    response = add(client, variant.id, 2, headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_stock"
    assert response.json["error"]["details"]["available"] == 3
    assert client.get("/api/cart/", headers=headers).json["items"][0]["quantity"] == 2


def test_a_cart_the_users_other_request_created_meanwhile_gets_the_line(
    client, customer, auth_headers, monkeypatch
):
    headers = auth_headers(customer)
    first, second = VariantFactory(), VariantFactory()
    assert add(client, first.id, headers=headers).status_code == 201
    looked_up = []

    def missing_the_first_time(owner):
        """As if the other request's cart was committed just after this one looked."""
        looked_up.append(owner)
        return None if len(looked_up) == 1 else real_read_open_cart(owner)

    real_read_open_cart = services.read_open_cart
    monkeypatch.setattr(services, "read_open_cart", missing_the_first_time)
    added = add(client, second.id, 2, headers=headers)
    assert added.status_code == 201, added.json
    assert len(looked_up) == 2  # its own new cart was refused, then the other one was found
    lines = sorted((item["variant_id"], item["quantity"]) for item in added.json["items"])
    assert lines == [(first.id, 1), (second.id, 2)]
    open_carts = db.session.scalars(db.select(Cart).where(Cart.status == CartStatus.OPEN)).all()
    assert [cart.id for cart in open_carts] == [added.json["id"]]


def test_a_variant_not_priced_in_the_cart_currency_is_422(client, customer, auth_headers):
    headers = auth_headers(customer)
    kes_only = VariantFactory(prices={"KES": 90_000})
    ngn = VariantFactory(prices={"NGN": 100_000})
    assert add(client, ngn.id, 1, headers).status_code == 201
    response = add(client, kes_only.id, 1, headers)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "currency_mismatch"


def test_a_withdrawn_variant_or_product_is_404(client):
    for variant in (VariantFactory(is_active=False), VariantFactory(product=ProductFactory(is_active=False))):
        response = add(client, variant.id)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


def test_lines_show_the_products_first_image_and_the_promoted_price(client):
    category = CategoryFactory()
    pictured = VariantFactory(product=ProductFactory(category=category), prices={"NGN": 100_000})
    plain = VariantFactory(prices={"NGN": 50_000})
    db.session.add_all(
        [
            ProductImage(
                product_id=pictured.product_id, url="https://img.test/back.jpg", alt_text="Back", position=2
            ),
            ProductImage(
                product_id=pictured.product_id, url="https://img.test/front.jpg", alt_text="Front", position=1
            ),
        ]
    )
    db.session.commit()
    PromotionFactory(categories=[category], percent_off=10)
    token = {"X-Cart-Token": add(client, pictured.id).headers["X-Cart-Token"]}
    cart = add(client, plain.id, headers=token).json
    lines = {item["variant_id"]: item for item in cart["items"]}
    assert lines[pictured.id]["product"]["image"] == {
        "url": "https://img.test/front.jpg",
        "alt_text": "Front",
    }
    assert lines[plain.id]["product"]["image"] is None
    assert (
        lines[pictured.id]["unit_price"]
        == lines[pictured.id]["current_price"]
        == {"amount": 90_000, "currency": "NGN"}
    )
    assert cart["subtotal"]["amount"] == 140_000
    assert cart == client.get("/api/cart/", headers=token).json


def test_adding_to_a_cart_with_a_coupon_shows_its_discount(client, customer, auth_headers):
    make_coupon()
    variant = VariantFactory(prices={"NGN": 100_000})
    headers = auth_headers(customer)
    add(client, variant.id, 1, headers)
    assert client.post("/api/cart/coupon/", json={"code": "KARIBU10"}, headers=headers).status_code == 200
    cart = add(client, variant.id, 1, headers).json
    assert cart["coupon"] == {"code": "KARIBU10", "description": "", "problem": None}
    assert (cart["subtotal"]["amount"], cart["discount"]["amount"]) == (200_000, 20_000)
    assert cart == client.get("/api/cart/", headers=headers).json


def test_an_add_sends_its_cart_exactly_as_the_schema_dumps_it(client, customer, auth_headers):
    """The add sends its view without dumping it through ``CartSchema``: it must already be the dump."""
    make_coupon(min_subtotals={"NGN": 10_000_000})  # applies, then has a problem to show
    withdrawn = VariantFactory(prices={"NGN": 50_000})
    numbered = VariantFactory(options={"size": "XL", "pack": 6, "gift": True}, prices={"NGN": 100_000})
    headers = auth_headers(customer)
    add(client, withdrawn.id, 1, headers)
    coupon = db.session.scalars(db.select(Coupon)).one()
    db.session.get(Cart, add(client, withdrawn.id, 1, headers).json["id"]).coupon = coupon
    withdrawn.is_active = False
    db.session.commit()

    added = add(client, numbered.id, 2, headers).json
    assert added["items"][1]["options"] == {"size": "XL", "pack": "6", "gift": "True"}
    assert added["items"][0]["current_price"] is None
    assert added["coupon"]["problem"]
    assert schemas.CartSchema().dump(added) == added
    assert added == client.get("/api/cart/", headers=headers).json


def test_cart_currency_comes_from_the_request_or_the_profile(client, customer, auth_headers):
    customer.profile.preferred_currency = "UGX"
    db.session.commit()
    variant = VariantFactory(prices={"UGX": 45_000, "NGN": 100_000})
    response = add(client, variant.id, 1, auth_headers(customer))
    assert response.json["currency"] == "UGX"
    assert response.json["total"] == {"amount": 45_000, "currency": "UGX"}


def test_login_merges_the_guest_cart_capped_at_stock(client, customer):
    scarce = VariantFactory(stock_on_hand=4)
    plenty = VariantFactory(stock_on_hand=50)
    headers = bearer(login(client, customer.email)["access"])
    add(client, scarce.id, 3, headers)
    guest = add(client, scarce.id, 3)
    token = guest.headers["X-Cart-Token"]
    add(client, plenty.id, 2, headers={"X-Cart-Token": token})

    response = client.post(
        "/api/auth/login/",
        json={"email": customer.email, "password": DEFAULT_PASSWORD},
        headers={"X-Cart-Token": token},
    )
    assert response.status_code == 200
    cart = client.get("/api/cart/", headers=bearer(response.json["access"])).json
    quantities = {item["variant_id"]: item["quantity"] for item in cart["items"]}
    assert quantities == {scarce.id: 4, plenty.id: 2}
    assert client.get("/api/cart/", headers={"X-Cart-Token": token}).json["items"] == []


def test_a_guest_cart_becomes_the_users_when_they_have_none(client, customer):
    variant = VariantFactory()
    token = add(client, variant.id, 2).headers["X-Cart-Token"]
    response = client.post(
        "/api/auth/login/",
        json={"email": customer.email, "password": DEFAULT_PASSWORD},
        headers={"X-Cart-Token": token},
    )
    cart = client.get("/api/cart/", headers=bearer(response.json["access"])).json
    assert [(i["variant_id"], i["quantity"]) for i in cart["items"]] == [(variant.id, 2)]


def test_price_changes_are_shown_against_the_saved_price(client, customer, auth_headers):
    variant = VariantFactory(prices={"NGN": 100_000})
    headers = auth_headers(customer)
    add(client, variant.id, 1, headers)
    db.session.query(VariantPrice).filter_by(variant_id=variant.id).update({"amount": 120_000})
    db.session.commit()
    cart = client.get("/api/cart/", headers=headers).json
    (item,) = cart["items"]
    assert item["unit_price"]["amount"] == 100_000
    assert item["current_price"]["amount"] == 120_000
    assert item["price_changed"] is True
    assert cart["price_changed"] is True


def test_update_and_remove_items(client, customer, auth_headers):
    variant = VariantFactory(stock_on_hand=5)
    headers = auth_headers(customer)
    item_id = add(client, variant.id, 1, headers).json["items"][0]["id"]
    assert (
        client.patch(f"/api/cart/items/{item_id}/", json={"quantity": 4}, headers=headers).json["item_count"]
        == 4
    )
    too_many = client.patch(f"/api/cart/items/{item_id}/", json={"quantity": 6}, headers=headers)
    assert too_many.status_code == 409
    assert client.delete(f"/api/cart/items/{item_id}/", headers=headers).json["items"] == []
    assert (
        client.patch(f"/api/cart/items/{item_id}/", json={"quantity": 1}, headers=headers).status_code == 404
    )


def test_quantity_above_the_configured_maximum_is_422(client, customer, auth_headers, app):
    variant = VariantFactory(stock_on_hand=500)
    response = add(client, variant.id, app.config["CART_MAX_QUANTITY"] + 1, auth_headers(customer))
    assert response.status_code == 422


def test_another_users_cart_items_are_404(client, customer, auth_headers):
    variant = VariantFactory()
    owner_headers = auth_headers(customer)
    item_id = add(client, variant.id, 1, owner_headers).json["items"][0]["id"]
    from tests.factories import UserFactory

    intruder = auth_headers(UserFactory())
    assert (
        client.patch(f"/api/cart/items/{item_id}/", json={"quantity": 2}, headers=intruder).status_code == 404
    )
    assert client.delete(f"/api/cart/items/{item_id}/", headers=intruder).status_code == 404
    guest = add(client, variant.id, 1)
    guest_headers = {"X-Cart-Token": guest.headers["X-Cart-Token"]}
    assert client.delete(f"/api/cart/items/{item_id}/", headers=guest_headers).status_code == 404
    assert client.get("/api/cart/", headers=owner_headers).json["items"][0]["quantity"] == 1


@pytest.mark.parametrize(
    ("coupon_fields", "subtotal", "discount"),
    [
        ({"percent_off": 10}, 200_000, 20_000),
        ({"kind": "fixed", "percent_off": None, "amounts_off": {"NGN": 50_000}}, 200_000, 50_000),
        ({"kind": "fixed", "percent_off": None, "amounts_off": {"NGN": 500_000}}, 200_000, 200_000),
    ],
)
def test_coupons_discount_the_cart(client, customer, auth_headers, coupon_fields, subtotal, discount):
    make_coupon(**coupon_fields)
    variant = VariantFactory(prices={"NGN": 100_000})
    headers = auth_headers(customer)
    add(client, variant.id, 2, headers)
    cart = client.post("/api/cart/coupon/", json={"code": "karibu10"}, headers=headers).json
    assert cart["coupon"]["code"] == "KARIBU10"
    assert cart["subtotal"]["amount"] == subtotal
    assert cart["discount"]["amount"] == discount
    assert cart["total"]["amount"] == subtotal - discount
    removed = client.delete("/api/cart/coupon/", headers=headers).json
    assert removed["coupon"] is None
    assert removed["discount"]["amount"] == 0


@pytest.mark.parametrize(
    ("coupon_fields", "code", "status"),
    [
        ({}, "NOPE", "coupon_invalid"),
        ({"ends_at": utcnow() - timedelta(days=1)}, "KARIBU10", "coupon_invalid"),
        ({"starts_at": utcnow() + timedelta(days=1)}, "KARIBU10", "coupon_invalid"),
        ({"min_subtotals": {"NGN": 1_000_000}}, "KARIBU10", "coupon_invalid"),
        ({"kind": "fixed", "percent_off": None, "amounts_off": {"KES": 5_000}}, "KARIBU10", "coupon_invalid"),
        ({"usage_limit": 1, "used_count": 1}, "KARIBU10", "coupon_exhausted"),
    ],
)
def test_coupon_rules(client, customer, auth_headers, coupon_fields, code, status):
    make_coupon(**coupon_fields)
    headers = auth_headers(customer)
    add(client, VariantFactory().id, 1, headers)
    response = client.post("/api/cart/coupon/", json={"code": code}, headers=headers)
    assert response.json["error"]["code"] == status
    assert client.get("/api/cart/", headers=headers).json["coupon"] is None


def test_cart_queries_do_not_grow_with_items(client, customer, auth_headers, count_queries):
    headers = auth_headers(customer)
    variants = [VariantFactory() for _ in range(8)]
    add(client, variants[0].id, 1, headers)
    with count_queries() as one:
        client.get("/api/cart/", headers=headers)
    for variant in variants[1:]:
        add(client, variant.id, 1, headers)
    with count_queries() as many:
        client.get("/api/cart/", headers=headers)
    assert many.count == one.count


def test_staff_manage_coupons(client, customer, staff, auth_headers):
    headers = auth_headers(staff)
    body = {"code": "jollof-25", "kind": "percentage", "percent_off": 25, "usage_limit": 100}
    assert client.post("/api/coupons/", json=body, headers=auth_headers(customer)).status_code == 403
    created = client.post("/api/coupons/", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["code"] == "JOLLOF-25"
    assert client.post("/api/coupons/", json=body, headers=headers).status_code == 409
    fixed_without_amounts = client.post(
        "/api/coupons/", json={"code": "FLAT", "kind": "fixed"}, headers=headers
    )
    assert fixed_without_amounts.status_code == 422
    coupon_id = created.json["id"]
    patched = client.patch(f"/api/coupons/{coupon_id}/", json={"is_active": False}, headers=headers)
    assert patched.json["is_active"] is False
    assert [c["code"] for c in client.get("/api/coupons/?active=false", headers=headers).json] == [
        "JOLLOF-25"
    ]
    assert client.delete(f"/api/coupons/{coupon_id}/", headers=headers).status_code == 204
    assert client.get(f"/api/coupons/{coupon_id}/", headers=headers).status_code == 404


def test_an_oversized_cart_token_is_refused(client):
    response = client.get("/api/cart/", headers={"X-Cart-Token": "x" * 129})
    assert response.status_code == 422
    assert "X-Cart-Token" in response.json["error"]["details"]
