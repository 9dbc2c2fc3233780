"""Stripe against its documented API, reached through the official SDK pointed at a stub."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses

from app.core.money import Money
from app.payments.gateways.base import PaymentQuery, PaymentRequest, PaymentState, RefundRequest, RefundState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.signing import hmac_hex
from app.payments.gateways.stripe import StripeGateway, from_stripe, to_stripe
from app.payments.testing import GatewayContract, Webhook

BASE = "https://stripe.test"
SECRET = "whsec_test_secret"


def intent(request: PaymentRequest, status: str = "requires_payment_method", **extra: Any) -> dict:
    """A PaymentIntent as Stripe returns it (the fields we read, and a few we do not)."""
    return {
        "id": "pi_3PqTest",
        "object": "payment_intent",
        "amount": to_stripe(request.amount),
        "amount_received": to_stripe(request.amount) if status == "succeeded" else 0,
        "currency": request.amount.currency.lower(),
        "client_secret": "pi_3PqTest_secret_abc",
        "latest_charge": "ch_3PqTest" if status == "succeeded" else None,
        "last_payment_error": None,
        "livemode": False,
        "metadata": {"order": "SOK-1001", "reference": request.reference},
        "status": status,
        **extra,
    }


def signed(payload: dict, timestamp: int | None = None, secret: str = SECRET) -> Webhook:
    body = json.dumps(payload).encode()
    t = int(time.time()) if timestamp is None else timestamp
    signature = hmac_hex(secret, f"{t}.".encode() + body)
    return body, {"Stripe-Signature": f"t={t},v1={signature}", "Content-Type": "application/json"}


def form(call: Any) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


class TestStripeContract(GatewayContract):
    gateway_class = StripeGateway
    settings = {"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_BASE_URL": BASE}
    amounts = (Money(1500, "USD"), Money(45000, "UGX"), Money(1250, "KWD"), Money(5000, "ISK"))
    signature_header = "Stripe-Signature"

    def stub_initialize(self, rsps: responses.RequestsMock, request: PaymentRequest) -> None:
        rsps.post(f"{BASE}/v1/payment_intents", json=intent(request))

    def sent_amount(self, rsps: responses.RequestsMock, request: PaymentRequest) -> Money:
        sent = form(rsps.calls[-1])
        return from_stripe(sent["amount"], sent["currency"])

    def stub_verify(self, rsps, request, state) -> PaymentQuery:
        stripe_status = {PaymentState.SUCCEEDED: "succeeded", PaymentState.FAILED: "requires_payment_method"}
        error = {"message": "Your card was declined.", "code": "card_declined"}
        payload = intent(
            request,
            stripe_status[state],
            last_payment_error=error if state is PaymentState.FAILED else None,
        )
        rsps.get(f"{BASE}/v1/payment_intents/pi_3PqTest", json=payload)
        return PaymentQuery(request.reference, "pi_3PqTest")

    def stub_refund(self, rsps: responses.RequestsMock, refund: RefundRequest) -> None:
        rsps.post(
            f"{BASE}/v1/refunds",
            json={
                "id": "re_3PqTest",
                "object": "refund",
                "amount": refund.amount.amount,
                "currency": refund.amount.currency.lower(),
                "payment_intent": refund.payment.provider_reference,
                "metadata": {"reference": refund.reference},
                "status": "succeeded",
            },
        )

    def webhook(self, request: PaymentRequest) -> Webhook:
        return signed(
            {
                "id": "evt_3PqTest",
                "object": "event",
                "api_version": "2024-06-20",
                "created": int(time.time()),
                "type": "payment_intent.succeeded",
                "data": {"object": intent(request, "succeeded")},
            }
        )


@pytest.fixture
def gateway() -> StripeGateway:
    return StripeGateway(TestStripeContract.settings)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_initialize_sends_metadata_idempotency_key_and_returns_the_client_secret(gateway, rsps):
    request = TestStripeContract().payment_request(Money(125050, "NGN"))
    rsps.post(f"{BASE}/v1/payment_intents", json=intent(request))
    started = gateway.initialize_payment(request)
    call = rsps.calls[0]
    assert call.request.headers["Idempotency-Key"] == "idem-0001"
    assert call.request.headers["Authorization"] == "Bearer sk_test_123"
    sent = form(call)
    assert sent["amount"] == "125050"
    assert sent["currency"] == "ngn"
    assert sent["metadata[reference]"] == "SOK-PAY-0001"
    assert started.client_secret == "pi_3PqTest_secret_abc"
    assert started.provider_reference == "pi_3PqTest"
    assert started.status is PaymentState.PENDING


@pytest.mark.parametrize(
    ("amount", "sent"),
    [
        (Money(45000, "UGX"), 45000),
        (Money(1250, "KWD"), 1250),
        (Money(5000, "ISK"), 500000),
        (Money(999, "USD"), 999),
    ],
)
def test_amounts_follow_stripes_currency_rules(amount, sent):
    assert to_stripe(amount) == sent
    assert from_stripe(sent, amount.currency.lower()) == amount


def test_a_three_decimal_amount_not_ending_in_zero_is_refused_not_rounded(gateway, rsps):
    request = TestStripeContract().payment_request(Money(1255, "KWD"))
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(request)
    assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
    assert not rsps.calls


def test_declined_card_is_a_declined_error(gateway, rsps):
    request = TestStripeContract().payment_request()
    error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
    rsps.post(f"{BASE}/v1/payment_intents", json={"error": error}, status=402)
    with pytest.raises(GatewayError) as caught:
        gateway.initialize_payment(request)
    assert caught.value.kind is GatewayErrorKind.DECLINED
    assert caught.value.status == 502
    assert caught.value.details["reason"] == "Your card was declined."


def test_a_rejected_key_means_misconfigured(gateway, rsps):
    error = {"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_***123"}
    rsps.get(f"{BASE}/v1/payment_intents/pi_1", json={"error": error}, status=401)
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-0001", "pi_1"))
    assert caught.value.kind is GatewayErrorKind.MISCONFIGURED
    assert "sk_test" not in caught.value.message


def test_verify_needs_the_payment_intent_id(gateway):
    with pytest.raises(GatewayError) as caught:
        gateway.verify_payment(PaymentQuery("SOK-PAY-0001"))
    assert caught.value.kind is GatewayErrorKind.UNSUPPORTED


def test_partial_refund_sends_the_amount_and_maps_pending(gateway, rsps):
    rsps.post(
        f"{BASE}/v1/refunds",
        json={"id": "re_1", "object": "refund", "amount": 500, "currency": "usd", "status": "pending"},
    )
    refund = RefundRequest("SOK-REF-1", PaymentQuery("SOK-PAY-0001", "pi_1"), Money(500, "USD"))
    result = gateway.process_refund(refund)
    sent = form(rsps.calls[0])
    assert sent["payment_intent"] == "pi_1"
    assert sent["amount"] == "500"
    assert result.status is RefundState.PENDING
    assert result.amount == Money(500, "USD")


def test_stale_signature_is_rejected(gateway):
    body, headers = signed({"id": "evt_1", "type": "payment_intent.succeeded"}, int(time.time()) - 301)
    assert not gateway.verify_webhook_signature(body, headers)
    body, headers = signed({"id": "evt_1", "type": "payment_intent.succeeded"}, int(time.time()) - 290)
    assert gateway.verify_webhook_signature(body, headers)


def test_any_matching_v1_signature_is_accepted(gateway):
    body, headers = signed({"id": "evt_1", "type": "charge.succeeded"})
    t, good = headers["Stripe-Signature"].split(",")
    headers["Stripe-Signature"] = f"{t},v1={'0' * 64},{good}"
    assert gateway.verify_webhook_signature(body, headers)


def test_signature_with_another_secret_is_rejected(gateway):
    body, headers = signed({"id": "evt_1", "type": "payment_intent.succeeded"}, secret="whsec_other")
    assert not gateway.verify_webhook_signature(body, headers)


def test_payment_failed_event_is_parsed_as_failed(gateway):
    request = TestStripeContract().payment_request()
    error = {"code": "card_declined", "message": "Your card was declined."}
    payload = {
        "id": "evt_2",
        "type": "payment_intent.payment_failed",
        "data": {"object": intent(request, "requires_payment_method", last_payment_error=error)},
    }
    body, headers = signed(payload)
    event = gateway.parse_webhook_event(body, headers)
    assert event.status is PaymentState.FAILED
    assert event.reference == "SOK-PAY-0001"
    assert event.provider_reference == "pi_3PqTest"
    assert not event.needs_verification


def test_refund_updated_event_carries_the_refund(gateway):
    refund = {
        "id": "re_9",
        "object": "refund",
        "amount": 700,
        "currency": "usd",
        "payment_intent": "pi_3PqTest",
        "metadata": {"reference": "SOK-REF-1", "payment_reference": "SOK-PAY-0001"},
        "status": "succeeded",
    }
    body, headers = signed({"id": "evt_3", "type": "refund.updated", "data": {"object": refund}})
    event = gateway.parse_webhook_event(body, headers)
    assert event.status is None
    assert event.refund is not None
    assert event.refund.status is RefundState.SUCCEEDED
    assert event.refund.reference == "SOK-REF-1"
    assert event.refund.amount == Money(700, "USD")
    assert event.reference == "SOK-PAY-0001"


def test_fully_refunded_charge_ends_the_payment(gateway):
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 1500,
        "amount_refunded": 1500,
        "currency": "usd",
        "payment_intent": "pi_3PqTest",
        "metadata": {"reference": "SOK-PAY-0001"},
        "refunded": True,
    }
    body, headers = signed({"id": "evt_4", "type": "charge.refunded", "data": {"object": charge}})
    event = gateway.parse_webhook_event(body, headers)
    assert event.status is PaymentState.REFUNDED
    assert event.amount == Money(1500, "USD")


def test_unknown_event_types_change_nothing(gateway):
    body, headers = signed({"id": "evt_5", "type": "customer.created", "data": {"object": {}}})
    event = gateway.parse_webhook_event(body, headers)
    assert event.event_id == "evt_5"
    assert event.status is None
    assert event.refund is None
