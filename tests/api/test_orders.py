"""Checkout and the order life cycle through the HTTP API."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.core.batched_jobs import drain, waiting_count
from app.core.jobs import get_queue
from app.core.mail import outbox
from app.core.models import utcnow
from app.extensions import db
from app.orders import services
from app.orders.models import Order
from app.orders.tasks import send_order_email
from app.products.models import ProductVariant, VariantPrice
from tests.api.orders_helpers import add_to_cart, address_for, checkout, courier, station
from tests.factories import UserFactory, VariantFactory


@pytest.fixture
def shopper(client, customer, auth_headers):
    return customer, auth_headers(customer)


def stock_of(variant_id: int) -> int:
    db.session.expire_all()
    return db.session.get(ProductVariant, variant_id).stock_on_hand


def test_checkout_to_an_address_in_naira(client, shopper):
    user, headers = shopper
    variant = VariantFactory(prices={"NGN": 100_000}, stock_on_hand=5, weight_grams=500)
    method = courier()
    address = address_for(user)
    add_to_cart(client, headers, variant.id, 2)

    response = checkout(client, headers, {"address_id": address.id, "shipping_method_id": method.id})
    assert response.status_code == 201, response.json
    order = response.json
    assert order["number"].startswith("SK-")
    assert order["status"] == "pending_payment"
    assert order["subtotal"] == {"amount": 200_000, "currency": "NGN"}
    assert order["shipping"]["amount"] == 150_000
    assert order["total"]["amount"] == 350_000
    assert order["tax_rate"] == "7.5"
    assert order["tax"]["amount"] == 24_419  # 350,000 x 7.5 / 107.5, rounded half-up: VAT included
    assert order["delivery"]["type"] == "address"
    assert order["delivery"]["address"]["landmark"] == address.landmark
    assert order["items"][0]["unit_price"]["amount"] == 100_000
    assert order["collection_code"] is None
    assert [e["to_status"] for e in order["history"]] == ["pending_payment"]
    assert stock_of(variant.id) == 3
    assert client.get("/api/cart/", headers=headers).json["items"] == []
    assert [m.to for m in outbox()] == [user.email]
    assert order["number"] in outbox()[0].subject


def test_checkout_in_shillings_with_no_decimals(client, customer, auth_headers):
    headers = auth_headers(customer)
    variant = VariantFactory(prices={"UGX": 45_000}, weight_grams=100)
    method = courier(country="UG", currency="UGX", bands=((None, 7_000),))
    address = address_for(customer, country="UG", city="Kampala", region="Central", phone="+256712345678")
    add_to_cart(client, headers, variant.id, 3, currency="UGX")
    order = checkout(client, headers, {"address_id": address.id, "shipping_method_id": method.id}).json
    assert order["total"] == {"amount": 142_000, "currency": "UGX"}
    assert order["tax"]["amount"] == 21_661  # 142,000 x 18 / 118 = 21,661.0…


def test_checkout_in_a_three_decimal_currency_with_vat_added(client, customer, auth_headers, app):
    app.config["PRICES_INCLUDE_TAX"] = False
    app.config["VAT_RATES_BP"] = {**app.config["VAT_RATES_BP"], "KW": 500}
    try:
        headers = auth_headers(customer)
        variant = VariantFactory(prices={"KWD": 12_345})  # 12.345 KWD
        method = courier(country="KW", currency="KWD", bands=((None, 1_500),))
        address = address_for(customer, country="KW", city="Kuwait City", region=None, phone="+96550012345")
        add_to_cart(client, headers, variant.id, 1, currency="KWD")
        order = checkout(client, headers, {"address_id": address.id, "shipping_method_id": method.id}).json
    finally:
        app.config["PRICES_INCLUDE_TAX"] = True
        del app.config["VAT_RATES_BP"]["KW"]
    assert order["tax"]["amount"] == 692  # 13.845 x 5 % = 0.69225 → 0.692
    assert order["total"] == {"amount": 13_845 + 692, "currency": "KWD"}


def test_bus_station_checkout_and_collection(client, customer, staff, auth_headers):
    headers = auth_headers(customer)
    pickup = station(fees={"NGN": 100_000})
    variant = VariantFactory(prices={"NGN": 300_000})
    add_to_cart(client, headers, variant.id, 1)
    response = checkout(client, headers, {"bus_station_id": pickup.id})
    assert response.status_code == 201, response.json
    order = response.json
    code = order["collection_code"]
    assert code.isdigit()
    assert len(code) == 6
    assert order["shipping"]["amount"] == 100_000
    assert order["delivery"]["bus_station"]["name"] == pickup.name
    assert code in outbox()[0].body
    stored = db.session.scalar(db.select(Order))
    assert code not in (stored.collection_code_hash or "")
    assert client.get(f"/api/orders/{order['number']}/", headers=headers).json["collection_code"] is None

    staff_headers = auth_headers(staff)
    number = order["number"]
    early = client.post(f"/api/orders/{number}/collect/", json={"code": code}, headers=staff_headers)
    assert early.status_code == 409
    ready = client.post(
        f"/api/orders/{number}/status/", json={"status": "ready_for_pickup"}, headers=staff_headers
    )
    assert ready.status_code == 200
    wrong = "000000" if code != "000000" else "111111"
    assert (
        client.post(f"/api/orders/{number}/collect/", json={"code": wrong}, headers=staff_headers).status_code
        == 403
    )
    collected = client.post(f"/api/orders/{number}/collect/", json={"code": code}, headers=staff_headers)
    assert collected.status_code == 200
    assert collected.json["status"] == "collected"


def test_a_placed_order_queues_its_email_and_schedules_its_expiry(client, shopper, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)  # as deployed: a worker runs them later
    _, headers = shopper
    add_to_cart(client, headers, VariantFactory().id, 1)
    placed = checkout(client, headers, {"bus_station_id": station().id})
    assert placed.status_code == 201, placed.json
    order_id = db.session.scalar(db.select(Order.id).where(Order.number == placed.json["number"]))
    assert outbox() == []  # queued, not sent by the request
    assert waiting_count("default") == 1
    scheduled = [get_queue().fetch_job(job_id) for job_id in get_queue().scheduled_job_registry.get_job_ids()]
    jobs = {job.func_name: job.args for job in scheduled}
    assert jobs == {
        "app.orders.services.expire_order": (order_id,),
        "app.core.batched_jobs.drain": ("default",),
    }

    drain("default")  # what that drain job runs, a second later
    (email,) = outbox()
    assert placed.json["number"] in email.subject
    assert placed.json["collection_code"] in email.body


def test_same_key_same_body_replays_and_another_body_conflicts(client, shopper):
    _, headers = shopper
    pickup = station()
    add_to_cart(client, headers, VariantFactory().id, 1)
    key = uuid.uuid4().hex
    first = checkout(client, headers, {"bus_station_id": pickup.id}, key=key)
    again = checkout(client, headers, {"bus_station_id": pickup.id}, key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["number"] == first.json["number"]
    other = checkout(client, headers, {"bus_station_id": pickup.id, "note": "ring twice"}, key=key)
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    assert db.session.query(Order).count() == 1


def test_checkout_needs_an_idempotency_key(client, shopper):
    _, headers = shopper
    response = client.post("/api/orders/", json={"bus_station_id": 1}, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "idempotency_key_required"


def test_a_failed_checkout_releases_its_key(client, shopper):
    _, headers = shopper
    pickup = station()
    key = uuid.uuid4().hex
    assert (
        checkout(client, headers, {"bus_station_id": pickup.id}, key=key).json["error"]["code"]
        == "cart_empty"
    )
    add_to_cart(client, headers, VariantFactory().id, 1)
    assert checkout(client, headers, {"bus_station_id": pickup.id}, key=key).status_code == 201


def test_short_stock_writes_nothing_and_names_the_items(client, shopper):
    _, headers = shopper
    scarce = VariantFactory(stock_on_hand=2)
    plenty = VariantFactory(stock_on_hand=10)
    add_to_cart(client, headers, scarce.id, 2)
    add_to_cart(client, headers, plenty.id, 1)
    db.session.query(ProductVariant).filter_by(id=scarce.id).update({"stock_on_hand": 1})
    db.session.commit()
    response = checkout(client, headers, {"bus_station_id": station().id})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "insufficient_stock"
    assert response.json["error"]["details"]["items"] == [
        {"variant_id": scarce.id, "sku": scarce.sku, "requested": 2, "available": 1}
    ]
    assert db.session.query(Order).count() == 0
    assert stock_of(plenty.id) == 10
    assert stock_of(scarce.id) == 1
    assert len(client.get("/api/cart/", headers=headers).json["items"]) == 2


def test_a_price_change_is_confirmed_before_ordering(client, shopper):
    _, headers = shopper
    variant = VariantFactory(prices={"NGN": 100_000})
    add_to_cart(client, headers, variant.id, 1)
    db.session.query(VariantPrice).filter_by(variant_id=variant.id).update({"amount": 90_000})
    db.session.commit()
    pickup = station()
    changed = checkout(client, headers, {"bus_station_id": pickup.id})
    assert changed.status_code == 409
    assert changed.json["error"]["code"] == "price_changed"
    assert changed.json["error"]["details"]["items"] == [
        {"variant_id": variant.id, "was": 100_000, "now": 90_000}
    ]
    placed = checkout(client, headers, {"bus_station_id": pickup.id})
    assert placed.status_code == 201
    assert placed.json["subtotal"]["amount"] == 90_000


def test_coupon_is_counted_when_the_order_is_placed(client, shopper):
    from app.cart.models import Coupon

    _, headers = shopper
    coupon = Coupon(code="HARAMBEE", kind="percentage", percent_off=20, usage_limit=5)
    db.session.add(coupon)
    db.session.commit()
    add_to_cart(client, headers, VariantFactory(prices={"NGN": 100_000}).id, 1)
    client.post("/api/cart/coupon/", json={"code": "harambee"}, headers=headers)
    assert db.session.get(Coupon, coupon.id).used_count == 0
    order = checkout(client, headers, {"bus_station_id": station().id}).json
    assert order["discount"]["amount"] == 20_000
    assert order["coupon_code"] == "HARAMBEE"
    db.session.expire_all()
    assert db.session.get(Coupon, coupon.id).used_count == 1


def test_cancel_returns_stock_exactly_once(client, shopper):
    _, headers = shopper
    variant = VariantFactory(stock_on_hand=5)
    add_to_cart(client, headers, variant.id, 2)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    assert stock_of(variant.id) == 3
    cancelled = client.post(
        f"/api/orders/{number}/cancel/", json={"reason": "changed my mind"}, headers=headers
    )
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert stock_of(variant.id) == 5
    again = client.post(f"/api/orders/{number}/cancel/", json={}, headers=headers)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "invalid_transition"
    assert stock_of(variant.id) == 5


def test_unpaid_orders_expire_and_return_stock_once(client, shopper):
    _, headers = shopper
    variant = VariantFactory(stock_on_hand=4)
    add_to_cart(client, headers, variant.id, 3)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    assert services.expire_overdue_orders() == 0  # not due yet
    db.session.query(Order).update({"expires_at": utcnow() - timedelta(minutes=1)})
    db.session.commit()
    assert services.expire_overdue_orders() == 1
    assert services.expire_overdue_orders() == 0
    assert stock_of(variant.id) == 4
    history = client.get(f"/api/orders/{number}/", headers=headers).json["history"]
    assert [(e["from_status"], e["to_status"], e["actor_role"]) for e in history][-1] == (
        "pending_payment",
        "expired",
        "system",
    )


@pytest.mark.parametrize(
    ("path", "target", "status", "code"),
    [
        ("status", "shipped", 409, "invalid_transition"),
        ("status", "delivered", 409, "invalid_transition"),
        ("status", "completed", 409, "invalid_transition"),
        ("status", "paid", 422, "validation_error"),
        ("status", "refunded", 422, "validation_error"),
        ("status", "collected", 422, "validation_error"),
    ],
)
def test_illegal_transitions(client, shopper, staff, auth_headers, path, target, status, code):
    _, headers = shopper
    add_to_cart(client, headers, VariantFactory().id, 1)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    response = client.post(
        f"/api/orders/{number}/{path}/", json={"status": target}, headers=auth_headers(staff)
    )
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    assert client.get(f"/api/orders/{number}/", headers=headers).json["status"] == "pending_payment"


def test_staff_walks_an_order_through_its_life(client, shopper, staff, auth_headers):
    _, headers = shopper
    variant = VariantFactory(stock_on_hand=3)
    add_to_cart(client, headers, variant.id, 1)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    order = db.session.scalar(db.select(Order).where(Order.number == number))
    services.transition(order, "paid")  # what payments will do
    staff_headers = auth_headers(staff)
    for target in ("processing", "ready_for_pickup"):
        response = client.post(
            f"/api/orders/{number}/status/", json={"status": target}, headers=staff_headers
        )
        assert response.status_code == 200, response.json
    late_cancel = client.post(f"/api/orders/{number}/cancel/", json={}, headers=headers)
    assert late_cancel.status_code == 409
    history = client.get(f"/api/orders/{number}/", headers=headers).json["history"]
    assert [e["to_status"] for e in history] == ["pending_payment", "paid", "processing", "ready_for_pickup"]
    assert stock_of(variant.id) == 2


def test_customers_cannot_change_status(client, shopper):
    _, headers = shopper
    add_to_cart(client, headers, VariantFactory().id, 1)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    response = client.post(f"/api/orders/{number}/status/", json={"status": "processing"}, headers=headers)
    assert response.status_code == 403


def test_another_users_orders_and_addresses_are_404(client, shopper, auth_headers):
    user, headers = shopper
    add_to_cart(client, headers, VariantFactory().id, 1)
    number = checkout(client, headers, {"bus_station_id": station().id}).json["number"]
    mallory = UserFactory()
    other = auth_headers(mallory)
    assert client.get(f"/api/orders/{number}/", headers=other).status_code == 404
    assert client.post(f"/api/orders/{number}/cancel/", json={}, headers=other).status_code == 404
    assert client.get("/api/orders/", headers=other).json == []
    mine = address_for(user)
    add_to_cart(client, other, VariantFactory().id, 1)
    stolen = checkout(client, other, {"address_id": mine.id, "shipping_method_id": courier().id})
    assert stolen.status_code == 404


def test_checkout_validation(client, shopper):
    _, headers = shopper
    both = checkout(client, headers, {"address_id": 1, "bus_station_id": 1})
    assert both.status_code == 422
    neither = checkout(client, headers, {})
    assert neither.status_code == 422
    empty = checkout(client, headers, {"bus_station_id": station().id})
    assert empty.status_code == 422
    assert empty.json["error"]["code"] == "cart_empty"


def test_address_delivery_needs_a_method_that_serves_it(client, shopper):
    user, headers = shopper
    add_to_cart(client, headers, VariantFactory().id, 1)
    address = address_for(user)
    missing = checkout(client, headers, {"address_id": address.id})
    assert missing.status_code == 422
    kenyan = courier(country="KE", currency="NGN")
    wrong_zone = checkout(client, headers, {"address_id": address.id, "shipping_method_id": kenyan.id})
    assert wrong_zone.status_code == 422
    assert db.session.query(Order).count() == 0


def test_order_list_filters_and_constant_queries(client, shopper, staff, auth_headers, count_queries):
    _, headers = shopper
    pickup = station()
    numbers = []
    for _ in range(3):
        add_to_cart(client, headers, VariantFactory().id, 1)
        numbers.append(checkout(client, headers, {"bus_station_id": pickup.id}).json["number"])
    client.post(f"/api/orders/{numbers[0]}/cancel/", json={}, headers=headers)
    listed = client.get("/api/orders/", headers=headers).json
    assert [o["number"] for o in listed] == list(reversed(numbers))
    cancelled = client.get("/api/orders/?status=cancelled", headers=headers).json
    assert [o["number"] for o in cancelled] == [numbers[0]]
    staff_view = client.get(
        "/api/orders/?all=true&delivery_type=bus_station", headers=auth_headers(staff)
    ).json
    assert len(staff_view) == 3
    with count_queries() as few:
        client.get("/api/orders/?page_size=1", headers=headers)
    with count_queries() as many:
        client.get("/api/orders/?page_size=3", headers=headers)
    assert many.count == few.count


def test_checkout_sends_the_order_exactly_as_the_schema_dumps_it(client, shopper, staff, auth_headers):
    from app.orders.schemas import OrderSchema
    from app.orders.views import order_view, sent_order_view

    user, headers = shopper
    variant = VariantFactory(options={"size": 42, "gift": True, "colour": "red", "engraving": None})
    add_to_cart(client, headers, variant.id, 1)
    placed = checkout(
        client, headers, {"address_id": address_for(user).id, "shipping_method_id": courier().id}
    )
    assert placed.status_code == 201, placed.json
    number = placed.json["number"]
    assert placed.json["items"][0]["options"] == {
        "size": "42",
        "gift": "True",
        "colour": "red",
        "engraving": None,
    }
    assert placed.json == client.get(f"/api/orders/{number}/", headers=headers).json
    client.post(f"/api/orders/{number}/cancel/", json={"reason": "changed my mind"}, headers=headers)

    order = services.get_order(user, number)
    assert len(order.events) == 2
    for expires_at in (order.expires_at, None):
        order.expires_at = expires_at
        assert sent_order_view(order, "123456") == OrderSchema().dump(order_view(order, "123456"))
    db.session.rollback()


def test_the_order_email_lists_every_line_and_reads_it_in_one_statement(client, shopper, count_queries):
    user, headers = shopper
    first, second = VariantFactory(), VariantFactory()
    email = user.email
    lines = [f"2 x {first.product.name} ({first.sku})", f"1 x {second.product.name} ({second.sku})"]
    add_to_cart(client, headers, first.id, 2)
    add_to_cart(client, headers, second.id, 1)
    placed = checkout(client, headers, {"bus_station_id": station().id})
    assert placed.status_code == 201, placed.json
    outbox().clear()
    db.session.remove()  # as in a worker: nothing of the request is in the session
    order_id = db.session.scalar(db.select(Order.id).where(Order.number == placed.json["number"]))
    db.session.remove()
    with count_queries() as counter:
        send_order_email(order_id, "placed")
    assert counter.count == 1  # the order's lines with the order and its customer's e-mail
    (mail,) = outbox()
    assert mail.to == email
    assert all(line in mail.body for line in lines)
    send_order_email(order_id + 1000, "placed")  # an order that is gone: nothing is sent
    assert len(outbox()) == 1
