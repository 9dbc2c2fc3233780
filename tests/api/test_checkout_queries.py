"""SQL statements of the checkout path, as the bench's shoppers run it on PostgreSQL.

Adding to the cart and placing an order render their responses from what the request
already holds instead of reading it back after the commit. These budgets make a lazy
load or a reload creeping back in fail here; the responses are compared with a fresh
read so that rendering from memory cannot drift from what was stored.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.api.orders_helpers import add_to_cart, checkout, station
from tests.factories import VariantFactory

#: user, cart, running promotions (the price book, cached afterwards), variants (with
#: product, category, the cart currency's price and the first product image), cart insert,
#: cart line insert.
FIRST_ADD = 6
#: user, cart with its lines, variants, cart line insert (or update).
LATER_ADD = 4
#: user, key claim (committed alone), cart (locked) with its lines, variants, station with
#: fees, order insert, order number, lines insert, event insert, cart closed, response
#: stored (committed with the order): 11, plus one conditional stock update per variant
#: (the no-oversell guarantee). An order placed with this key before is looked for only
#: when the checkout fails or its insert collides.
ORDER_BASE = 11


@pytest.fixture
def shopper(client, customer, auth_headers, app, monkeypatch):
    # As deployed (and benched) with Redis: the order e-mail and expiry are queued, not run
    # inside the request.
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)
    return auth_headers(customer)


def fresh_request_session() -> None:
    """Each request of the server starts with an empty session; the tests share one."""
    db.session.remove()


def measured(count_queries, send):
    fresh_request_session()
    with count_queries() as counter:
        response = send()
    return response, counter


def statements(counter) -> str:
    return "\n".join(" ".join(s.split())[:160] for s in counter.statements)


@pytest.mark.parametrize("lines", [1, 3])
def test_add_to_cart_and_place_order_statement_budget(postgres, client, shopper, count_queries, lines):
    variant_ids = [VariantFactory(prices={"NGN": 100_000 * (i + 1)}).id for i in range(lines)]
    pickup_id = station().id

    for number, variant_id in enumerate(variant_ids):
        added, counter = measured(count_queries, lambda v=variant_id: add_to_cart(client, shopper, v, 2))
        expected = FIRST_ADD if number == 0 else LATER_ADD
        assert counter.count == expected, statements(counter)
        assert added.json == client.get("/api/cart/", headers=shopper).json

    pickup = {"bus_station_id": pickup_id}
    placed, counter = measured(count_queries, lambda: checkout(client, shopper, pickup))
    assert placed.status_code == 201, placed.json
    assert counter.count == ORDER_BASE + lines, statements(counter)
    stored = client.get(f"/api/orders/{placed.json['number']}/", headers=shopper).json
    assert placed.json["collection_code"]
    assert placed.json == {**stored, "collection_code": placed.json["collection_code"]}


def test_adding_more_of_a_line_reads_and_writes_it_once(postgres, client, shopper, count_queries):
    variant_id = VariantFactory().id
    add_to_cart(client, shopper, variant_id, 1)
    again, counter = measured(count_queries, lambda: add_to_cart(client, shopper, variant_id, 2))
    assert counter.count == LATER_ADD, statements(counter)
    assert again.json["items"][0]["quantity"] == 3
    assert again.json == client.get("/api/cart/", headers=shopper).json
