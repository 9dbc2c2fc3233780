"""Webhooks through the HTTP endpoint: signatures on the raw body, dedupe, ordering, checks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses

from app.cli.worker import AppContextWorker
from app.core.jobs import get_queue
from app.core.models import utcnow
from app.core.money import Money
from app.core.redis_client import get_redis
from app.extensions import db
from app.payments.gateways.signing import hmac_hex
from app.payments.models import Transaction, WebhookEvent
from tests.api.payments_helpers import (
    FLUTTERWAVE,
    MOMO,
    deliver,
    pay,
    payment_row,
    paystack_initialize,
    place_order,
    sandbox_webhook,
)


@pytest.fixture
def open_payment(client, payer, payment_gateways):
    """A sandbox payment waiting for its webhook: (order, reference, customer headers)."""
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    return order, reference, headers


def order_status(client, headers, number):
    return client.get(f"/api/orders/{number}/", headers=headers).json["status"]


def events():
    db.session.expire_all()
    return db.session.scalars(db.select(WebhookEvent).order_by(WebhookEvent.id)).all()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers: (body.replace(b'"succeeded"', b'"succeedex"'), headers),
        lambda body, headers: (body, {"Content-Type": "application/json"}),
        lambda body, headers: (body, {**headers, "X-Sandbox-Signature": "0" * 64}),
    ],
    ids=["tampered-body", "missing-signature", "wrong-signature"],
)
def test_a_bad_signature_is_a_401_recorded_and_nothing_else(app, client, open_payment, tamper):
    order, reference, headers = open_payment
    body, signed = sandbox_webhook(app, reference)
    response = deliver(client, "sandbox", *tamper(body, signed))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_signature"
    (event,) = events()
    assert (event.status, event.signature_valid) == ("rejected", False)
    rejected = db.session.scalars(
        db.select(Transaction).where(Transaction.outcome == "invalid_signature")
    ).all()
    assert len(rejected) == 1
    assert payment_row(reference).status == "pending"
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_a_replayed_delivery_answers_200_and_changes_nothing(app, client, open_payment):
    order, reference, headers = open_payment
    body, signed = sandbox_webhook(app, reference)
    assert deliver(client, "sandbox", body, signed).json["duplicate"] is False
    history = client.get(f"/api/orders/{order['number']}/", headers=headers).json["history"]
    replay = deliver(client, "sandbox", body, signed)
    assert replay.status_code == 200
    assert replay.json["duplicate"] is True
    assert [e.status for e in events()] == ["processed"]
    assert client.get(f"/api/orders/{order['number']}/", headers=headers).json["history"] == history


def test_a_late_failure_after_success_is_recorded_and_ignored(app, client, open_payment):
    order, reference, headers = open_payment
    failed = sandbox_webhook(app, reference, approved=False)  # sent first, arrives last
    deliver(client, "sandbox", *sandbox_webhook(app, reference))
    assert deliver(client, "sandbox", *failed).status_code == 200
    assert payment_row(reference).status == "succeeded"
    assert order_status(client, headers, order["number"]) == "paid"
    assert [(e.status, e.error) for e in events()] == [("processed", None), ("ignored", "ignored_late")]


def test_news_that_changes_nothing_is_recorded_without_locking_anything(
    app, client, open_payment, count_queries
):
    """A repeated success and a late failure are decided on the status as read, unlocked."""
    _, reference, _ = open_payment
    deliver(client, "sandbox", *sandbox_webhook(app, reference))
    with count_queries() as counter:
        deliver(client, "sandbox", *sandbox_webhook(app, reference))
        deliver(client, "sandbox", *sandbox_webhook(app, reference, approved=False))
    assert [s for s in counter.statements if "FOR UPDATE" in s and "SKIP LOCKED" not in s] == []
    assert [(e.status, e.error) for e in events()][1:] == [
        ("ignored", "already_succeeded"),
        ("ignored", "ignored_late"),
    ]
    logged = db.session.scalars(db.select(Transaction).where(Transaction.kind == "webhook")).all()
    assert {t.payment_id for t in logged} == {payment_row(reference).id}


def test_an_amount_mismatch_flags_the_payment_and_never_pays_the_order(app, client, open_payment):
    order, reference, headers = open_payment
    short = Money(order["total"]["amount"] - 1, "NGN")
    assert deliver(client, "sandbox", *sandbox_webhook(app, reference, amount=short)).status_code == 200
    payment = payment_row(reference)
    assert payment.status == "pending"
    assert payment.flagged_for_review
    assert "amount" in payment.review_reason
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_a_currency_mismatch_is_flagged_too(app, client, open_payment):
    order, reference, headers = open_payment
    dollars = Money(order["total"]["amount"], "USD")
    deliver(client, "sandbox", *sandbox_webhook(app, reference, amount=dollars))
    assert payment_row(reference).flagged_for_review
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_a_decline_fails_the_payment_and_leaves_the_order_payable(app, client, open_payment):
    order, reference, headers = open_payment
    deliver(client, "sandbox", *sandbox_webhook(app, reference, approved=False))
    assert payment_row(reference).status == "failed"
    assert order_status(client, headers, order["number"]) == "pending_payment"
    retry = pay(client, headers, order["number"], gateway="sandbox")
    assert retry.status_code == 201
    assert retry.json["reference"] != reference


def test_an_event_for_an_unknown_payment_is_ignored(app, client, payment_gateways):
    from app.payments.gateways.registry import get_gateway

    body, headers = get_gateway("sandbox", app.config).signed_webhook(
        "PAY-UNKNOWN", "sbx", Money(100, "NGN"), True
    )
    assert deliver(client, "sandbox", body, headers).status_code == 200
    assert [(e.status, e.error) for e in events()] == [("ignored", "unknown_payment")]


def test_an_unconfigured_gateway_has_no_webhook(client, payment_gateways):
    assert deliver(client, "nope", b"{}", {}).status_code == 404


def test_a_signed_but_unreadable_body_is_refused(app, client, payment_gateways):
    body = b"not json"
    headers = {"X-Sandbox-Signature": hmac_hex("test-sandbox-secret", body)}
    assert deliver(client, "sandbox", body, headers).status_code == 422
    assert events() == []


def test_a_delivery_carrying_a_fraction_is_stored_and_applied(app, client, open_payment):
    """Bodies parse fractions as ``Decimal``, which no JSON column encodes: only the body is stored."""
    order, reference, headers = open_payment
    body, _ = sandbox_webhook(app, reference)
    body = body[:-1] + b', "fee_rate": 1.5}'
    signed = {"X-Sandbox-Signature": hmac_hex("test-sandbox-secret", body)}
    assert deliver(client, "sandbox", body, signed).status_code == 200
    assert [e.body for e in events()] == [body.decode()]
    assert order_status(client, headers, order["number"]) == "paid"


def test_a_paystack_charge_success_pays_the_order(app, client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http)
    reference = pay(client, headers, order["number"], gateway="paystack").json["reference"]
    data = {"id": 99, "status": "success", "reference": reference, "amount": order["total"]["amount"]}
    body = json.dumps({"event": "charge.success", "data": {**data, "currency": "NGN"}}).encode()
    signature = hmac_hex("sk_test_paystack", body, "sha512")
    assert deliver(client, "paystack", body, {"x-paystack-signature": signature}).status_code == 200
    assert payment_row(reference).status == "succeeded"
    assert order_status(client, headers, order["number"]) == "paid"


def flutterwave_payment(client, payer, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    gateway_http.add(
        responses.POST,
        f"{FLUTTERWAVE}/v3/payments",
        json={"status": "success", "data": {"link": "https://f.test/x"}},
    )
    reference = pay(client, headers, order["number"], gateway="flutterwave").json["reference"]
    return order, reference, headers


@pytest.mark.parametrize(("verified", "expected"), [("successful", "succeeded"), ("failed", "failed")])
def test_flutterwave_events_are_re_verified_before_acting(
    client, payer, payment_gateways, gateway_http, verified, expected
):
    order, reference, headers = flutterwave_payment(client, payer, gateway_http)
    major = f"{order['total']['amount'] / 100:.2f}"
    claimed = {"id": 555, "tx_ref": reference, "status": "successful", "amount": major, "currency": "NGN"}
    gateway_http.add(
        responses.GET,
        f"{FLUTTERWAVE}/v3/transactions/verify_by_reference",
        json={"status": "success", "data": {**claimed, "status": verified}},
    )
    body = json.dumps({"event": "charge.completed", "data": claimed}).encode()
    assert deliver(client, "flutterwave", body, {"verif-hash": "flw-hash"}).status_code == 200
    assert payment_row(reference).status == expected
    assert order_status(client, headers, order["number"]) == (
        "paid" if expected == "succeeded" else "pending_payment"
    )


def test_an_unsigned_momo_callback_is_only_a_hint(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers, currency="UGX", country="UG", price=45_000)
    gateway_http.add(
        responses.POST, f"{MOMO}/collection/token/", json={"access_token": "t", "expires_in": 3600}
    )
    gateway_http.add(responses.POST, f"{MOMO}/collection/v1_0/requesttopay", status=202)
    reference = pay(client, headers, order["number"], gateway="mtn_momo", phone="+256772123456").json[
        "reference"
    ]
    provider_reference = payment_row(reference).provider_reference
    still_pending = {"amount": str(order["total"]["amount"]), "currency": "UGX", "externalId": reference}
    gateway_http.add(
        responses.GET,
        f"{MOMO}/collection/v1_0/requesttopay/{provider_reference}",
        json={**still_pending, "status": "PENDING"},
    )
    forged = json.dumps({**still_pending, "status": "SUCCESSFUL", "referenceId": provider_reference}).encode()
    assert deliver(client, "mtn_momo", forged, {"Content-Type": "application/json"}).status_code == 200
    assert payment_row(reference).status == "pending"  # MoMo itself says it is not paid
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_mobile_money_keeps_the_order_longer(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers, currency="UGX", country="UG", price=45_000)
    gateway_http.add(
        responses.POST, f"{MOMO}/collection/token/", json={"access_token": "t", "expires_in": 3600}
    )
    gateway_http.add(responses.POST, f"{MOMO}/collection/v1_0/requesttopay", status=202)
    pay(client, headers, order["number"], gateway="mtn_momo", phone="+256772123456")
    extended = client.get(f"/api/orders/{order['number']}/", headers=headers).json["expires_at"]
    assert extended > order["expires_at"]


def test_a_replay_revives_a_delivery_whose_job_was_lost(app, client, open_payment, monkeypatch):
    _order, reference, _headers = open_payment
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)
    body, headers = sandbox_webhook(app, reference)
    deliver(client, "sandbox", body, headers)
    get_redis().delete(get_queue("high").key)  # the job is lost (Redis flushed, worker crashed)
    (event,) = events()
    event.received_at = utcnow() - timedelta(minutes=10)
    db.session.commit()

    assert deliver(client, "sandbox", body, headers).json["duplicate"] is True
    assert get_queue("high").count == 1
    AppContextWorker(["high", "default"], connection=get_redis(), app=app).work(burst=True)
    assert payment_row(reference).status == "succeeded"
    assert [e.status for e in events()] == ["processed"]


def test_once_flagged_a_payment_is_not_paid_by_a_later_matching_event(app, client, open_payment):
    order, reference, headers = open_payment
    wrong = Money(order["total"]["amount"] * 2, "NGN")
    deliver(client, "sandbox", *sandbox_webhook(app, reference, amount=wrong))
    deliver(client, "sandbox", *sandbox_webhook(app, reference))
    assert payment_row(reference).status == "pending"
    assert order_status(client, headers, order["number"]) == "pending_payment"
