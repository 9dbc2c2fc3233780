"""Races on PostgreSQL: the last units, the last coupon use, and one key sent twice at once.

Each request runs in its own thread with its own app context, session and database
connection, released together by a barrier, exactly as concurrent clients would hit a
multi-threaded server.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest

from app.cart.models import Coupon
from app.extensions import db
from app.orders.models import Order
from app.products.models import ProductVariant
from tests.api.orders_helpers import add_to_cart, station
from tests.conftest import bearer, login
from tests.factories import UserFactory, VariantFactory

pytestmark = pytest.mark.usefixtures("postgres")


def race(app, requests):
    """Send every ``(headers, body)`` checkout at the same moment; return the responses."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index: int, headers: dict, body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/orders/", json=body, headers=headers)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def shoppers(client, count: int, variant_id: int) -> list[dict]:
    headers = []
    for _ in range(count):
        user = UserFactory()
        auth = bearer(login(client, user.email)["access"])
        add_to_cart(client, auth, variant_id, 1)
        headers.append(auth)
    return headers


def test_twenty_checkouts_for_five_units_make_exactly_five_orders(app, client):
    variant = VariantFactory(stock_on_hand=20)
    pickup = station()
    buyers = shoppers(client, 20, variant.id)
    db.session.query(ProductVariant).filter_by(id=variant.id).update({"stock_on_hand": 5})
    db.session.commit()

    results = race(
        app, [({**h, "Idempotency-Key": uuid.uuid4().hex}, {"bus_station_id": pickup.id}) for h in buyers]
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 5, 409: 15}, results
    assert all(body["error"]["code"] == "insufficient_stock" for status, body in results if status == 409)
    db.session.expire_all()
    assert db.session.get(ProductVariant, variant.id).stock_on_hand == 0
    assert db.session.query(Order).count() == 5


def test_the_same_key_twice_at_once_makes_one_order(app, client):
    variant = VariantFactory(stock_on_hand=10)
    pickup = station()
    (buyer,) = shoppers(client, 1, variant.id)
    headers = {**buyer, "Idempotency-Key": uuid.uuid4().hex}

    results = race(app, [(headers, {"bus_station_id": pickup.id})] * 2)

    assert db.session.query(Order).count() == 1
    statuses = sorted(status for status, _ in results)
    assert statuses in ([201, 201], [201, 409]), results
    numbers = {body["number"] for status, body in results if status == 201}
    assert len(numbers) == 1
    db.session.expire_all()
    assert db.session.get(ProductVariant, variant.id).stock_on_hand == 9


def test_two_keys_for_one_cart_at_once_make_one_order(app, client):
    variant = VariantFactory(stock_on_hand=10)
    pickup = station()
    (buyer,) = shoppers(client, 1, variant.id)
    requests = [
        ({**buyer, "Idempotency-Key": uuid.uuid4().hex}, {"bus_station_id": pickup.id}) for _ in range(2)
    ]

    results = race(app, requests)

    assert sorted(status for status, _ in results) == [201, 422], results
    assert db.session.query(Order).count() == 1


def test_the_last_coupon_use_goes_to_exactly_one_order(app, client):
    coupon = Coupon(code="LASTONE", kind="percentage", percent_off=50, usage_limit=1)
    db.session.add(coupon)
    db.session.commit()
    variant = VariantFactory(stock_on_hand=10)
    pickup = station()
    buyers = shoppers(client, 2, variant.id)
    for headers in buyers:
        assert client.post("/api/cart/coupon/", json={"code": "LASTONE"}, headers=headers).status_code == 200

    results = race(
        app, [({**h, "Idempotency-Key": uuid.uuid4().hex}, {"bus_station_id": pickup.id}) for h in buyers]
    )

    assert sorted(status for status, _ in results) == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "coupon_exhausted"
    db.session.expire_all()
    assert db.session.get(Coupon, coupon.id).used_count == 1
    assert db.session.get(ProductVariant, variant.id).stock_on_hand == 9
