"""SQL statements of adding to the cart, for guests and users, on every database.

The add reads the cart and its offers as plain rows and writes its line with one
statement; these budgets make an ORM reload, a second offers query or a flush creeping
back in fail here. ``test_checkout_queries`` pins the signed-in shopper's path on
PostgreSQL, with the order that follows.
"""

from __future__ import annotations

from app.cart.routes import CART_TOKEN
from app.extensions import db
from app.products import cache
from tests.factories import VariantFactory

#: offers (variant, product, category, price, first image), cart insert, line insert: a
#: guest without a token has no cart to look up.
GUEST_FIRST_ADD = 3
#: cart with its lines, offers, line insert (or update).
GUEST_LATER_ADD = 3
#: user, then as a guest's later add.
USER_LATER_ADD = 1 + GUEST_LATER_ADD


def add(client, variant_id, quantity=1, headers=None):
    response = client.post(
        "/api/cart/items/", json={"variant_id": variant_id, "quantity": quantity}, headers=headers or {}
    )
    assert response.status_code == 201, response.json
    return response


def counted(count_queries, send):
    """``send()`` as a fresh request sends it, the price book already held (it is cached)."""
    cache.price_book()
    db.session.remove()
    with count_queries() as counter:
        response = send()
    return response, counter


def test_a_guests_adds_cost_a_fixed_number_of_statements(client, count_queries):
    first, second = VariantFactory().id, VariantFactory().id
    created, counter = counted(count_queries, lambda: add(client, first, 2))
    assert counter.count == GUEST_FIRST_ADD, counter.statements
    token = {CART_TOKEN: created.headers[CART_TOKEN]}

    for variant_id in (second, first):  # a new line, then more of an existing one
        added, counter = counted(count_queries, lambda v=variant_id: add(client, v, 1, token))
        assert counter.count == GUEST_LATER_ADD, counter.statements
    assert [(i["variant_id"], i["quantity"]) for i in added.json["items"]] == [(first, 3), (second, 1)]
    assert added.json == client.get("/api/cart/", headers=token).json


def test_a_users_add_does_not_grow_with_the_cart(client, customer, auth_headers, count_queries):
    headers = auth_headers(customer)
    variant_ids = [VariantFactory().id for _ in range(5)]
    for variant_id in variant_ids[:-1]:
        add(client, variant_id, 1, headers)
    added, counter = counted(count_queries, lambda: add(client, variant_ids[-1], 1, headers))
    assert counter.count == USER_LATER_ADD, counter.statements
    assert added.json["item_count"] == len(variant_ids)
    assert added.json == client.get("/api/cart/", headers=headers).json
