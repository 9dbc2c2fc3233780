"""Checkout's one transaction: the order, its stock and its stored response commit together.

The ``Idempotency-Key`` wrapper stores the checkout's response in the transaction that
wrote the order. These tests show what another connection sees meanwhile, that the
order's jobs wait for that commit, that a failure before it leaves nothing behind, and
that a key whose claim is gone still finds the order it placed.
"""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from app.core.batched_jobs import waiting_count
from app.core.idempotency import IdempotencyKey
from app.core.jobs import get_queue
from app.core.mail import outbox
from app.extensions import db
from app.orders import routes, services
from app.orders.models import Order
from app.products.models import ProductVariant
from tests.api.orders_helpers import add_to_cart, checkout, station
from tests.factories import VariantFactory


@pytest.fixture
def shopper(customer, auth_headers):
    return auth_headers(customer)


def committed_orders() -> list[tuple[str, int | None]]:
    """Order numbers with their key's stored status, as another connection sees them."""
    with db.engine.connect() as other:
        query = sa.select(Order.number, IdempotencyKey.response_status).join(
            IdempotencyKey, IdempotencyKey.key == Order.idempotency_key
        )
        return [tuple(row) for row in other.execute(query)]


def stock_of(variant_id: int) -> int:
    db.session.expire_all()
    return db.session.get(ProductVariant, variant_id).stock_on_hand


def test_jobs_are_queued_once_the_order_and_its_response_are_committed(
    postgres, client, shopper, app, monkeypatch
):
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)
    seen_by_jobs = []
    queue = services.enqueue_batched

    def enqueue_batched(*args, **kwargs):
        seen_by_jobs.append(committed_orders())
        return queue(*args, **kwargs)

    monkeypatch.setattr(services, "enqueue_batched", enqueue_batched)
    add_to_cart(client, shopper, VariantFactory().id, 1)

    placed = checkout(client, shopper, {"bus_station_id": station().id})

    assert placed.status_code == 201, placed.json
    assert seen_by_jobs == [[(placed.json["number"], 201)]]
    scheduled = get_queue().scheduled_job_registry.get_job_ids()
    jobs = sorted(get_queue().fetch_job(job_id).func_name for job_id in scheduled)
    assert jobs == ["app.core.batched_jobs.drain", "app.orders.services.expire_order"]
    assert waiting_count("default") == 1  # the e-mail, for that drain


def test_a_retry_while_the_order_is_being_written_is_told_to_wait(
    postgres, app, client, shopper, monkeypatch
):
    rendering, release = threading.Event(), threading.Event()
    render = routes.sent_order_view

    def slow_render(*args, **kwargs):
        rendering.set()
        assert release.wait(30)
        return render(*args, **kwargs)

    monkeypatch.setattr(routes, "sent_order_view", slow_render)
    add_to_cart(client, shopper, VariantFactory(stock_on_hand=5).id, 1)
    body, key = {"bus_station_id": station().id}, uuid.uuid4().hex
    first: list = []
    thread = threading.Thread(target=lambda: first.append(checkout(app.test_client(), shopper, body, key)))
    thread.start()
    try:
        assert rendering.wait(30)
        retry = checkout(client, shopper, body, key)
        assert retry.status_code == 409
        assert retry.json["error"]["code"] == "idempotency_in_progress"
        assert committed_orders() == []  # written, not committed: nobody sees it yet
    finally:
        release.set()
        thread.join(30)

    (placed,) = first
    assert placed.status_code == 201, placed.json
    assert committed_orders() == [(placed.json["number"], 201)]
    replay = checkout(client, shopper, body, key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == placed.json


def test_a_failure_before_the_response_is_stored_leaves_nothing(client, shopper, monkeypatch):
    variant = VariantFactory(stock_on_hand=5)
    add_to_cart(client, shopper, variant.id, 2)
    body, key = {"bus_station_id": station().id}, uuid.uuid4().hex

    def broken_render(*_args, **_kwargs):
        raise RuntimeError("rendering failed")

    with monkeypatch.context() as patched:
        patched.setattr(routes, "sent_order_view", broken_render)
        assert checkout(client, shopper, body, key).status_code == 500

    assert db.session.query(Order).count() == 0
    assert stock_of(variant.id) == 5
    assert len(client.get("/api/cart/", headers=shopper).json["items"]) == 1
    assert outbox() == []
    assert checkout(client, shopper, body, key).status_code == 201  # the key was released


def test_a_key_whose_claim_is_gone_still_finds_its_order(client, shopper):
    variant = VariantFactory(stock_on_hand=5)
    add_to_cart(client, shopper, variant.id, 1)
    body, key = {"bus_station_id": station().id}, uuid.uuid4().hex
    placed = checkout(client, shopper, body, key)
    assert placed.status_code == 201, placed.json

    def forget_claims() -> None:  # as the purge does after IDEMPOTENCY_TTL_HOURS
        db.session.execute(sa.delete(IdempotencyKey))
        db.session.commit()

    forget_claims()
    again = checkout(client, shopper, body, key)  # the cart is empty now
    assert again.status_code == 201, again.json
    assert again.json["number"] == placed.json["number"]

    forget_claims()
    add_to_cart(client, shopper, variant.id, 2)
    once_more = checkout(client, shopper, body, key)  # a full cart: the order's insert collides
    assert once_more.status_code == 201, once_more.json
    assert once_more.json["number"] == placed.json["number"]
    assert db.session.query(Order).count() == 1
    assert stock_of(variant.id) == 4
    assert client.get("/api/cart/", headers=shopper).json["items"][0]["quantity"] == 2
