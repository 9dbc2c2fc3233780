"""M-Pesa against Daraja's documented STK push API, through Sokoni's shared gateway contract."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
import responses
from freezegun import freeze_time
from sokoni_gateway_mpesa import MpesaGateway

from app.core.money import Money
from app.payments.gateways.base import Customer, PaymentQuery, PaymentRequest, PaymentState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.http import token_cache
from app.payments.gateways.registry import available_gateways, load_registry
from app.payments.services.gateway_factory import gateways_for
from app.payments.testing import GatewayContract

BASE = "https://daraja.test"
CHECKOUT_ID = "ws_CO_191220191020363925"
SETTINGS = {
    "MPESA_BASE_URL": BASE,
    "MPESA_CONSUMER_KEY": "consumer-key",
    "MPESA_CONSUMER_SECRET": "consumer-secret",
    "MPESA_SHORTCODE": "174379",
    "MPESA_PASSKEY": "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
}


def stub_token(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/oauth/v1/generate", json={"access_token": "daraja-token", "expires_in": "3599"})


def stub_push(rsps: responses.RequestsMock) -> None:
    rsps.post(
        f"{BASE}/mpesa/stkpush/v1/processrequest",
        json={
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": CHECKOUT_ID,
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing",
        },
    )


def query_reply(result_code: str, description: str) -> dict:
    return {
        "ResponseCode": "0",
        "ResponseDescription": "The service request has been accepted successsfully",
        "MerchantRequestID": "29115-34620561-1",
        "CheckoutRequestID": CHECKOUT_ID,
        "ResultCode": result_code,
        "ResultDesc": description,
    }


def callback(amount: Money, result_code: int = 0) -> bytes:
    stk: dict = {
        "MerchantRequestID": "29115-34620561-1",
        "CheckoutRequestID": CHECKOUT_ID,
        "ResultCode": result_code,
        "ResultDesc": "The service request is processed successfully." if result_code == 0 else "Cancelled",
    }
    if result_code == 0:
        stk["CallbackMetadata"] = {
            "Item": [
                {"Name": "Amount", "Value": float(amount.to_major())},
                {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                {"Name": "TransactionDate", "Value": 20191219102115},
                {"Name": "PhoneNumber", "Value": 254708374149},
            ]
        }
    return json.dumps({"Body": {"stkCallback": stk}}).encode()


class TestMpesaContract(GatewayContract):
    gateway_class = MpesaGateway
    settings = SETTINGS
    amounts = (Money(150000, "KES"), Money(100, "KES"))
    verify_reports_amount = False
    customer = Customer(email="wanjiku@example.com", phone="+254708374149", name="Wanjiku Kamau")

    def stub_initialize(self, rsps, request):
        stub_token(rsps)
        stub_push(rsps)

    def sent_amount(self, rsps, request):
        sent = json.loads(rsps.calls[-1].request.body)
        assert isinstance(sent["Amount"], int), "whole shillings"
        return Money.from_major(sent["Amount"], "KES")

    def stub_verify(self, rsps, request, state):
        stub_token(rsps)
        code = {PaymentState.SUCCEEDED: "0", PaymentState.FAILED: "1"}[state]
        rsps.post(f"{BASE}/mpesa/stkpushquery/v1/query", json=query_reply(code, "result"))
        return PaymentQuery(request.reference, CHECKOUT_ID)

    def webhook(self, request):
        return callback(request.amount), {"Content-Type": "application/json"}


@pytest.fixture
def gateway() -> MpesaGateway:
    return MpesaGateway(SETTINGS)


@pytest.fixture
def rsps():
    token_cache.clear()
    with responses.RequestsMock() as mock:
        yield mock
    token_cache.clear()


def payment(amount: Money = Money(150000, "KES"), phone: str = "+254708374149") -> PaymentRequest:
    contract = TestMpesaContract()
    return PaymentRequest(
        reference="SOK-PAY-000123456",
        amount=amount,
        customer=Customer(email="w@example.com", phone=phone),
        callback_url="https://api.example.com/api/payments/webhooks/mpesa/",
        description="Order SOK-1001 at Sokoni",
        idempotency_key=contract.payment_request().idempotency_key,
    )


@freeze_time("2026-11-25 07:30:05")
def test_stk_push_sends_the_documented_body(gateway, rsps):
    stub_token(rsps)
    stub_push(rsps)
    started = gateway.initialize_payment(payment())
    token_call, push_call = rsps.calls
    basic = base64.b64encode(b"consumer-key:consumer-secret").decode()
    assert token_call.request.headers["Authorization"] == f"Basic {basic}"
    assert token_call.request.url == f"{BASE}/oauth/v1/generate?grant_type=client_credentials"
    assert push_call.request.headers["Authorization"] == "Bearer daraja-token"
    password = base64.b64encode(f"174379{SETTINGS['MPESA_PASSKEY']}20261125103005".encode()).decode()
    assert json.loads(push_call.request.body) == {
        "BusinessShortCode": "174379",
        "Password": password,
        "Timestamp": "20261125103005",  # Nairobi time
        "TransactionType": "CustomerPayBillOnline",
        "Amount": 1500,
        "PartyA": "254708374149",
        "PartyB": "174379",
        "PhoneNumber": "254708374149",
        "CallBackURL": "https://api.example.com/api/payments/webhooks/mpesa/",
        "AccountReference": "SOK-PAY-0001",
        "TransactionDesc": "Order SOK-100",
    }
    assert started.provider_reference == CHECKOUT_ID
    assert "2547******49" in started.instructions


def test_a_local_number_is_made_international(gateway, rsps):
    stub_token(rsps)
    stub_push(rsps)
    gateway.initialize_payment(payment(phone="0708 374 149"))
    assert json.loads(rsps.calls[-1].request.body)["PartyA"] == "254708374149"


def test_cents_are_refused_before_any_call(gateway, rsps):
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(payment(Money(150050, "KES")))
    assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
    assert not rsps.calls


def test_the_token_is_reused(gateway, rsps):
    stub_token(rsps)
    stub_push(rsps)
    gateway.initialize_payment(payment())
    MpesaGateway(SETTINGS).initialize_payment(payment())
    assert [c.request.method for c in rsps.calls] == ["GET", "POST", "POST"]


def test_daraja_rejection_is_reported_in_its_own_words(gateway, rsps):
    stub_token(rsps)
    rsps.post(
        f"{BASE}/mpesa/stkpush/v1/processrequest",
        json={
            "requestId": "1-2",
            "errorCode": "400.002.02",
            "errorMessage": "Bad Request - Invalid PhoneNumber",
        },
        status=400,
    )
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(payment())
    assert caught.value.kind is GatewayErrorKind.REJECTED
    assert "Invalid PhoneNumber" in caught.value.reason


def test_query_while_the_customer_has_not_answered_is_pending(gateway, rsps):
    stub_token(rsps)
    rsps.post(
        f"{BASE}/mpesa/stkpushquery/v1/query",
        json={
            "requestId": "1-2",
            "errorCode": "500.001.1001",
            "errorMessage": "The transaction is being processed",
        },
        status=500,
    )
    assert gateway.verify_payment(PaymentQuery("SOK-PAY-1", CHECKOUT_ID)).status is PaymentState.PENDING


def test_any_other_server_error_on_query_is_a_network_error(gateway, rsps):
    stub_token(rsps)
    rsps.post(f"{BASE}/mpesa/stkpushquery/v1/query", json={"errorMessage": "System busy"}, status=500)
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-1", CHECKOUT_ID))
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("code", "state"),
    [("0", PaymentState.SUCCEEDED), ("1032", PaymentState.CANCELLED), ("1037", PaymentState.FAILED)],
)
def test_query_result_codes(gateway, rsps, code, state):
    stub_token(rsps)
    rsps.post(f"{BASE}/mpesa/stkpushquery/v1/query", json=query_reply(code, "desc"))
    assert gateway.verify_payment(PaymentQuery("SOK-PAY-1", CHECKOUT_ID)).status is state


def test_successful_callback(gateway):
    body = callback(Money(150000, "KES"))
    assert gateway.verify_webhook_signature(body, {})
    event = gateway.parse_webhook_event(body, {})
    assert event.provider_reference == CHECKOUT_ID
    assert event.status is PaymentState.SUCCEEDED
    assert event.amount == Money(150000, "KES")
    assert event.needs_verification
    assert json.loads(body)["Body"]["stkCallback"]["CallbackMetadata"]["Item"][0]["Value"] == Decimal(1500)


def test_cancelled_callback_has_no_metadata(gateway):
    event = gateway.parse_webhook_event(callback(Money(150000, "KES"), 1032), {})
    assert event.status is PaymentState.CANCELLED
    assert event.amount is None


def test_a_body_that_is_not_a_callback_is_unreadable(gateway):
    with pytest.raises(GatewayError) as caught:
        gateway.parse_webhook_event(b'{"hello": "world"}', {})
    assert caught.value.kind is GatewayErrorKind.INVALID_RESPONSE


def test_the_installed_plugin_is_discovered_and_routed_for_kes():
    registry = load_registry()
    assert registry.origins["mpesa"] == "sokoni-gateway-mpesa"
    config = {
        **SETTINGS,
        "PAYMENTS_ENABLED_GATEWAYS": ["stripe", "mpesa"],
        "STRIPE_SECRET_KEY": "sk",
        "STRIPE_WEBHOOK_SECRET": "wh",
    }
    assert [g.id for g in available_gateways(config, registry)] == ["stripe", "mpesa"]
    assert [g.id for g in gateways_for(config, "KES", "KE", registry=registry)] == ["stripe", "mpesa"]
    assert [g.id for g in gateways_for(config, "USD", "US", registry=registry)] == ["stripe"]
