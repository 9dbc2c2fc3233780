"""Contract tests every gateway must pass, built-in or third-party.

Subclass ``GatewayContract`` in a test module, set the class attributes and implement the
``stub_*`` hooks with ``responses`` stubs shaped like the provider's documented replies;
pytest then runs every ``test_*`` method below against your gateway. Nothing of Sokoni's is
mocked: the gateway really builds its HTTP requests, and the contract reads what it sent.
See ``docs/writing-a-gateway.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import pytest
import responses

from app.core.money import Money, is_known_currency
from app.payments.gateways.base import (
    BaseGateway,
    Customer,
    PaymentInit,
    PaymentMethod,
    PaymentQuery,
    PaymentRequest,
    PaymentState,
    PaymentStatus,
    RefundRequest,
    RefundResult,
    RefundState,
    WebhookEvent,
)
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.http import token_cache

Webhook = tuple[bytes, dict[str, str]]

_ANY_URL = re.compile(r".*")


class GatewayContract:
    """Base class of a gateway's contract tests; pytest collects its ``test_*`` methods."""

    gateway_class: ClassVar[type[BaseGateway]]
    settings: ClassVar[Mapping[str, Any]]
    """A complete configuration; every ``required_settings`` key must be present."""
    amounts: ClassVar[tuple[Money, ...]]
    """One amount per currency exponent the gateway handles (UGX 0, NGN 2, KWD 3...)."""
    verify_states: ClassVar[tuple[PaymentState, ...]] = (PaymentState.SUCCEEDED, PaymentState.FAILED)
    """Outcomes ``stub_verify`` can produce."""
    signature_header: ClassVar[str] = ""
    """The header holding the webhook signature ("" for unsigned or webhook-less gateways)."""
    signature_covers_body: ClassVar[bool] = True
    """False when the signature is a shared secret that does not depend on the body."""
    verify_reports_amount: ClassVar[bool] = True
    """False when the status endpoint omits the amount (M-Pesa's STK query)."""
    makes_http_calls: ClassVar[bool] = True
    accepts_webhooks: ClassVar[bool] = True
    customer: ClassVar[Customer] = Customer(email="ada@example.com", phone="+256772123456", name="Ada Obi")

    # -- hooks a subclass implements ---------------------------------------------------------
    def stub_initialize(self, rsps: responses.RequestsMock, request: PaymentRequest) -> None:
        """Register the provider's replies to starting ``request`` (token calls included)."""

    def sent_amount(self, rsps: responses.RequestsMock, request: PaymentRequest) -> Money:
        """Read back, from the recorded calls, the amount the gateway sent for ``request``."""
        raise NotImplementedError

    def stub_verify(
        self, rsps: responses.RequestsMock, request: PaymentRequest, state: PaymentState
    ) -> PaymentQuery:
        """Register a status reply saying ``request`` ended in ``state``; return the query."""
        raise NotImplementedError

    def stub_refund(self, rsps: responses.RequestsMock, refund: RefundRequest) -> None:
        """Register the provider's reply accepting ``refund``."""

    def webhook(self, request: PaymentRequest) -> Webhook:
        """A signed, real-shaped delivery saying ``request`` succeeded."""
        raise NotImplementedError

    # -- fixtures ------------------------------------------------------------------------------
    @pytest.fixture
    def gateway(self) -> BaseGateway:
        return self.gateway_class(dict(self.settings))

    @pytest.fixture
    def rsps(self) -> Iterator[responses.RequestsMock]:
        token_cache.clear()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            yield mock
        token_cache.clear()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Run amount- and state-dependent tests once per configured value."""
        if "amount" in metafunc.fixturenames:
            metafunc.parametrize("amount", self.amounts, ids=[m.currency for m in self.amounts])
        if "state" in metafunc.fixturenames:
            metafunc.parametrize("state", self.verify_states, ids=[str(s) for s in self.verify_states])

    def payment_request(self, amount: Money | None = None) -> PaymentRequest:
        return PaymentRequest(
            reference="SOK-PAY-0001",
            amount=amount or self.amounts[0],
            customer=self.customer,
            return_url="https://shop.example.com/return",
            callback_url="https://api.example.com/api/payments/webhooks/test/",
            description="Order SOK-1001",
            metadata={"order": "SOK-1001"},
            idempotency_key="idem-0001",
        )

    # -- the contract ------------------------------------------------------------------------
    def test_declares_its_capabilities(self) -> None:
        cls = self.gateway_class
        assert re.fullmatch(r"[a-z][a-z0-9_]*", cls.id)
        assert cls.display_name
        assert cls.methods
        assert all(isinstance(method, PaymentMethod) for method in cls.methods)
        assert cls.currencies is None or all(is_known_currency(code) for code in cls.currencies)
        assert cls.countries is None or all(re.fullmatch(r"[A-Z]{2}", code) for code in cls.countries)
        for amount in self.amounts:
            assert cls.supports(amount.currency), amount.currency
        assert cls.is_configured(self.settings)
        # A signed gateway must name its header, or the signature tests below would not run.
        assert bool(self.signature_header) == (cls.webhooks_signed and self.accepts_webhooks)

    def test_refuses_incomplete_settings(self) -> None:
        for key in self.gateway_class.required_settings:
            settings = {**self.settings, key: ""}
            assert not self.gateway_class.is_configured(settings)
            with pytest.raises(GatewayError) as caught:
                self.gateway_class(settings)
            assert caught.value.kind is GatewayErrorKind.MISCONFIGURED

    def test_initialize_sends_the_exact_amount(
        self, gateway: BaseGateway, rsps: responses.RequestsMock, amount: Money
    ) -> None:
        request = self.payment_request(amount)
        self.stub_initialize(rsps, request)
        started = gateway.initialize_payment(request)
        assert isinstance(started, PaymentInit)
        assert isinstance(started.status, PaymentState)
        assert started.provider_reference
        assert started.authorization_url or started.client_secret or started.instructions
        if self.makes_http_calls:
            assert self.sent_amount(rsps, request) == amount

    def test_verify_reports_state_and_amount(
        self, gateway: BaseGateway, rsps: responses.RequestsMock, state: PaymentState
    ) -> None:
        request = self.payment_request()
        query = self.stub_verify(rsps, request, state)
        status = gateway.verify_payment(query)
        assert isinstance(status, PaymentStatus)
        assert status.status is state
        if state is PaymentState.SUCCEEDED and self.verify_reports_amount:
            assert status.amount == request.amount

    def test_refund_returns_a_result(self, gateway: BaseGateway, rsps: responses.RequestsMock) -> None:
        request = self.payment_request()
        refund = RefundRequest(
            reference="SOK-REF-0001",
            payment=PaymentQuery(request.reference, "prov-ref-0001"),
            amount=request.amount,
            provider_transaction_id="4242",
            reason="customer changed mind",
            idempotency_key="idem-refund-0001",
        )
        if not gateway.supports_refunds:
            with pytest.raises(GatewayError) as caught:
                gateway.process_refund(refund)
            assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
            return
        self.stub_refund(rsps, refund)
        result = gateway.process_refund(refund)
        assert isinstance(result, RefundResult)
        assert isinstance(result.status, RefundState)
        assert result.provider_refund_id

    def test_webhook_with_valid_signature_is_accepted_and_parsed(self, gateway: BaseGateway) -> None:
        if not self.accepts_webhooks:
            assert not gateway.verify_webhook_signature(b"{}", {"X-Anything": "1"})
            return
        request = self.payment_request()
        body, headers = self.webhook(request)
        assert gateway.verify_webhook_signature(body, headers)
        event = gateway.parse_webhook_event(body, headers)
        assert isinstance(event, WebhookEvent)
        assert event.event_id
        assert event.reference == request.reference or event.provider_reference
        assert event.status is PaymentState.SUCCEEDED
        assert event.amount == request.amount
        if not gateway.webhooks_signed:
            assert event.needs_verification, "an unsigned event is only a hint"

    def test_webhook_with_tampered_body_is_rejected(self, gateway: BaseGateway) -> None:
        if not (self.signature_header and self.signature_covers_body):
            pytest.skip("the signature does not cover the body")
        body, headers = self.webhook(self.payment_request())
        assert not gateway.verify_webhook_signature(body + b" ", headers)

    def test_webhook_with_wrong_signature_is_rejected(self, gateway: BaseGateway) -> None:
        if not self.signature_header:
            pytest.skip("unsigned webhooks")
        body, headers = self.webhook(self.payment_request())
        forged = {**headers, self.signature_header: "0" * len(headers[self.signature_header])}
        assert not gateway.verify_webhook_signature(body, forged)

    def test_webhook_without_signature(self, gateway: BaseGateway) -> None:
        """Rejected when the gateway signs; otherwise accepted, but never trusted as is."""
        if not self.accepts_webhooks:
            assert not gateway.verify_webhook_signature(b"{}", {})
            return
        body, headers = self.webhook(self.payment_request())
        stripped = {k: v for k, v in headers.items() if k.lower() != self.signature_header.lower()}
        if gateway.webhooks_signed:
            assert not gateway.verify_webhook_signature(body, stripped)
        else:
            assert gateway.verify_webhook_signature(body, stripped)
            assert gateway.parse_webhook_event(body, stripped).needs_verification

    def test_network_failure_is_retryable(self, gateway: BaseGateway, rsps: responses.RequestsMock) -> None:
        if not self.makes_http_calls:
            pytest.skip("no HTTP calls")
        # No stub registered: ``responses`` answers every request with a ConnectionError.
        with pytest.raises(GatewayError) as caught:
            gateway.initialize_payment(self.payment_request())
        assert caught.value.kind is GatewayErrorKind.NETWORK
        assert caught.value.retryable

    def test_server_error_is_retryable(self, gateway: BaseGateway, rsps: responses.RequestsMock) -> None:
        if not self.makes_http_calls:
            pytest.skip("no HTTP calls")
        for method in (responses.GET, responses.POST, responses.PUT):
            rsps.add(method, _ANY_URL, json={"message": "upstream down"}, status=503)
        with pytest.raises(GatewayError) as caught:
            gateway.initialize_payment(self.payment_request())
        assert caught.value.kind is GatewayErrorKind.NETWORK
        assert caught.value.status == 503

    def test_unsupported_currency_is_refused_before_any_call(
        self, gateway: BaseGateway, rsps: responses.RequestsMock
    ) -> None:
        if self.gateway_class.currencies is None:
            pytest.skip("accepts every currency")
        foreign = next(c for c in ("CHF", "JPY", "KWD", "BHD") if c not in self.gateway_class.currencies)
        request = replace(self.payment_request(), amount=Money(1000, foreign))
        with pytest.raises(GatewayError) as caught:
            gateway.initialize_payment(request)
        assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
        assert not rsps.calls
