"""Paystack: hosted checkout, verification by our reference, refunds, HMAC-SHA512 webhooks.

Paystack works in subunits (kobo, pesewas, cents), so ``Money.amount`` is sent as is. It
sends webhooks only for successful charges: failures are found by verifying (the
reconciliation job polls pending payments).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from app.payments.gateways.http import GatewayHttp, provider_message
from app.payments.gateways.payload import load_json, money_from_minor, section
from app.payments.gateways.signing import header, hmac_hex, same

_PAYMENT_STATES = {
    "success": PaymentState.SUCCEEDED,
    "failed": PaymentState.FAILED,
    "reversed": PaymentState.REFUNDED,
    # "abandoned" is not final: the customer may come back to the same checkout and pay.
}
_REFUND_STATES = {
    "processed": RefundState.SUCCEEDED,
    "failed": RefundState.FAILED,
}


class PaystackGateway(BaseGateway):
    id = "paystack"
    display_name = "Paystack (card, bank, USSD, mobile money)"
    currencies = frozenset({"NGN", "GHS", "ZAR", "KES", "USD"})
    countries = frozenset({"NG", "GH", "ZA", "KE", "CI"})
    methods = frozenset(
        {PaymentMethod.CARD, PaymentMethod.BANK, PaymentMethod.USSD, PaymentMethod.MOBILE_MONEY}
    )
    required_settings = ("PAYSTACK_SECRET_KEY",)

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.http = GatewayHttp(
            self.id, self.setting("PAYSTACK_BASE_URL", "https://api.paystack.co"), self.timeout
        )
        self.headers = {"Authorization": f"Bearer {self.setting('PAYSTACK_SECRET_KEY')}"}

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        self.ensure_currency(request.amount)
        body: dict[str, Any] = {
            "email": request.customer.email,
            "amount": request.amount.amount,
            "currency": request.amount.currency,
            "reference": request.reference,
            "metadata": dict(request.metadata),
        }
        if request.return_url:
            body["callback_url"] = request.return_url
        data = self._data("POST", "/transaction/initialize", body)
        return PaymentInit(
            provider_reference=str(data.get("reference") or request.reference),
            status=PaymentState.PENDING,
            authorization_url=str(data.get("authorization_url", "")),
            raw=data,
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        return self._status(self._data("GET", f"/transaction/verify/{query.reference}"))

    def process_refund(self, request: RefundRequest) -> RefundResult:
        self.ensure_currency(request.amount)
        body = {
            "transaction": request.payment.reference,
            "amount": request.amount.amount,
            "currency": request.amount.currency,
            "merchant_note": f"{request.reference}: {request.reason}"[:200],
        }
        data = self._data("POST", "/refund", body)
        return self._refund(data, request.reference)

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        expected = hmac_hex(self.setting("PAYSTACK_SECRET_KEY"), body, "sha512")
        return same(expected, header(headers, "x-paystack-signature").lower())

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        payload = load_json(body, self.id)
        kind = str(payload.get("event", ""))
        data = section(payload, "data")
        if kind.startswith("refund."):
            refund = self._refund(data, "")
            reference = str(data.get("transaction_reference", ""))
            # Paystack has no event id; event + refund id is unique per state change.
            return WebhookEvent(
                event_id=f"{kind}:{refund.provider_refund_id}",
                type=kind,
                reference=reference,
                provider_reference=reference,
                refund=refund,
                raw=payload,
            )
        status = self._status(data)
        return WebhookEvent(
            event_id=f"{kind}:{status.reference}",
            type=kind,
            reference=status.reference,
            provider_reference=status.provider_reference,
            status=status.status if kind.startswith("charge.") else None,
            amount=status.amount,
            raw=payload,
        )

    def _data(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call Paystack and unwrap its ``{"status": true, "data": {...}}`` envelope."""
        reply = self.http.request(method, path, json_body=body, headers=self.headers)
        envelope = reply.body if isinstance(reply.body, Mapping) else {}
        if envelope.get("status") is not True or not isinstance(envelope.get("data"), Mapping):
            raise GatewayError(
                GatewayErrorKind.INVALID_RESPONSE, self.id, f"{path}: {provider_message(envelope)}"
            )
        return dict(envelope["data"])

    def _status(self, data: Mapping[str, Any]) -> PaymentStatus:
        state = _PAYMENT_STATES.get(str(data.get("status")), PaymentState.PENDING)
        return PaymentStatus(
            status=state,
            amount=money_from_minor(data.get("amount"), data.get("currency"), self.id),
            reference=str(data.get("reference", "")),
            provider_reference=str(data.get("reference", "")),
            provider_transaction_id=str(data.get("id", "")),
            failure_reason="" if state is PaymentState.SUCCEEDED else str(data.get("gateway_response") or ""),
            raw=data,
        )

    def _refund(self, data: Mapping[str, Any], reference: str) -> RefundResult:
        currency = data.get("currency") or section(data, "transaction").get("currency")
        return RefundResult(
            reference=reference,
            provider_refund_id=str(data.get("id", "")),
            status=_REFUND_STATES.get(str(data.get("status")), RefundState.PENDING),
            amount=money_from_minor(data.get("amount"), currency, self.id),
            raw=data,
        )
