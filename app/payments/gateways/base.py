"""The contract every payment gateway implements: an ABC and the plain data it takes and returns.

The payment service (which owns the database) and a gateway (which owns one provider's API)
meet only here, so a gateway can be written, installed and tested without Sokoni's models.
Amounts are always ``Money`` (integer minor units); converting to what a provider wants
(Flutterwave and MoMo take major units) is the gateway's job and nobody else's.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from app.core.money import Money
from app.payments.gateways.errors import GatewayError, GatewayErrorKind

#: Seconds a provider call may take when ``PAYMENTS_HTTP_TIMEOUT`` is not set.
DEFAULT_TIMEOUT = 15.0


class PaymentMethod(StrEnum):
    CARD = "card"
    BANK = "bank"
    MOBILE_MONEY = "mobile_money"
    USSD = "ussd"
    CASH = "cash"


class PaymentState(StrEnum):
    """Every provider's vocabulary, normalised; the service's state machine speaks only this."""

    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def is_final(self) -> bool:
        return self not in {PaymentState.PENDING, PaymentState.REQUIRES_ACTION}


class RefundState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Customer:
    email: str
    phone: str = ""
    """E.164 digits, with or without "+"; needed by mobile-money gateways."""
    name: str = ""


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    reference: str
    """Our unique payment reference; providers echo it back, so webhooks can be matched."""
    amount: Money
    customer: Customer
    return_url: str = ""
    """Where a hosted page sends the customer back to."""
    callback_url: str = ""
    """Sokoni's webhook URL for this gateway, for providers that take it per request."""
    description: str = ""
    method: PaymentMethod | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class PaymentInit:
    """What the client needs next: a page to open, a secret for a card form, or words to read."""

    provider_reference: str
    status: PaymentState
    authorization_url: str = ""
    client_secret: str = ""
    instructions: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    """Identifies a payment to a provider: some look it up by our reference, some by theirs."""

    reference: str
    provider_reference: str = ""


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    status: PaymentState
    amount: Money | None
    """What the provider says was (or is to be) paid; the service compares it with the order."""
    reference: str = ""
    """Our reference as the provider echoes it ("" when it does not)."""
    provider_reference: str = ""
    provider_transaction_id: str = ""
    failure_reason: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RefundRequest:
    reference: str
    """Our unique refund reference."""
    payment: PaymentQuery
    amount: Money
    """Always explicit: the service knows what was captured and what is already refunded."""
    provider_transaction_id: str = ""
    reason: str = ""
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True)
class RefundResult:
    reference: str
    provider_refund_id: str
    status: RefundState
    amount: Money | None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    event_id: str
    """Unique per gateway: the key that makes a replayed delivery a no-op."""
    type: str
    """The provider's own event name, kept for the log."""
    reference: str = ""
    provider_reference: str = ""
    status: PaymentState | None = None
    """Set for payment events; ``None`` for events that change no payment."""
    amount: Money | None = None
    refund: RefundResult | None = None
    """Set for refund events."""
    needs_verification: bool = False
    """True when the event alone cannot be trusted: query the provider before acting."""
    raw: Mapping[str, Any] = field(default_factory=dict)


class BaseGateway(abc.ABC):
    """One payment provider. Subclasses set the class attributes and the five methods.

    A gateway is built from a settings mapping (the Flask config) and never touches the
    database; each call either returns one of the dataclasses above or raises
    ``GatewayError``.
    """

    id: ClassVar[str]
    display_name: ClassVar[str]
    currencies: ClassVar[frozenset[str] | None] = None
    """ISO 4217 codes it accepts; ``None`` means any."""
    countries: ClassVar[frozenset[str] | None] = None
    """ISO 3166 alpha-2 codes it serves; ``None`` means any."""
    methods: ClassVar[frozenset[PaymentMethod]]
    required_settings: ClassVar[tuple[str, ...]] = ()
    """Keys that must be non-empty before the gateway is offered."""
    webhooks_signed: ClassVar[bool] = True
    """False when the provider's callbacks carry no signature (MoMo): they are only hints."""
    supports_refunds: ClassVar[bool] = True
    """False when refunds happen outside Sokoni; ``process_refund`` then raises ``unsupported``."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        missing = self.missing_settings(settings)
        if missing:
            raise GatewayError(
                GatewayErrorKind.MISCONFIGURED, self.id, "missing settings: " + ", ".join(missing)
            )
        self.settings = settings
        self.timeout = float(settings.get("PAYMENTS_HTTP_TIMEOUT") or DEFAULT_TIMEOUT)

    @classmethod
    def missing_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        return [key for key in cls.required_settings if not str(settings.get(key) or "").strip()]

    @classmethod
    def is_configured(cls, settings: Mapping[str, Any]) -> bool:
        return not cls.missing_settings(settings)

    @classmethod
    def supports(cls, currency: str, country: str | None = None, method: PaymentMethod | None = None) -> bool:
        """Whether a payment in ``currency`` from ``country`` by ``method`` can go through here."""
        return (
            (cls.currencies is None or currency in cls.currencies)
            and (country is None or cls.countries is None or country in cls.countries)
            and (method is None or method in cls.methods)
        )

    def setting(self, name: str, default: str = "") -> str:
        return str(self.settings.get(name) or default).strip()

    def ensure_currency(self, amount: Money) -> None:
        """Refuse before calling the provider, which would fail less clearly."""
        if self.currencies is not None and amount.currency not in self.currencies:
            raise GatewayError(
                GatewayErrorKind.UNSUPPORTED, self.id, f"currency {amount.currency} is not supported"
            )

    @abc.abstractmethod
    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        """Start a payment at the provider; never final by itself except for failures."""

    @abc.abstractmethod
    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        """Ask the provider where the payment stands: the only source the service fully trusts."""

    @abc.abstractmethod
    def process_refund(self, request: RefundRequest) -> RefundResult:
        """Refund all or part of a succeeded payment."""

    @abc.abstractmethod
    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Check the raw body against its signature headers; False on anything doubtful."""

    @abc.abstractmethod
    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Read a delivery whose signature was verified; ``GatewayError`` if it is unreadable."""
