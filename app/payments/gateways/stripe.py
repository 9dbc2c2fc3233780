"""Stripe through its official SDK: PaymentIntents, refunds and signed webhooks.

The SDK is pointed at ``STRIPE_BASE_URL`` (a fake in tests, a proxy in some deployments)
and uses ``requests`` with our timeout. Its exceptions are translated here into
``GatewayError`` kinds, so the payment service never imports ``stripe``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import stripe

from app.core.money import Money, exponent
from app.payments.gateways.base import (
    BaseGateway,
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
from app.payments.gateways.payload import load_json, money_from_minor, section
from app.payments.gateways.signing import header

T = TypeVar("T")

#: Stripe rejects signatures older than this many seconds (its own default, kept explicit).
SIGNATURE_TOLERANCE = 300

#: Currencies whose exponent in Stripe's API differs from ISO 4217.
_STRIPE_EXPONENTS = {"ISK": 2}

_PAYMENT_STATES = {
    "requires_payment_method": PaymentState.PENDING,
    "requires_confirmation": PaymentState.PENDING,
    "requires_action": PaymentState.REQUIRES_ACTION,
    "processing": PaymentState.PENDING,
    "requires_capture": PaymentState.PENDING,
    "canceled": PaymentState.CANCELLED,
    "succeeded": PaymentState.SUCCEEDED,
}
_REFUND_STATES = {
    "pending": RefundState.PENDING,
    "requires_action": RefundState.PENDING,
    "succeeded": RefundState.SUCCEEDED,
    "failed": RefundState.FAILED,
    "canceled": RefundState.CANCELLED,
}


class StripeGateway(BaseGateway):
    id = "stripe"
    display_name = "Card (Stripe)"
    methods = frozenset({PaymentMethod.CARD})
    required_settings = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.client = stripe.StripeClient(
            self.setting("STRIPE_SECRET_KEY"),
            base_addresses={"api": self.setting("STRIPE_BASE_URL", "https://api.stripe.com")},
            http_client=stripe.RequestsClient(timeout=self.timeout),
            max_network_retries=int(settings.get("STRIPE_MAX_NETWORK_RETRIES") or 0),
        )

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        params: dict[str, Any] = {
            "amount": to_stripe(request.amount),
            "currency": request.amount.currency.lower(),
            "metadata": {**request.metadata, "reference": request.reference},
            "automatic_payment_methods": {"enabled": True},
        }
        if request.description:
            params["description"] = request.description
        if request.customer.email:
            params["receipt_email"] = request.customer.email
        intent = self._call(
            lambda: self.client.v1.payment_intents.create(
                params=params, options=_options(request.idempotency_key)
            )
        )
        return PaymentInit(
            provider_reference=intent.id,
            status=_PAYMENT_STATES.get(intent.status, PaymentState.PENDING),
            client_secret=intent.client_secret or "",
            raw=intent.to_dict(),
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        if not query.provider_reference:
            raise GatewayError(GatewayErrorKind.UNSUPPORTED, self.id, "a PaymentIntent id is required")
        intent = self._call(lambda: self.client.v1.payment_intents.retrieve(query.provider_reference))
        return _intent_status(intent.to_dict())

    def process_refund(self, request: RefundRequest) -> RefundResult:
        params: dict[str, Any] = {
            "payment_intent": request.payment.provider_reference,
            "amount": to_stripe(request.amount),
            "metadata": {"reference": request.reference, "payment_reference": request.payment.reference},
        }
        if request.reason:
            params["metadata"]["reason"] = request.reason[:500]
        refund = self._call(
            lambda: self.client.v1.refunds.create(params=params, options=_options(request.idempotency_key))
        )
        return _refund_result(refund.to_dict())

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        try:
            stripe.WebhookSignature.verify_header(
                body,
                header(headers, "Stripe-Signature"),
                self.setting("STRIPE_WEBHOOK_SECRET"),
                SIGNATURE_TOLERANCE,
            )
        except stripe.SignatureVerificationError:
            return False
        return True

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        event = load_json(body, self.id)
        kind = str(event.get("type", ""))
        obj = section(section(event, "data"), "object")
        common = {"event_id": str(event.get("id", "")), "type": kind, "raw": event}
        if kind.startswith("payment_intent."):
            status = _intent_status(obj)
            return WebhookEvent(
                **common,
                reference=status.reference,
                provider_reference=status.provider_reference,
                status=status.status,
                amount=status.amount,
            )
        if kind.startswith("refund."):
            refund = _refund_result(obj)
            return WebhookEvent(
                **common,
                reference=str(section(obj, "metadata").get("payment_reference", "")),
                provider_reference=str(obj.get("payment_intent") or ""),
                refund=refund,
            )
        if kind == "charge.refunded":
            # Partial refunds arrive as refund.* events; a fully refunded charge ends the payment.
            return WebhookEvent(
                **common,
                reference=str(section(obj, "metadata").get("reference", "")),
                provider_reference=str(obj.get("payment_intent") or ""),
                status=PaymentState.REFUNDED if obj.get("refunded") else None,
                amount=from_stripe(obj.get("amount_refunded"), obj.get("currency")),
            )
        return WebhookEvent(**common)

    def _call(self, call: Callable[[], T]) -> T:
        """Run one SDK call, translating Stripe's exceptions into gateway error kinds."""
        try:
            return call()
        except stripe.CardError as exc:
            raise self._error(GatewayErrorKind.DECLINED, exc) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise self._error(GatewayErrorKind.NETWORK, exc) from exc
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            raise self._error(GatewayErrorKind.MISCONFIGURED, exc) from exc
        except stripe.StripeError as exc:
            status = exc.http_status or 0
            kind = GatewayErrorKind.NETWORK if status >= 500 or not status else GatewayErrorKind.REJECTED
            raise self._error(kind, exc) from exc

    def _error(self, kind: GatewayErrorKind, exc: stripe.StripeError) -> GatewayError:
        reason = exc.user_message or exc.code or type(exc).__name__
        return GatewayError(kind, self.id, reason, provider_status=exc.http_status)


def to_stripe(amount: Money) -> int:
    """Stripe's integer amount: ISO minor units, except where Stripe's API differs.

    ISK has no minor unit in ISO 4217 but stays two-decimal in Stripe's API (100 = 1 króna);
    three-decimal currencies (KWD, BHD…) must end in 0 there. We refuse rather than round.
    """
    if exponent(amount.currency) == 3 and amount.amount % 10:
        raise GatewayError(
            GatewayErrorKind.UNSUPPORTED,
            "stripe",
            f"Stripe takes {amount.currency} in tens of the minor unit",
        )
    return amount.amount * _scale(amount.currency)


def from_stripe(value: Any, currency: Any) -> Money:
    """``Money`` from one of Stripe's integer amounts (the inverse of ``to_stripe``)."""
    money = money_from_minor(value or 0, currency, "stripe")
    scale = _scale(money.currency)
    if money.amount % scale:
        raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, "stripe", f"{value} {currency} is not whole")
    return Money(money.amount // scale, money.currency)


def _scale(currency: str) -> int:
    """Stripe units per ISO minor unit: 100 for ISK, 1 everywhere else."""
    iso = exponent(currency)
    return 10 ** (_STRIPE_EXPONENTS.get(currency, iso) - iso)


def _options(idempotency_key: str) -> Any:
    return {"idempotency_key": idempotency_key} if idempotency_key else None


def _intent_status(intent: Mapping[str, Any]) -> PaymentStatus:
    state = _PAYMENT_STATES.get(str(intent.get("status")), PaymentState.PENDING)
    if state is PaymentState.PENDING and section(intent, "last_payment_error"):
        # A failed attempt leaves the intent waiting for another card: for us it failed.
        state = PaymentState.FAILED
    received = intent.get("amount_received") if state is PaymentState.SUCCEEDED else None
    currency = str(intent.get("currency", "")).upper()
    return PaymentStatus(
        status=state,
        amount=from_stripe(received or intent.get("amount"), currency) if currency else None,
        reference=str(section(intent, "metadata").get("reference", "")),
        provider_reference=str(intent.get("id", "")),
        provider_transaction_id=str(intent.get("latest_charge") or ""),
        failure_reason=str(section(intent, "last_payment_error").get("message", "")),
        raw=intent,
    )


def _refund_result(refund: Mapping[str, Any]) -> RefundResult:
    currency = str(refund.get("currency", "")).upper()
    return RefundResult(
        reference=str(section(refund, "metadata").get("reference", "")),
        provider_refund_id=str(refund.get("id", "")),
        status=_REFUND_STATES.get(str(refund.get("status")), RefundState.PENDING),
        amount=from_stripe(refund.get("amount"), currency) if currency else None,
        raw=refund,
    )
