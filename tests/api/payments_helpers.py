"""Shared set-up for the payment tests: gateways configured, orders placed, webhooks signed.

Gateways' HTTP is stubbed with ``responses``; nothing of Sokoni's is mocked. The fixtures
(``payment_gateways``, ``gateway_http``, ``payer``) live in ``tests/api/conftest.py``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import responses

from app.core.money import Money
from app.extensions import db
from app.payments.gateways.registry import get_gateway
from app.payments.models import Payment
from tests.api.orders_helpers import add_to_cart, address_for, checkout, courier, station
from tests.factories import VariantFactory

PAYSTACK = "https://paystack.test"
FLUTTERWAVE = "https://flutterwave.test"
MOMO = "https://momo.test"
MPESA = "https://mpesa.test"

GATEWAY_SETTINGS = {
    "PAYMENTS_ENABLED_GATEWAYS": [
        "sandbox",
        "paystack",
        "flutterwave",
        "mtn_momo",
        "stripe",
        "pay_on_pickup",
    ],
    "SANDBOX_WEBHOOK_SECRET": "test-sandbox-secret",
    "PAYSTACK_SECRET_KEY": "sk_test_paystack",
    "PAYSTACK_BASE_URL": PAYSTACK,
    "FLUTTERWAVE_SECRET_KEY": "FLWSECK_TEST-flutterwave",
    "FLUTTERWAVE_WEBHOOK_HASH": "flw-hash",
    "FLUTTERWAVE_BASE_URL": FLUTTERWAVE,
    "MOMO_BASE_URL": MOMO,
    "MOMO_TARGET_ENVIRONMENT": "sandbox",
    "MOMO_COLLECTION_SUBSCRIPTION_KEY": "collection-key",
    "MOMO_COLLECTION_API_USER": "collection-user",
    "MOMO_COLLECTION_API_KEY": "collection-secret",
    "MOMO_DISBURSEMENT_SUBSCRIPTION_KEY": "disbursement-key",
    "MOMO_DISBURSEMENT_API_USER": "disbursement-user",
    "MOMO_DISBURSEMENT_API_KEY": "disbursement-secret",
    "STRIPE_SECRET_KEY": "sk_test_stripe",
    "STRIPE_WEBHOOK_SECRET": "whsec_test",
    "STRIPE_BASE_URL": "https://stripe.test",
}

MPESA_SETTINGS = {
    "MPESA_CONSUMER_KEY": "consumer-key",
    "MPESA_CONSUMER_SECRET": "consumer-secret",
    "MPESA_SHORTCODE": "174379",
    "MPESA_PASSKEY": "passkey",
    "MPESA_BASE_URL": MPESA,
}


def place_order(client, user, headers, *, currency="NGN", country="NG", price=100_000, pickup=False) -> dict:
    """An order awaiting payment: delivered to an address, or picked up at a bus station."""
    variant = VariantFactory(prices={currency: price})
    add_to_cart(client, headers, variant.id, 1, **({"currency": currency} if currency != "NGN" else {}))
    if pickup:
        body = {"bus_station_id": station().id}
    else:
        phones = {"NG": "+2348031234567", "KE": "+254712345678", "UG": "+256712345678"}
        method = courier(country=country, currency=currency, bands=((None, 20_000),))
        address = address_for(user, country=country, city="Capital", region="Region", phone=phones[country])
        body = {"address_id": address.id, "shipping_method_id": method.id}
    response = checkout(client, headers, body)
    assert response.status_code == 201, response.json
    return response.json


def pay(client, headers, order_number: str, key: str | None = None, **body: Any):
    return client.post(
        "/api/payments/",
        json={"order": order_number, **body},
        headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


def payment_row(reference: str) -> Payment:
    db.session.expire_all()
    return db.session.scalar(db.select(Payment).where(Payment.reference == reference))


def sandbox_webhook(app, reference: str, approved: bool = True, amount: Money | None = None):
    """The signed delivery the sandbox page would send for this payment."""
    payment = payment_row(reference)
    gateway = get_gateway("sandbox", app.config)
    money = amount or Money(payment.amount, payment.currency)
    return gateway.signed_webhook(reference, payment.provider_reference or "", money, approved)


def deliver(client, gateway: str, body: bytes, headers: dict[str, str], method: str = "post"):
    return getattr(client, method)(f"/api/payments/webhooks/{gateway}/", data=body, headers=headers)


def paystack_initialize(stub, status: int = 200) -> None:
    """Stub Paystack's initialize, echoing our reference like the real API."""

    def reply(request):
        reference = json.loads(request.body)["reference"]
        data = {"authorization_url": f"https://checkout.paystack.test/{reference}", "reference": reference}
        body = {"status": True, "data": data} if status == 200 else {"message": "down"}
        return status, {}, json.dumps(body)

    stub.add_callback(responses.POST, f"{PAYSTACK}/transaction/initialize", callback=reply)


def paystack_verify(stub, reference: str, amount: int, status: str = "success", currency="NGN") -> None:
    data = {"id": 4242, "status": status, "reference": reference, "amount": amount, "currency": currency}
    stub.add(responses.GET, f"{PAYSTACK}/transaction/verify/{reference}", json={"status": True, "data": data})
