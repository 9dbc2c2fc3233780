"""Paystack against its documented HTTP API (https://paystack.com/docs/api/)."""

from __future__ import annotations

import json

import pytest
import responses

from app.core.money import Money
from app.payments.gateways.base import PaymentQuery, PaymentRequest, PaymentState, RefundRequest, RefundState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.paystack import PaystackGateway
from app.payments.gateways.signing import hmac_hex
from app.payments.testing import GatewayContract, Webhook

BASE = "https://paystack.test"
KEY = "sk_test_paystack"


def transaction(request: PaymentRequest, status: str = "success") -> dict:
    """``data`` of GET /transaction/verify/:reference and of a charge.success event."""
    return {
        "id": 4099260516,
        "domain": "test",
        "status": status,
        "reference": request.reference,
        "amount": request.amount.amount,
        "gateway_response": "Successful" if status == "success" else "Declined",
        "paid_at": "2026-11-25T08:00:00.000Z" if status == "success" else None,
        "channel": "card",
        "currency": request.amount.currency,
        "metadata": {"order": "SOK-1001"},
        "customer": {"id": 1, "email": request.customer.email},
    }


def signed(payload: dict) -> Webhook:
    body = json.dumps(payload).encode()
    return body, {"x-paystack-signature": hmac_hex(KEY, body, "sha512")}


class TestPaystackContract(GatewayContract):
    gateway_class = PaystackGateway
    settings = {"PAYSTACK_SECRET_KEY": KEY, "PAYSTACK_BASE_URL": BASE}
    amounts = (Money(1250050, "NGN"), Money(10000, "GHS"), Money(99999, "KES"))
    signature_header = "x-paystack-signature"

    def stub_initialize(self, rsps, request):
        rsps.post(
            f"{BASE}/transaction/initialize",
            json={
                "status": True,
                "message": "Authorization URL created",
                "data": {
                    "authorization_url": "https://checkout.paystack.com/0peioxfhpn",
                    "access_code": "0peioxfhpn",
                    "reference": request.reference,
                },
            },
        )

    def sent_amount(self, rsps, request):
        sent = json.loads(rsps.calls[-1].request.body)
        return Money(sent["amount"], sent["currency"])

    def stub_verify(self, rsps, request, state):
        status = {PaymentState.SUCCEEDED: "success", PaymentState.FAILED: "failed"}[state]
        rsps.get(
            f"{BASE}/transaction/verify/{request.reference}",
            json={"status": True, "message": "Verification successful", "data": transaction(request, status)},
        )
        return PaymentQuery(request.reference)

    def stub_refund(self, rsps, refund):
        rsps.post(
            f"{BASE}/refund",
            json={
                "status": True,
                "message": "Refund has been queued for processing",
                "data": {
                    "transaction": {"id": 4099260516, "reference": refund.payment.reference},
                    "integration": 428626,
                    "deducted_amount": 0,
                    "channel": None,
                    "merchant_note": refund.reason,
                    "customer_note": "Refund for transaction",
                    "status": "pending",
                    "refunded_by": "ops@example.com",
                    "expected_at": "2026-12-04T08:00:00.000Z",
                    "currency": refund.amount.currency,
                    "domain": "test",
                    "amount": refund.amount.amount,
                    "fully_deducted": False,
                    "id": 1205934,
                },
            },
        )

    def webhook(self, request):
        return signed({"event": "charge.success", "data": transaction(request)})


@pytest.fixture
def gateway() -> PaystackGateway:
    return PaystackGateway(TestPaystackContract.settings)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_initialize_posts_the_documented_body(gateway, rsps):
    contract = TestPaystackContract()
    request = contract.payment_request(Money(1250050, "NGN"))
    contract.stub_initialize(rsps, request)
    started = gateway.initialize_payment(request)
    call = rsps.calls[0]
    assert call.request.headers["Authorization"] == f"Bearer {KEY}"
    assert json.loads(call.request.body) == {
        "email": "ada@example.com",
        "amount": 1250050,
        "currency": "NGN",
        "reference": "SOK-PAY-0001",
        "metadata": {"order": "SOK-1001"},
        "callback_url": "https://shop.example.com/return",
    }
    assert started.authorization_url == "https://checkout.paystack.com/0peioxfhpn"
    assert started.status is PaymentState.PENDING


@pytest.mark.parametrize(
    ("paystack_status", "state"),
    [
        ("abandoned", PaymentState.PENDING),
        ("ongoing", PaymentState.PENDING),
        ("queued", PaymentState.PENDING),
        ("reversed", PaymentState.REFUNDED),
    ],
)
def test_verify_maps_every_documented_status(gateway, rsps, paystack_status, state):
    request = TestPaystackContract().payment_request()
    rsps.get(
        f"{BASE}/transaction/verify/SOK-PAY-0001",
        json={"status": True, "message": "ok", "data": transaction(request, paystack_status)},
    )
    assert gateway.verify_payment(PaymentQuery("SOK-PAY-0001")).status is state


def test_unknown_reference_is_rejected(gateway, rsps):
    rsps.get(
        f"{BASE}/transaction/verify/nope",
        json={"status": False, "message": "Transaction reference not found"},
        status=400,
    )
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("nope"))
    assert caught.value.kind is GatewayErrorKind.REJECTED
    assert "Transaction reference not found" in caught.value.reason


def test_a_false_status_envelope_is_an_invalid_response(gateway, rsps):
    rsps.get(f"{BASE}/transaction/verify/x", json={"status": False, "message": "Something odd"})
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("x"))
    assert caught.value.kind is GatewayErrorKind.INVALID_RESPONSE


def test_invalid_key_is_misconfiguration(gateway, rsps):
    rsps.post(f"{BASE}/transaction/initialize", json={"status": False, "message": "Invalid key"}, status=401)
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(TestPaystackContract().payment_request())
    assert caught.value.kind is GatewayErrorKind.MISCONFIGURED
    assert caught.value.status == 503


def test_partial_refund_sends_subunits_and_is_pending(gateway, rsps):
    contract = TestPaystackContract()
    refund = RefundRequest(
        "SOK-REF-1", PaymentQuery("SOK-PAY-0001"), Money(5000, "NGN"), reason="damaged item"
    )
    contract.stub_refund(rsps, refund)
    result = gateway.process_refund(refund)
    sent = json.loads(rsps.calls[0].request.body)
    assert sent["transaction"] == "SOK-PAY-0001"
    assert sent["amount"] == 5000
    assert result.status is RefundState.PENDING
    assert result.provider_refund_id == "1205934"
    assert result.amount == Money(5000, "NGN")


def test_signature_uses_the_raw_body_not_reserialised_json(gateway):
    body = b'{"event":"charge.success",  "data":{"reference":"SOK-PAY-0001"}}'
    headers = {"X-Paystack-Signature": hmac_hex(KEY, body, "sha512")}
    assert gateway.verify_webhook_signature(body, headers)
    reserialised = json.dumps(json.loads(body)).encode()
    assert not gateway.verify_webhook_signature(reserialised, headers)


def test_refund_processed_event_carries_the_refund(gateway):
    payload = {
        "event": "refund.processed",
        "data": {
            "status": "processed",
            "transaction_reference": "SOK-PAY-0001",
            "refund_reference": None,
            "amount": "5000",
            "currency": "NGN",
            "processor": "mastercard",
            "customer": {"email": "ada@example.com"},
            "integration": 428626,
            "domain": "test",
            "id": "1205934",
        },
    }
    body, headers = signed(payload)
    event = gateway.parse_webhook_event(body, headers)
    assert event.event_id == "refund.processed:1205934"
    assert event.reference == "SOK-PAY-0001"
    assert event.status is None
    assert event.refund is not None
    assert event.refund.status is RefundState.SUCCEEDED
    assert event.refund.amount == Money(5000, "NGN")


def test_charge_success_event_id_is_stable_across_replays(gateway):
    request = TestPaystackContract().payment_request()
    body, headers = TestPaystackContract().webhook(request)
    first = gateway.parse_webhook_event(body, headers)
    again = gateway.parse_webhook_event(body, headers)
    assert first.event_id == again.event_id == "charge.success:SOK-PAY-0001"
    assert not first.needs_verification


def test_a_body_that_is_not_json_is_unreadable(gateway):
    with pytest.raises(GatewayError) as caught:
        gateway.parse_webhook_event(b"<html>", {})
    assert caught.value.kind is GatewayErrorKind.INVALID_RESPONSE
