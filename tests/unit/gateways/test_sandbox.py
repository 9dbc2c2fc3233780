"""The sandbox gateway: local completion and HMAC-SHA256 signed webhooks."""

from __future__ import annotations

import json

import pytest

from app.core.money import Money
from app.payments.gateways.base import PaymentQuery, PaymentState
from app.payments.gateways.sandbox import SIGNATURE_HEADER, SandboxGateway
from app.payments.testing import GatewayContract

SETTINGS = {
    "SANDBOX_WEBHOOK_SECRET": "sandbox-secret",
    "SANDBOX_PAGE_URL": "https://shop.test/sbx/{reference}/",
}


class TestSandboxContract(GatewayContract):
    gateway_class = SandboxGateway
    settings = SETTINGS
    amounts = (Money(45000, "UGX"), Money(125050, "NGN"), Money(1250, "KWD"))
    verify_states = (PaymentState.PENDING,)
    signature_header = SIGNATURE_HEADER
    makes_http_calls = False

    def stub_verify(self, rsps, request, state):
        return PaymentQuery(request.reference, "sbx_1")

    def webhook(self, request):
        gateway = SandboxGateway(SETTINGS)
        return gateway.signed_webhook(request.reference, "sbx_1", request.amount, approved=True)


@pytest.fixture
def gateway() -> SandboxGateway:
    return SandboxGateway(SETTINGS)


def test_initialize_points_at_the_approval_page(gateway):
    started = gateway.initialize_payment(TestSandboxContract().payment_request())
    assert started.authorization_url == "https://shop.test/sbx/SOK-PAY-0001/"
    assert started.provider_reference.startswith("sbx_")


@pytest.mark.parametrize(
    ("approved", "state"), [(True, PaymentState.SUCCEEDED), (False, PaymentState.FAILED)]
)
def test_the_decision_arrives_as_a_signed_webhook(gateway, approved, state):
    body, headers = gateway.signed_webhook("SOK-PAY-0001", "sbx_1", Money(1250, "KWD"), approved)
    assert gateway.verify_webhook_signature(body, headers)
    event = gateway.parse_webhook_event(body, headers)
    assert event.status is state
    assert event.amount == Money(1250, "KWD")
    assert event.provider_reference == "sbx_1"
    assert not event.needs_verification
    assert json.loads(body)["data"]["amount"] == 1250


def test_each_decision_is_a_distinct_event(gateway):
    first, _ = gateway.signed_webhook("SOK-PAY-0001", "sbx_1", Money(100, "USD"), True)
    second, _ = gateway.signed_webhook("SOK-PAY-0001", "sbx_1", Money(100, "USD"), True)
    assert json.loads(first)["id"] != json.loads(second)["id"]


def test_a_webhook_signed_with_another_secret_is_rejected(gateway):
    other = SandboxGateway({**SETTINGS, "SANDBOX_WEBHOOK_SECRET": "someone-else"})
    body, headers = other.signed_webhook("SOK-PAY-0001", "sbx_1", Money(100, "USD"), True)
    assert not gateway.verify_webhook_signature(body, headers)
