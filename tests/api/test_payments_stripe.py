"""A card payment through Stripe (its SDK pointed at a stub): client secret, signed webhook,
and a refund that Stripe confirms later by webhook."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import responses

from app.payments.gateways.signing import hmac_hex
from tests.api.payments_helpers import GATEWAY_SETTINGS, deliver, pay, payment_row, place_order

STRIPE = GATEWAY_SETTINGS["STRIPE_BASE_URL"]


def stripe_event(kind: str, obj: dict) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {"id": f"evt_{kind}_{obj['id']}_{obj['status']}", "type": kind, "data": {"object": obj}}
    ).encode()
    t = int(time.time())
    signature = hmac_hex(GATEWAY_SETTINGS["STRIPE_WEBHOOK_SECRET"], f"{t}.".encode() + body)
    return body, {"Stripe-Signature": f"t={t},v1={signature}", "Content-Type": "application/json"}


def intent(reference: str, amount: int, status: str) -> dict:
    return {
        "id": "pi_3Sokoni",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": "usd",
        "client_secret": "pi_3Sokoni_secret_xyz",
        "latest_charge": "ch_3Sokoni" if status == "succeeded" else None,
        "last_payment_error": None,
        "metadata": {"reference": reference},
        "status": status,
    }


def test_a_card_payment_and_a_refund_confirmed_by_webhook(
    client, payer, payment_gateways, gateway_http, staff, auth_headers
):
    user, headers = payer
    order = place_order(client, user, headers, currency="USD", price=25_00)
    total = order["total"]["amount"]

    def create(request):
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        reference = parse_qs(body)["metadata[reference]"][0]
        return 200, {}, json.dumps(intent(reference, total, "requires_payment_method"))

    gateway_http.add_callback(responses.POST, f"{STRIPE}/v1/payment_intents", callback=create)
    started = pay(client, headers, order["number"])
    assert started.status_code == 201, started.json
    payment = started.json
    assert payment["gateway"] == "stripe"
    assert payment["fallback"] is None
    assert payment["client_secret"] == "pi_3Sokoni_secret_xyz"
    assert payment["authorization_url"] is None

    paid = intent(payment["reference"], total, "succeeded")
    assert deliver(client, "stripe", *stripe_event("payment_intent.succeeded", paid)).status_code == 200
    assert payment_row(payment["reference"]).status == "succeeded"

    refund_object = {
        "id": "re_3Sokoni",
        "object": "refund",
        "amount": 5_00,
        "currency": "usd",
        "payment_intent": "pi_3Sokoni",
        "metadata": {"payment_reference": payment["reference"]},
        "status": "pending",
    }
    gateway_http.add(responses.POST, f"{STRIPE}/v1/refunds", json=refund_object)
    refund = client.post(
        f"/api/payments/{payment['reference']}/refunds/",
        json={"amount": 5_00, "reason": "Scratched"},
        headers={**auth_headers(staff), "Idempotency-Key": "stripe-refund"},
    )
    assert refund.status_code == 201, refund.json
    assert refund.json["status"] == "pending"
    assert payment_row(payment["reference"]).status == "succeeded"

    done = stripe_event("refund.updated", {**refund_object, "status": "succeeded"})
    assert deliver(client, "stripe", *done).status_code == 200
    row = payment_row(payment["reference"])
    assert (row.status, row.amount_refunded) == ("partially_refunded", 5_00)
    assert [r.status for r in row.refunds] == ["succeeded"]
    assert (
        client.get(f"/api/orders/{order['number']}/", headers=headers).json["status"] == "partially_refunded"
    )
    assert deliver(client, "stripe", *done).json["duplicate"] is True
