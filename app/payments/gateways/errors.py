"""What can go wrong when talking to a payment provider, sorted by what the caller should do.

One ``GatewayError`` with a ``kind`` (rather than a class per provider failure) because the
payment service reacts to the kind, not to the provider: a ``network`` failure lets it offer
the next gateway, ``misconfigured`` needs an operator, ``declined`` goes back to the customer.
It is an ``AppError``, so an uncaught one still leaves the API in the standard envelope,
with a generic message: provider details (which may name our keys or accounts) stay in
``reason`` for logs and the transaction log.
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus

from app.core.errors import AppError, ErrorCode


class GatewayErrorKind(StrEnum):
    NETWORK = "network"
    """Timeout, connection failure, 5xx or 429: retry later or try another gateway."""
    DECLINED = "declined"
    """The provider refused the payment or refund itself (card declined, insufficient funds)."""
    MISCONFIGURED = "misconfigured"
    """Missing settings or credentials the provider rejects (401/403): an operator must act."""
    REJECTED = "rejected"
    """The provider answered 4xx to a request we built (unknown reference, invalid field)."""
    INVALID_RESPONSE = "invalid_response"
    """An answer we cannot read; about money we never guess."""
    UNSUPPORTED = "unsupported"
    """The gateway does not offer this operation, currency or input (e.g. cents to M-Pesa)."""


_RESPONSES: dict[GatewayErrorKind, tuple[int, ErrorCode, str]] = {
    GatewayErrorKind.NETWORK: (
        HTTPStatus.SERVICE_UNAVAILABLE,
        ErrorCode.GATEWAY_UNAVAILABLE,
        "The payment provider cannot be reached; try again shortly or choose another method.",
    ),
    GatewayErrorKind.MISCONFIGURED: (
        HTTPStatus.SERVICE_UNAVAILABLE,
        ErrorCode.GATEWAY_NOT_CONFIGURED,
        "This payment method is not available right now.",
    ),
    GatewayErrorKind.DECLINED: (
        HTTPStatus.BAD_GATEWAY,
        ErrorCode.PAYMENT_DECLINED,
        "The payment provider declined the request.",
    ),
    GatewayErrorKind.REJECTED: (
        HTTPStatus.BAD_GATEWAY,
        ErrorCode.GATEWAY_ERROR,
        "The payment provider rejected the request.",
    ),
    GatewayErrorKind.INVALID_RESPONSE: (
        HTTPStatus.BAD_GATEWAY,
        ErrorCode.GATEWAY_ERROR,
        "The payment provider sent an answer Sokoni cannot read.",
    ),
    GatewayErrorKind.UNSUPPORTED: (
        HTTPStatus.UNPROCESSABLE_ENTITY,
        ErrorCode.VALIDATION_ERROR,
        "This payment method cannot do that.",
    ),
}


class GatewayError(AppError):
    """A failed provider call; ``reason`` is for logs, the message is safe for clients."""

    def __init__(
        self,
        kind: GatewayErrorKind,
        gateway: str,
        reason: str,
        *,
        provider_status: int | None = None,
    ) -> None:
        status, code, message = _RESPONSES[kind]
        details: dict[str, str] = {"gateway": gateway, "kind": str(kind)}
        if kind is GatewayErrorKind.DECLINED:
            details["reason"] = reason  # the customer needs to know why ("insufficient funds")
        super().__init__(message, code=code, details=details)
        self.status = status
        self.kind = kind
        self.gateway = gateway
        self.reason = reason
        self.provider_status = provider_status

    @property
    def retryable(self) -> bool:
        """True when the same request may succeed later or through another gateway."""
        return self.kind is GatewayErrorKind.NETWORK

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind}: {self.reason}"
