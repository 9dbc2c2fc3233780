"""Flutterwave v3 against its documented HTTP API (https://developer.flutterwave.com/v3.0)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
import responses
from responses import matchers

from app.core.money import Money
from app.payments.gateways.base import PaymentQuery, PaymentRequest, PaymentState, RefundRequest, RefundState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.flutterwave import FlutterwaveGateway
from app.payments.gateways.signing import hmac_base64
from app.payments.testing import GatewayContract

BASE = "https://flutterwave.test"
HASH = "my-secret-hash"
SETTINGS = {
    "FLUTTERWAVE_SECRET_KEY": "FLWSECK_TEST-abc-X",
    "FLUTTERWAVE_WEBHOOK_HASH": HASH,
    "FLUTTERWAVE_BASE_URL": BASE,
}


def transaction(request: PaymentRequest, status: str = "successful") -> dict:
    """A transaction as verify_by_reference and charge.completed describe it (major units)."""
    major = request.amount.to_major()
    return {
        "id": 288200108,
        "tx_ref": request.reference,
        "flw_ref": "FLW-MOCK-9d0a4c1b5e",
        "device_fingerprint": "N/A",
        "amount": float(major) if major != major.to_integral_value() else int(major),
        "currency": request.amount.currency,
        "charged_amount": float(major),
        "app_fee": 1.4,
        "processor_response": "Approved by Financial Institution" if status == "successful" else "Declined",
        "status": status,
        "payment_type": "card",
        "created_at": "2026-11-25T08:00:00.000Z",
        "customer": {"id": 215604089, "name": "Ada Obi", "email": "ada@example.com"},
    }


def verified(request: PaymentRequest, status: str = "successful") -> dict:
    return {
        "status": "success",
        "message": "Transaction fetched successfully",
        "data": transaction(request, status),
    }


class TestFlutterwaveContract(GatewayContract):
    gateway_class = FlutterwaveGateway
    settings = SETTINGS
    amounts = (Money(45000, "UGX"), Money(125050, "NGN"), Money(1000, "KES"))
    signature_header = "verif-hash"
    signature_covers_body = False

    def stub_initialize(self, rsps, request):
        rsps.post(
            f"{BASE}/v3/payments",
            json={
                "status": "success",
                "message": "Hosted Link",
                "data": {
                    "link": "https://checkout-testing.flutterwave.com/v3/hosted/pay/f524c1196ffda5556341"
                },
            },
        )

    def sent_amount(self, rsps, request):
        sent = json.loads(rsps.calls[-1].request.body)
        assert isinstance(sent["amount"], str), "Flutterwave gets a major-unit string"
        return Money.from_major(sent["amount"], sent["currency"])

    def stub_verify(self, rsps, request, state):
        status = {PaymentState.SUCCEEDED: "successful", PaymentState.FAILED: "failed"}[state]
        rsps.get(
            f"{BASE}/v3/transactions/verify_by_reference",
            match=[matchers.query_param_matcher({"tx_ref": request.reference})],
            json=verified(request, status),
        )
        return PaymentQuery(request.reference, request.reference)

    def stub_refund(self, rsps, refund):
        rsps.post(
            f"{BASE}/v3/transactions/{refund.provider_transaction_id}/refund",
            json={
                "status": "success",
                "message": "Transaction refund initiated",
                "data": {
                    "id": 75923,
                    "account_id": 73362,
                    "tx_id": int(refund.provider_transaction_id),
                    "flw_ref": "FLW-MOCK-9d0a4c1b5e",
                    "wallet_id": 74639,
                    "amount_refunded": str(refund.amount.to_major()),
                    "status": "completed",
                    "destination": "payment_source",
                    "created_at": "2026-11-25T08:30:00.000Z",
                },
            },
        )

    def webhook(self, request):
        body = json.dumps({"event": "charge.completed", "data": transaction(request)}).encode()
        return body, {"verif-hash": HASH}


@pytest.fixture
def gateway() -> FlutterwaveGateway:
    return FlutterwaveGateway(SETTINGS)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_initialize_sends_major_units_and_customer(gateway, rsps):
    contract = TestFlutterwaveContract()
    request = contract.payment_request(Money(125050, "NGN"))
    contract.stub_initialize(rsps, request)
    started = gateway.initialize_payment(request)
    sent = json.loads(rsps.calls[0].request.body)
    assert sent["amount"] == "1250.50"
    assert sent["tx_ref"] == "SOK-PAY-0001"
    assert sent["redirect_url"] == "https://shop.example.com/return"
    assert sent["customer"] == {"email": "ada@example.com", "name": "Ada Obi", "phonenumber": "+256772123456"}
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer FLWSECK_TEST-abc-X"
    assert started.authorization_url.startswith("https://checkout-testing.flutterwave.com/")
    assert started.provider_reference == "SOK-PAY-0001"


def test_ugx_has_no_decimals(gateway, rsps):
    contract = TestFlutterwaveContract()
    contract.stub_initialize(rsps, contract.payment_request(Money(45000, "UGX")))
    gateway.initialize_payment(contract.payment_request(Money(45000, "UGX")))
    assert json.loads(rsps.calls[0].request.body)["amount"] == "45000"


def test_verified_amount_in_major_units_becomes_minor_units(gateway, rsps):
    request = TestFlutterwaveContract().payment_request(Money(125050, "NGN"))
    TestFlutterwaveContract().stub_verify(rsps, request, PaymentState.SUCCEEDED)
    status = gateway.verify_payment(PaymentQuery("SOK-PAY-0001"))
    assert status.amount == Money(125050, "NGN")
    assert status.provider_transaction_id == "288200108"


def test_an_amount_finer_than_the_currency_is_an_invalid_response(gateway, rsps):
    request = TestFlutterwaveContract().payment_request(Money(45000, "UGX"))
    payload = verified(request)
    payload["data"]["amount"] = Decimal("450.5")  # UGX has no minor unit
    rsps.get(f"{BASE}/v3/transactions/verify_by_reference", body=json.dumps(payload, default=str))
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-0001"))
    assert caught.value.kind is GatewayErrorKind.INVALID_RESPONSE


def test_refund_without_transaction_id_looks_it_up_first(gateway, rsps):
    contract = TestFlutterwaveContract()
    request = contract.payment_request(Money(125050, "NGN"))
    contract.stub_verify(rsps, request, PaymentState.SUCCEEDED)
    refund = RefundRequest("SOK-REF-1", PaymentQuery("SOK-PAY-0001"), Money(50025, "NGN"), reason="late")
    contract.stub_refund(rsps, replace(refund, provider_transaction_id="288200108"))
    result = gateway.process_refund(refund)
    sent = json.loads(rsps.calls[1].request.body)
    assert rsps.calls[1].request.url == f"{BASE}/v3/transactions/288200108/refund"
    assert sent["amount"] == "500.25"
    assert result.status is RefundState.SUCCEEDED
    assert result.amount == Money(50025, "NGN")


def test_webhook_is_always_a_hint_to_reverify(gateway):
    contract = TestFlutterwaveContract()
    body, headers = contract.webhook(contract.payment_request())
    event = gateway.parse_webhook_event(body, headers)
    assert event.needs_verification
    assert event.event_id == "charge.completed:288200108:successful"
    assert event.reference == "SOK-PAY-0001"


def test_failed_charge_event(gateway):
    request = TestFlutterwaveContract().payment_request()
    body = json.dumps({"event": "charge.completed", "data": transaction(request, "failed")}).encode()
    assert gateway.parse_webhook_event(body, {}).status is PaymentState.FAILED


class TestHmacSignatureMode:
    """``FLUTTERWAVE_WEBHOOK_SIGNATURE=hmac``: base64 HMAC-SHA256 of the body."""

    @pytest.fixture
    def gateway(self) -> FlutterwaveGateway:
        return FlutterwaveGateway({**SETTINGS, "FLUTTERWAVE_WEBHOOK_SIGNATURE": "hmac"})

    def test_valid(self, gateway):
        body = b'{"event":"charge.completed","data":{"id":1}}'
        assert gateway.verify_webhook_signature(body, {"flutterwave-signature": hmac_base64(HASH, body)})

    def test_tampered(self, gateway):
        body = b'{"event":"charge.completed","data":{"id":1}}'
        signature = hmac_base64(HASH, body)
        assert not gateway.verify_webhook_signature(body + b" ", {"flutterwave-signature": signature})

    def test_the_plain_hash_no_longer_passes(self, gateway):
        assert not gateway.verify_webhook_signature(b"{}", {"verif-hash": HASH})

    def test_missing(self, gateway):
        assert not gateway.verify_webhook_signature(b"{}", {})


def test_an_unknown_signature_mode_is_a_configuration_error():
    with pytest.raises(GatewayError) as caught:
        FlutterwaveGateway({**SETTINGS, "FLUTTERWAVE_WEBHOOK_SIGNATURE": "md5"})
    assert caught.value.kind is GatewayErrorKind.MISCONFIGURED
