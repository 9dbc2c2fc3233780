"""MTN MoMo Collections/Disbursements against the documented API (momodeveloper.mtn.com)."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest
import responses
from freezegun import freeze_time

from app.core.money import Money
from app.payments.gateways.base import (
    Customer,
    PaymentQuery,
    PaymentRequest,
    PaymentState,
    RefundRequest,
    RefundState,
)
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.http import token_cache
from app.payments.gateways.mtn_momo import MtnMomoGateway
from app.payments.testing import GatewayContract

BASE = "https://momo.test"
REF_ID = "0d6c2f3e-6a5b-4e7e-9d0a-3f1e2b4c5d6e"
SETTINGS = {
    "MOMO_BASE_URL": BASE,
    "MOMO_TARGET_ENVIRONMENT": "mtnuganda",
    "MOMO_COLLECTION_SUBSCRIPTION_KEY": "coll-sub-key",
    "MOMO_COLLECTION_API_USER": "7f1c0d4e-0000-4000-8000-000000000001",
    "MOMO_COLLECTION_API_KEY": "coll-api-key",
    "MOMO_DISBURSEMENT_SUBSCRIPTION_KEY": "disb-sub-key",
    "MOMO_DISBURSEMENT_API_USER": "7f1c0d4e-0000-4000-8000-000000000002",
    "MOMO_DISBURSEMENT_API_KEY": "disb-api-key",
}


def stub_token(rsps: responses.RequestsMock, product: str = "collection", issued: str = "tok-1") -> None:
    rsps.post(
        f"{BASE}/{product}/token/",
        json={"access_token": issued, "token_type": "access_token", "expires_in": 3600},
    )


def request_to_pay(request: PaymentRequest, status: str = "SUCCESSFUL") -> dict:
    """GET /collection/v1_0/requesttopay/{referenceId}, also the callback's body."""
    body = {
        "amount": format(request.amount.to_major(), "f"),
        "currency": request.amount.currency,
        "externalId": request.reference,
        "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
        "payerMessage": "Order SOK-1001",
        "payeeNote": request.reference,
        "status": status,
    }
    if status == "SUCCESSFUL":
        body["financialTransactionId"] = "1234567890"
    if status == "FAILED":
        body["reason"] = "APPROVAL_REJECTED"
    return body


class TestMtnMomoContract(GatewayContract):
    gateway_class = MtnMomoGateway
    settings = SETTINGS
    amounts = (Money(45000, "UGX"), Money(1050, "GHS"))

    def stub_initialize(self, rsps, request):
        stub_token(rsps)
        rsps.post(f"{BASE}/collection/v1_0/requesttopay", status=202)

    def sent_amount(self, rsps, request):
        sent = json.loads(rsps.calls[-1].request.body)
        assert isinstance(sent["amount"], str), "MoMo gets a major-unit string"
        return Money.from_major(sent["amount"], sent["currency"])

    def stub_verify(self, rsps, request, state):
        stub_token(rsps)
        status = {PaymentState.SUCCEEDED: "SUCCESSFUL", PaymentState.FAILED: "FAILED"}[state]
        rsps.get(f"{BASE}/collection/v1_0/requesttopay/{REF_ID}", json=request_to_pay(request, status))
        return PaymentQuery(request.reference, REF_ID)

    def stub_refund(self, rsps, refund):
        stub_token(rsps, "disbursement", "tok-d")
        rsps.post(f"{BASE}/disbursement/v1_0/refund", status=202)

    def webhook(self, request):
        return json.dumps(request_to_pay(request)).encode(), {"Content-Type": "application/json"}


@pytest.fixture
def gateway() -> MtnMomoGateway:
    return MtnMomoGateway(SETTINGS)


@pytest.fixture
def rsps():
    token_cache.clear()
    with responses.RequestsMock() as mock:
        yield mock
    token_cache.clear()


def payment(amount: Money = Money(45000, "UGX")) -> PaymentRequest:
    return TestMtnMomoContract().payment_request(amount)


def test_request_to_pay_sends_the_documented_headers_and_body(gateway, rsps):
    stub_token(rsps)
    rsps.post(f"{BASE}/collection/v1_0/requesttopay", status=202)
    started = gateway.initialize_payment(payment())
    token_call, pay_call = rsps.calls
    credentials = base64.b64encode(b"7f1c0d4e-0000-4000-8000-000000000001:coll-api-key").decode()
    assert token_call.request.headers["Authorization"] == f"Basic {credentials}"
    assert token_call.request.headers["Ocp-Apim-Subscription-Key"] == "coll-sub-key"
    headers = pay_call.request.headers
    assert headers["Authorization"] == "Bearer tok-1"
    assert headers["X-Target-Environment"] == "mtnuganda"
    assert headers["Ocp-Apim-Subscription-Key"] == "coll-sub-key"
    assert headers["X-Callback-Url"] == "https://api.example.com/api/payments/webhooks/test/"
    assert headers["X-Reference-Id"] == started.provider_reference
    assert re.fullmatch(r"[0-9a-f-]{36}", started.provider_reference)
    assert json.loads(pay_call.request.body) == {
        "amount": "45000",
        "currency": "UGX",
        "externalId": "SOK-PAY-0001",
        "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
        "payerMessage": "Order SOK-1001",
        "payeeNote": "SOK-PAY-0001",
    }
    assert started.status is PaymentState.PENDING
    assert "2567******56" in started.instructions
    assert "256772123456" not in started.instructions


def test_a_retried_idempotency_key_reuses_the_reference_id(gateway, rsps):
    stub_token(rsps)
    rsps.post(f"{BASE}/collection/v1_0/requesttopay", status=202)
    first = gateway.initialize_payment(payment())
    second = gateway.initialize_payment(payment())
    assert first.provider_reference == second.provider_reference


def test_the_token_is_cached_until_it_expires(gateway, rsps):
    stub_token(rsps)
    rsps.post(f"{BASE}/collection/v1_0/requesttopay", status=202)
    with freeze_time("2026-11-25 08:00:00") as clock:
        gateway.initialize_payment(payment())
        MtnMomoGateway(SETTINGS).initialize_payment(payment())  # a new instance shares the token
        assert [c.request.url for c in rsps.calls].count(f"{BASE}/collection/token/") == 1
        clock.tick(3600 - 30)  # inside the renewal margin
        gateway.initialize_payment(payment())
    assert [c.request.url for c in rsps.calls].count(f"{BASE}/collection/token/") == 2


def test_a_phone_number_is_required(gateway, rsps):
    no_phone = PaymentRequest("SOK-PAY-0001", Money(45000, "UGX"), Customer(email="ada@example.com"))
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(no_phone)
    assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
    assert not rsps.calls


def test_phone_numbers_never_reach_the_logs(gateway, rsps, caplog):
    stub_token(rsps)
    rsps.post(f"{BASE}/collection/v1_0/requesttopay", status=202)
    with caplog.at_level(logging.DEBUG):
        gateway.initialize_payment(payment())
    assert caplog.records
    assert "772123456" not in caplog.text
    assert "coll-api-key" not in caplog.text


@pytest.mark.parametrize(
    ("momo_status", "state"),
    [
        ("PENDING", PaymentState.PENDING),
        ("REJECTED", PaymentState.CANCELLED),
        ("TIMEOUT", PaymentState.FAILED),
    ],
)
def test_status_mapping(gateway, rsps, momo_status, state):
    stub_token(rsps)
    rsps.get(f"{BASE}/collection/v1_0/requesttopay/{REF_ID}", json=request_to_pay(payment(), momo_status))
    assert gateway.verify_payment(PaymentQuery("SOK-PAY-0001", REF_ID)).status is state


def test_failure_reason_as_an_object(gateway, rsps):
    body = request_to_pay(payment(), "FAILED")
    body["reason"] = {"code": "PAYER_NOT_FOUND", "message": "Payer not found"}
    stub_token(rsps)
    rsps.get(f"{BASE}/collection/v1_0/requesttopay/{REF_ID}", json=body)
    status = gateway.verify_payment(PaymentQuery("SOK-PAY-0001", REF_ID))
    assert status.failure_reason == "PAYER_NOT_FOUND"


def test_major_unit_string_becomes_minor_units(gateway, rsps):
    stub_token(rsps)
    rsps.get(
        f"{BASE}/collection/v1_0/requesttopay/{REF_ID}", json=request_to_pay(payment(Money(1050, "GHS")))
    )
    status = gateway.verify_payment(PaymentQuery("SOK-PAY-0001", REF_ID))
    assert status.amount == Money(1050, "GHS")
    assert status.provider_transaction_id == "1234567890"


def test_unknown_reference_id_is_rejected(gateway, rsps):
    stub_token(rsps)
    rsps.get(
        f"{BASE}/collection/v1_0/requesttopay/{REF_ID}",
        json={"code": "RESOURCE_NOT_FOUND", "message": "Requested resource was not found."},
        status=404,
    )
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-0001", REF_ID))
    assert caught.value.kind is GatewayErrorKind.REJECTED


def test_wrong_credentials_are_misconfiguration(gateway, rsps):
    rsps.post(f"{BASE}/collection/token/", json={"error": "login_failed"}, status=401)
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-0001", REF_ID))
    assert caught.value.kind is GatewayErrorKind.MISCONFIGURED


def test_refund_goes_through_disbursement(gateway, rsps):
    stub_token(rsps, "disbursement", "tok-d")
    rsps.post(f"{BASE}/disbursement/v1_0/refund", status=202)
    refund = RefundRequest("SOK-REF-1", PaymentQuery("SOK-PAY-0001", REF_ID), Money(20000, "UGX"), reason="x")
    result = gateway.process_refund(refund)
    call = rsps.calls[1]
    assert call.request.headers["Authorization"] == "Bearer tok-d"
    assert call.request.headers["Ocp-Apim-Subscription-Key"] == "disb-sub-key"
    sent = json.loads(call.request.body)
    assert sent["referenceIdToRefund"] == REF_ID
    assert sent["amount"] == "20000"
    assert result.status is RefundState.PENDING
    assert result.provider_refund_id == call.request.headers["X-Reference-Id"]


def test_refund_without_disbursement_settings_is_misconfigured(rsps):
    settings = {k: v for k, v in SETTINGS.items() if not k.startswith("MOMO_DISBURSEMENT")}
    gateway = MtnMomoGateway(settings)
    refund = RefundRequest("SOK-REF-1", PaymentQuery("SOK-PAY-0001", REF_ID), Money(20000, "UGX"))
    with pytest.raises(GatewayError) as caught:
        gateway.process_refund(refund)
    assert caught.value.kind is GatewayErrorKind.MISCONFIGURED
    assert not rsps.calls


def test_callback_is_accepted_but_always_needs_reverification(gateway):
    body = json.dumps(request_to_pay(payment())).encode()
    assert gateway.verify_webhook_signature(body, {})
    event = gateway.parse_webhook_event(body, {})
    assert event.needs_verification
    assert event.reference == "SOK-PAY-0001"
    assert event.status is PaymentState.SUCCEEDED
    assert event.amount == Money(45000, "UGX")
