"""Staff refunds: full and partial, never more than captured, idempotent, through the gateway."""

from __future__ import annotations

import json
import uuid

import pytest
import responses

from app.extensions import db
from app.payments.models import Transaction
from tests.api.payments_helpers import MOMO, deliver, pay, payment_row, place_order, sandbox_webhook


@pytest.fixture
def paid(app, client, payer, payment_gateways):
    """A customer's order paid through the sandbox: (order, payment reference)."""
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    assert deliver(client, "sandbox", *sandbox_webhook(app, reference)).status_code == 200
    return order, reference


def refund(client, headers, reference, key=None, **body):
    body.setdefault("reason", "Customer returned the item")
    return client.post(
        f"/api/payments/{reference}/refunds/",
        json=body,
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


def test_a_full_refund_refunds_the_order(client, paid, staff, auth_headers, payer):
    order, reference = paid
    response = refund(client, auth_headers(staff), reference)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "succeeded"
    assert response.json["amount"] == order["total"]
    assert response.json["payment"] == reference
    assert payment_row(reference).status == "refunded"
    customer_view = client.get(f"/api/payments/{reference}/", headers=payer[1]).json
    assert customer_view["refunded"] == order["total"]
    assert client.get(f"/api/orders/{order['number']}/", headers=payer[1]).json["status"] == "refunded"


def test_partial_refunds_up_to_the_captured_total_and_not_a_unit_more(client, paid, staff, auth_headers):
    order, reference = paid
    headers = auth_headers(staff)
    total = order["total"]["amount"]
    first = refund(client, headers, reference, amount=total - 1_000)
    assert first.status_code == 201
    assert payment_row(reference).status == "partially_refunded"
    too_much = refund(client, headers, reference, amount=1_001)
    assert too_much.status_code == 422
    assert too_much.json["error"]["code"] == "refund_exceeds_captured"
    assert too_much.json["error"]["details"]["refundable"] == {"amount": 1_000, "currency": "NGN"}
    last = refund(client, headers, reference, amount=1_000)
    assert last.status_code == 201
    payment = payment_row(reference)
    assert (payment.status, payment.amount_refunded) == ("refunded", total)
    assert refund(client, headers, reference, amount=1).status_code == 422


def test_a_refund_key_is_honoured_once(client, paid, staff, auth_headers):
    _order, reference = paid
    headers = auth_headers(staff)
    first = refund(client, headers, reference, key="refund-1", amount=5_000)
    again = refund(client, headers, reference, key="refund-1", amount=5_000)
    assert again.json["reference"] == first.json["reference"]
    assert payment_row(reference).amount_refunded == 5_000


def test_only_staff_refund(client, paid, payer):
    _order, reference = paid
    assert refund(client, payer[1], reference).status_code == 403
    assert refund(client, {}, reference).status_code == 401


def test_an_unpaid_payment_cannot_be_refunded(client, payer, payment_gateways, staff, auth_headers):
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    response = refund(client, auth_headers(staff), reference)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "payment_not_refundable"
    assert refund(client, auth_headers(staff), "PAY-NOPE").status_code == 404


def test_a_refund_request_needs_a_reason(client, paid, staff, auth_headers):
    _order, reference = paid
    response = client.post(
        f"/api/payments/{reference}/refunds/",
        json={"amount": 100},
        headers={**auth_headers(staff), "Idempotency-Key": "k"},
    )
    assert response.status_code == 422


def momo_token(gateway_http, product):
    gateway_http.add(
        responses.POST,
        f"{MOMO}/{product}/token/",
        json={"access_token": f"{product}-token", "expires_in": 3600},
    )


def test_mobile_money_is_refunded_through_the_disbursement_api(
    client, payer, payment_gateways, gateway_http, staff, auth_headers
):
    user, headers = payer
    order = place_order(client, user, headers, currency="UGX", country="UG", price=45_000)
    momo_token(gateway_http, "collection")
    gateway_http.add(responses.POST, f"{MOMO}/collection/v1_0/requesttopay", status=202)
    started = pay(client, headers, order["number"], method="mobile_money", phone="+256772123456")
    assert started.status_code == 201, started.json
    payment = started.json
    assert payment["gateway"] == "mtn_momo"
    assert "Approve the payment" in payment["instructions"]
    provider_reference = payment_row(payment["reference"]).provider_reference
    status_body = {
        "amount": str(order["total"]["amount"]),
        "currency": "UGX",
        "externalId": payment["reference"],
        "status": "SUCCESSFUL",
        "financialTransactionId": "991",
    }
    gateway_http.add(
        responses.GET, f"{MOMO}/collection/v1_0/requesttopay/{provider_reference}", json=status_body
    )
    callback = json.dumps({**status_body, "referenceId": provider_reference}).encode()
    assert (
        deliver(client, "mtn_momo", callback, {"Content-Type": "application/json"}, method="put").status_code
        == 200
    )
    assert payment_row(payment["reference"]).status == "succeeded"

    momo_token(gateway_http, "disbursement")
    gateway_http.add(responses.POST, f"{MOMO}/disbursement/v1_0/refund", status=202)
    response = refund(client, auth_headers(staff), payment["reference"], amount=10_000)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "pending"  # MoMo confirms refunds later
    sent = json.loads(gateway_http.calls[-1].request.body)
    assert sent["referenceIdToRefund"] == provider_reference
    assert sent["amount"] == "10000"
    assert gateway_http.calls[-1].request.headers["Ocp-Apim-Subscription-Key"] == "disbursement-key"
    log = db.session.scalars(db.select(Transaction).where(Transaction.kind == "refund")).all()
    assert [t.outcome for t in log] == ["ok"]
