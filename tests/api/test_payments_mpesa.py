"""The third-party M-Pesa plugin: offered for KES in Kenya once configured, and paid through
Sokoni's whole pipeline (STK push, unsigned callback, re-verification with the STK query)."""

from __future__ import annotations

import json

import pytest
import responses

from app.payments.gateways.registry import installed_registry
from tests.api.payments_helpers import MPESA, MPESA_SETTINGS, deliver, pay, payment_row, place_order


@pytest.fixture
def mpesa(app, payment_gateways, monkeypatch):
    monkeypatch.setitem(
        app.config, "PAYMENTS_ENABLED_GATEWAYS", [*app.config["PAYMENTS_ENABLED_GATEWAYS"], "mpesa"]
    )
    for name, value in MPESA_SETTINGS.items():
        monkeypatch.setitem(app.config, name, value)


def test_the_plugin_is_installed_from_its_own_distribution():
    assert installed_registry().origins["mpesa"] == "sokoni-gateway-mpesa"


def test_it_is_offered_for_kenya_only_once_configured(client, payment_gateways, app, monkeypatch):
    monkeypatch.setitem(
        app.config, "PAYMENTS_ENABLED_GATEWAYS", [*app.config["PAYMENTS_ENABLED_GATEWAYS"], "mpesa"]
    )
    listed = [g["id"] for g in client.get("/api/payments/gateways/?currency=KES&country=KE").json]
    assert "mpesa" not in listed  # enabled, but its keys are missing
    for name, value in MPESA_SETTINGS.items():
        monkeypatch.setitem(app.config, name, value)
    offered = client.get("/api/payments/gateways/?currency=KES&country=KE").json
    assert "mpesa" in [g["id"] for g in offered]
    assert next(g for g in offered if g["id"] == "mpesa")["name"] == "M-Pesa"
    naira = [g["id"] for g in client.get("/api/payments/gateways/?currency=NGN&country=NG").json]
    assert "mpesa" not in naira


def test_an_m_pesa_payment_runs_through_the_pipeline(client, payer, mpesa, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers, currency="KES", country="KE", price=100_000)
    gateway_http.add(
        responses.GET, f"{MPESA}/oauth/v1/generate", json={"access_token": "daraja", "expires_in": "3599"}
    )
    gateway_http.add(
        responses.POST,
        f"{MPESA}/mpesa/stkpush/v1/processrequest",
        json={"CheckoutRequestID": "ws_CO_1", "ResponseCode": "0", "ResponseDescription": "Accepted"},
    )
    started = pay(client, headers, order["number"], gateway="mpesa", phone="+254712345678")
    assert started.status_code == 201, started.json
    payment = started.json
    assert payment["gateway"] == "mpesa"
    assert "M-Pesa PIN" in payment["instructions"]
    push = json.loads(gateway_http.calls[-1].request.body)
    assert push["Amount"] == order["total"]["amount"] // 100
    assert push["CallBackURL"].endswith("/api/payments/webhooks/mpesa/")

    gateway_http.add(
        responses.POST,
        f"{MPESA}/mpesa/stkpushquery/v1/query",
        json={"ResultCode": "0", "ResultDesc": "The service request is processed successfully."},
    )
    items = [{"Name": "Amount", "Value": order["total"]["amount"] // 100}, {"Name": "MpesaReceiptNumber"}]
    callback = {
        "Body": {
            "stkCallback": {
                "CheckoutRequestID": "ws_CO_1",
                "ResultCode": 0,
                "CallbackMetadata": {"Item": items},
            }
        }
    }
    response = deliver(client, "mpesa", json.dumps(callback).encode(), {"Content-Type": "application/json"})
    assert response.status_code == 200
    assert payment_row(payment["reference"]).status == "succeeded"
    assert client.get(f"/api/orders/{order['number']}/", headers=headers).json["status"] == "paid"
    assert any("stkpushquery" in call.request.url for call in gateway_http.calls)  # re-verified


def test_m_pesa_refunds_are_made_in_its_portal(client, payer, mpesa, gateway_http, staff, auth_headers):
    user, headers = payer
    order = place_order(client, user, headers, currency="KES", country="KE", price=100_000)
    gateway_http.add(
        responses.GET, f"{MPESA}/oauth/v1/generate", json={"access_token": "t", "expires_in": "3599"}
    )
    gateway_http.add(
        responses.POST,
        f"{MPESA}/mpesa/stkpush/v1/processrequest",
        json={"CheckoutRequestID": "ws_CO_2", "ResponseCode": "0"},
    )
    gateway_http.add(responses.POST, f"{MPESA}/mpesa/stkpushquery/v1/query", json={"ResultCode": "0"})
    reference = pay(client, headers, order["number"], gateway="mpesa", phone="+254712345678").json[
        "reference"
    ]
    assert client.post(f"/api/payments/{reference}/verify/", headers=headers).json["status"] == "succeeded"
    refused = client.post(
        f"/api/payments/{reference}/refunds/",
        json={"reason": "Returned"},
        headers={**auth_headers(staff), "Idempotency-Key": "r1"},
    )
    assert refused.status_code == 409
    assert refused.json["error"]["details"]["gateway"] == "mpesa"
