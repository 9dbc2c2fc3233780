"""Paying an order through the API: payment_gateways, initiation rules, sandbox end to end, BOLA."""

from __future__ import annotations

import pytest
import responses

from app.core.mail import outbox
from app.extensions import db
from app.payments.models import Transaction, WebhookEvent
from tests.api.payments_helpers import (
    FLUTTERWAVE,
    deliver,
    pay,
    payment_row,
    paystack_initialize,
    paystack_verify,
    place_order,
    sandbox_webhook,
)
from tests.factories import UserFactory


def order_status(client, headers, number):
    return client.get(f"/api/orders/{number}/", headers=headers).json["status"]


def test_gateways_are_listed_in_order_of_preference(client, payment_gateways):
    response = client.get("/api/payments/gateways/?currency=NGN&country=NG")
    assert response.status_code == 200
    ids = [g["id"] for g in response.json]
    assert ids[:3] == ["paystack", "flutterwave", "stripe"]
    assert "sandbox" in ids
    assert "mtn_momo" not in ids  # no naira mobile money at MTN
    mobile = client.get("/api/payments/gateways/?currency=UGX&country=UG&method=mobile_money").json
    assert mobile[0]["id"] == "mtn_momo"
    assert mobile[0]["methods"] == ["mobile_money"]


def test_gateways_need_a_known_currency(client, payment_gateways):
    assert client.get("/api/payments/gateways/").status_code == 422
    assert client.get("/api/payments/gateways/?currency=XYZ").status_code == 422


def test_unconfigured_gateways_are_not_offered(client):
    ids = [g["id"] for g in client.get("/api/payments/gateways/?currency=NGN").json]
    assert ids == ["pay_on_pickup"]  # the test config sets no provider keys


def test_sandbox_payment_end_to_end(app, client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    outbox().clear()

    response = pay(client, headers, order["number"], gateway="sandbox", return_url="https://shop.test/done")
    assert response.status_code == 201, response.json
    payment = response.json
    assert payment["status"] == "pending"
    assert payment["gateway"] == "sandbox"
    assert payment["amount"] == order["total"]
    assert payment["authorization_url"] == f"/api/payments/sandbox/{payment['reference']}/"
    assert payment["fallback"] is None

    delivered = deliver(client, "sandbox", *sandbox_webhook(app, payment["reference"]))
    assert delivered.status_code == 200
    assert delivered.json == {"received": True, "duplicate": False}

    assert order_status(client, headers, order["number"]) == "paid"
    paid = client.get(f"/api/payments/{payment['reference']}/", headers=headers).json
    assert paid["status"] == "succeeded"
    receipts = [m for m in outbox() if m.subject.startswith("Receipt")]
    assert len(receipts) == 1
    assert receipts[0].to == user.email
    assert payment["reference"] in receipts[0].body
    kinds = [(t.kind, t.outcome) for t in db.session.scalars(db.select(Transaction).order_by(Transaction.id))]
    assert kinds == [("initialize", "ok"), ("webhook", "succeeded")]  # its receipt is the event row
    (event,) = db.session.scalars(db.select(WebhookEvent)).all()
    assert (event.status, event.attempts, event.reference) == ("processed", 1, payment["reference"])


def test_the_same_key_replays_the_same_payment(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    first = pay(client, headers, order["number"], key="pay-once", gateway="sandbox")
    again = pay(client, headers, order["number"], key="pay-once", gateway="sandbox")
    assert first.status_code == again.status_code == 201
    assert again.json["reference"] == first.json["reference"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other_body = pay(client, headers, order["number"], key="pay-once", gateway="paystack")
    assert other_body.status_code == 409


def test_asking_again_returns_the_open_payment(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    first = pay(client, headers, order["number"], gateway="sandbox").json
    again = pay(client, headers, order["number"])
    assert again.status_code == 200
    assert again.json["reference"] == first["reference"]


def test_another_gateway_supersedes_the_open_payment(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    first = pay(client, headers, order["number"], gateway="sandbox").json
    paystack_initialize(gateway_http)
    second = pay(client, headers, order["number"], gateway="paystack")
    assert second.status_code == 201, second.json
    assert second.json["reference"] != first["reference"]
    assert second.json["authorization_url"].startswith("https://checkout.paystack.test/")
    assert payment_row(first["reference"]).status == "superseded"


def test_a_gateway_down_falls_back_to_the_next_one(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http, status=503)
    gateway_http.add(
        responses.POST,
        f"{FLUTTERWAVE}/v3/payments",
        json={"status": "success", "data": {"link": "https://checkout.flutterwave.test/pay/abc"}},
    )
    response = pay(client, headers, order["number"])
    assert response.status_code == 201, response.json
    assert response.json["gateway"] == "flutterwave"
    assert response.json["fallback"]["from"] == "paystack"
    assert response.json["authorization_url"] == "https://checkout.flutterwave.test/pay/abc"
    log = db.session.scalars(db.select(Transaction).order_by(Transaction.id)).all()
    assert [(t.gateway, t.outcome) for t in log] == [("paystack", "error:network"), ("flutterwave", "ok")]
    assert "sk_test_paystack" not in str([t.request_summary for t in log])


def test_every_gateway_down_is_a_503_and_a_failed_payment(
    app, client, payer, payment_gateways, gateway_http, monkeypatch
):
    monkeypatch.setitem(app.config, "PAYMENTS_ENABLED_GATEWAYS", ["paystack"])
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http, status=500)
    response = pay(client, headers, order["number"], key="down")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "gateway_unavailable"
    paystack_initialize(gateway_http)
    retried = pay(client, headers, order["number"], key="down")
    assert retried.status_code == 201  # the key was released with the failure


def test_only_the_owner_sees_or_pays(client, payer, payment_gateways, auth_headers, staff):
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    intruder = auth_headers(UserFactory())
    assert client.get(f"/api/payments/{reference}/", headers=intruder).status_code == 404
    assert client.post(f"/api/payments/{reference}/verify/", headers=intruder).status_code == 404
    assert pay(client, intruder, order["number"]).status_code == 404
    assert client.get(f"/api/payments/{reference}/", headers=auth_headers(staff)).status_code == 200
    assert pay(client, auth_headers(staff), order["number"]).status_code == 404
    assert client.get(f"/api/payments/{reference}/").status_code == 401


def test_only_orders_awaiting_payment_can_be_paid(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    client.post(f"/api/orders/{order['number']}/cancel/", json={}, headers=headers)
    response = pay(client, headers, order["number"], gateway="sandbox")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "order_not_payable"


def test_an_unknown_gateway_is_a_422(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    response = pay(client, headers, order["number"], gateway="mtn_momo")  # no naira at MTN
    assert response.status_code == 422
    assert "paystack" in response.json["error"]["details"]["available"]


def test_verify_after_the_redirect_settles_the_payment(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http)
    payment = pay(client, headers, order["number"], gateway="paystack").json
    paystack_verify(gateway_http, payment["reference"], order["total"]["amount"])
    verified = client.post(f"/api/payments/{payment['reference']}/verify/", headers=headers)
    assert verified.status_code == 200
    assert verified.json["status"] == "succeeded"
    assert order_status(client, headers, order["number"]) == "paid"


@pytest.mark.parametrize("abandoned", ["abandoned", "failed"])
def test_verify_of_an_unfinished_or_failed_payment(client, payer, payment_gateways, gateway_http, abandoned):
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http)
    payment = pay(client, headers, order["number"], gateway="paystack").json
    paystack_verify(gateway_http, payment["reference"], order["total"]["amount"], status=abandoned)
    verified = client.post(f"/api/payments/{payment['reference']}/verify/", headers=headers).json
    assert verified["status"] == ("pending" if abandoned == "abandoned" else "failed")
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_a_pay_on_pickup_order_is_paid_in_cash_at_collection(
    client, payer, payment_gateways, staff, auth_headers
):
    user, headers = payer
    order = place_order(client, user, headers, pickup=True)
    code = order["collection_code"]
    response = pay(client, headers, order["number"], gateway="pay_on_pickup")
    assert response.status_code == 201, response.json
    payment = response.json
    assert payment["status"] == "pending"
    assert "cash" in payment["instructions"]
    assert order_status(client, headers, order["number"]) == "ready_for_pickup"
    outbox().clear()

    collected = client.post(
        f"/api/orders/{order['number']}/collect/", json={"code": code}, headers=auth_headers(staff)
    )
    assert collected.status_code == 200
    assert payment_row(payment["reference"]).status == "succeeded"
    assert any(m.subject.startswith("Receipt") for m in outbox())


def test_pay_on_pickup_is_only_for_bus_station_orders(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    assert pay(client, headers, order["number"], gateway="pay_on_pickup").status_code == 422


def test_a_paid_order_cancelled_is_refunded(app, client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    deliver(client, "sandbox", *sandbox_webhook(app, reference))
    cancelled = client.post(f"/api/orders/{order['number']}/cancel/", json={}, headers=headers)
    assert cancelled.status_code == 200
    payment = payment_row(reference)
    assert payment.status == "refunded"
    assert [(r.amount, r.status) for r in payment.refunds] == [(payment.amount, "succeeded")]
    assert order_status(client, headers, order["number"]) == "cancelled"


def test_an_open_payment_of_a_cancelled_order_expires(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    client.post(f"/api/orders/{order['number']}/cancel/", json={}, headers=headers)
    assert payment_row(reference).status == "expired"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "", "ftp://shop.test/", "https://shop.test/a b"])
def test_the_return_url_must_be_an_http_url(client, payer, payment_gateways, url):
    user, headers = payer
    order = place_order(client, user, headers)
    response = pay(client, headers, order["number"], gateway="sandbox", return_url=url)
    assert response.status_code == 422
    assert "return_url" in response.json["error"]["details"]["json"]
