"""The pieces every gateway shares: error kinds → API errors, amounts, phones, signatures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.errors import AppError, ErrorCode
from app.core.money import Money
from app.payments.gateways.base import PaymentState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.payload import major_string, mask_phone, money_from_major, msisdn
from app.payments.gateways.signing import header, same


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        (GatewayErrorKind.NETWORK, 503, ErrorCode.GATEWAY_UNAVAILABLE),
        (GatewayErrorKind.MISCONFIGURED, 503, ErrorCode.GATEWAY_NOT_CONFIGURED),
        (GatewayErrorKind.DECLINED, 502, ErrorCode.PAYMENT_DECLINED),
        (GatewayErrorKind.REJECTED, 502, ErrorCode.GATEWAY_ERROR),
        (GatewayErrorKind.INVALID_RESPONSE, 502, ErrorCode.GATEWAY_ERROR),
        (GatewayErrorKind.UNSUPPORTED, 422, ErrorCode.VALIDATION_ERROR),
    ],
)
def test_each_kind_maps_to_an_api_error(kind, status, code):
    error = GatewayError(kind, "paystack", "Invalid key sk_live_123")
    assert isinstance(error, AppError)
    assert (error.status, error.code) == (status, code)
    assert error.retryable is (kind is GatewayErrorKind.NETWORK)
    assert error.details["gateway"] == "paystack"


def test_provider_details_stay_out_of_the_client_message():
    error = GatewayError(GatewayErrorKind.MISCONFIGURED, "paystack", "Invalid key sk_live_123")
    assert "sk_live" not in error.message
    assert "sk_live" not in str(error.details)
    assert "sk_live" in error.reason  # for the logs and the transaction log


def test_a_decline_tells_the_customer_why():
    error = GatewayError(GatewayErrorKind.DECLINED, "stripe", "Insufficient funds")
    assert error.details["reason"] == "Insufficient funds"


def test_final_states():
    assert {s for s in PaymentState if s.is_final} == {
        PaymentState.SUCCEEDED,
        PaymentState.FAILED,
        PaymentState.CANCELLED,
        PaymentState.REFUNDED,
    }


@pytest.mark.parametrize(
    ("money", "text"),
    [(Money(45000, "UGX"), "45000"), (Money(125050, "NGN"), "1250.50"), (Money(1250, "KWD"), "1.250")],
)
def test_major_strings_are_exact(money, text):
    assert major_string(money) == text
    assert money_from_major(text, money.currency, "x") == money


def test_a_major_amount_finer_than_the_currency_is_refused():
    with pytest.raises(GatewayError) as caught:
        money_from_major(Decimal("100.001"), "NGN", "flutterwave")
    assert caught.value.kind is GatewayErrorKind.INVALID_RESPONSE
    with pytest.raises(GatewayError):
        money_from_major("12", "XYZ", "flutterwave")


def test_phones_are_masked_and_normalised():
    assert mask_phone("+256 772 123 456") == "2567******56"
    assert mask_phone("1234") == "****"
    assert msisdn("+256 (772) 123-456", "x") == "256772123456"
    with pytest.raises(GatewayError):
        msisdn("12345", "x")


def test_headers_are_found_whatever_their_case():
    assert header({"X-Paystack-Signature": " abc "}, "x-paystack-signature") == "abc"
    assert header({}, "verif-hash") == ""


def test_empty_secrets_never_match():
    assert not same("", "")
    assert same("abc", "abc")
    assert not same("abc", "abd")
