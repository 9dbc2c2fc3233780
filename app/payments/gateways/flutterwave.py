"""Flutterwave v3: hosted Standard checkout, verification, refunds and webhooks.

Flutterwave takes and returns **major units** ("1250.50" NGN), converted here exactly. Its
webhook "signature" is, by default, the secret hash itself in ``verif-hash``; newer accounts
may sign with a base64 HMAC-SHA256 of the body in ``flutterwave-signature``. Both are
supported (``FLUTTERWAVE_WEBHOOK_SIGNATURE``), and either way an event is only a hint:
Flutterwave asks merchants to re-verify the transaction before fulfilling.
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
from app.payments.gateways.payload import load_json, major_string, money_from_major, section
from app.payments.gateways.signing import header, hmac_base64, same

#: Values of ``FLUTTERWAVE_WEBHOOK_SIGNATURE``.
VERIF_HASH = "verif-hash"
HMAC = "hmac"

_PAYMENT_STATES = {
    "successful": PaymentState.SUCCEEDED,
    "failed": PaymentState.FAILED,
    "cancelled": PaymentState.CANCELLED,
}
_REFUND_STATES = {
    "completed": RefundState.SUCCEEDED,
    "successful": RefundState.SUCCEEDED,
    "failed": RefundState.FAILED,
}
_CHECKOUT_OPTIONS = {
    PaymentMethod.CARD: "card",
    PaymentMethod.BANK: "banktransfer",
    PaymentMethod.USSD: "ussd",
    PaymentMethod.MOBILE_MONEY: ",".join(
        ("mobilemoneyghana", "mobilemoneyuganda", "mobilemoneyrwanda", "mobilemoneyzambia", "mpesa")
    ),
}


class FlutterwaveGateway(BaseGateway):
    id = "flutterwave"
    display_name = "Flutterwave (card, bank, USSD, mobile money)"
    currencies = frozenset(
        {"NGN", "GHS", "KES", "UGX", "TZS", "RWF", "ZAR", "XAF", "XOF", "ZMW", "USD", "EUR", "GBP"}
    )
    countries = frozenset({"NG", "GH", "KE", "UG", "TZ", "RW", "ZA", "CM", "CI", "SN", "ZM", "BJ", "BF"})
    methods = frozenset(
        {PaymentMethod.CARD, PaymentMethod.BANK, PaymentMethod.USSD, PaymentMethod.MOBILE_MONEY}
    )
    required_settings = ("FLUTTERWAVE_SECRET_KEY", "FLUTTERWAVE_WEBHOOK_HASH")

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.signature_mode = self.setting("FLUTTERWAVE_WEBHOOK_SIGNATURE", VERIF_HASH).lower()
        if self.signature_mode not in (VERIF_HASH, HMAC):
            raise GatewayError(
                GatewayErrorKind.MISCONFIGURED,
                self.id,
                f"FLUTTERWAVE_WEBHOOK_SIGNATURE must be {VERIF_HASH!r} or {HMAC!r}",
            )
        base_url = self.setting("FLUTTERWAVE_BASE_URL", "https://api.flutterwave.com")
        self.http = GatewayHttp(self.id, base_url, self.timeout)
        self.headers = {"Authorization": f"Bearer {self.setting('FLUTTERWAVE_SECRET_KEY')}"}

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        self.ensure_currency(request.amount)
        body: dict[str, Any] = {
            "tx_ref": request.reference,
            "amount": major_string(request.amount),
            "currency": request.amount.currency,
            "redirect_url": request.return_url,
            "customer": {
                "email": request.customer.email,
                "name": request.customer.name,
                "phonenumber": request.customer.phone,
            },
            "meta": dict(request.metadata),
            "customizations": {"title": request.description or "Sokoni"},
        }
        if request.method in _CHECKOUT_OPTIONS:
            body["payment_options"] = _CHECKOUT_OPTIONS[request.method]
        data = self._data("POST", "/v3/payments", body)
        return PaymentInit(
            # Flutterwave's own id exists only once the customer pays; until then tx_ref is the key.
            provider_reference=request.reference,
            status=PaymentState.PENDING,
            authorization_url=str(data.get("link", "")),
            raw=data,
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        data = self._data("GET", "/v3/transactions/verify_by_reference", params={"tx_ref": query.reference})
        return self._status(data)

    def process_refund(self, request: RefundRequest) -> RefundResult:
        self.ensure_currency(request.amount)
        transaction_id = request.provider_transaction_id
        if not transaction_id:
            transaction_id = self.verify_payment(request.payment).provider_transaction_id
        body = {"amount": major_string(request.amount), "comments": f"{request.reference}: {request.reason}"}
        data = self._data("POST", f"/v3/transactions/{transaction_id}/refund", body)
        amount = data.get("amount_refunded")
        return RefundResult(
            reference=request.reference,
            provider_refund_id=str(data.get("id", "")),
            status=_REFUND_STATES.get(str(data.get("status")).lower(), RefundState.PENDING),
            amount=money_from_major(amount, request.amount.currency, self.id) if amount is not None else None,
            raw=data,
        )

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        secret = self.setting("FLUTTERWAVE_WEBHOOK_HASH")
        if self.signature_mode == HMAC:
            return same(hmac_base64(secret, body), header(headers, "flutterwave-signature"))
        return same(secret, header(headers, "verif-hash"))

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        payload = load_json(body, self.id)
        kind = str(payload.get("event") or payload.get("type") or "")
        data = section(payload, "data")
        if not kind.startswith("charge."):
            return WebhookEvent(event_id=f"{kind}:{data.get('id', '')}", type=kind, raw=payload)
        status = self._status(data)
        return WebhookEvent(
            event_id=f"{kind}:{status.provider_transaction_id}:{data.get('status', '')}",
            type=kind,
            reference=status.reference,
            provider_reference=status.provider_reference,
            status=status.status,
            amount=status.amount,
            needs_verification=True,
            raw=payload,
        )

    def _data(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Call Flutterwave and unwrap its ``{"status": "success", "data": {...}}`` envelope."""
        reply = self.http.request(method, path, json_body=body, params=params, headers=self.headers)
        envelope = reply.body if isinstance(reply.body, Mapping) else {}
        if envelope.get("status") != "success" or not isinstance(envelope.get("data"), Mapping):
            raise GatewayError(
                GatewayErrorKind.INVALID_RESPONSE, self.id, f"{path}: {provider_message(envelope)}"
            )
        return dict(envelope["data"])

    def _status(self, data: Mapping[str, Any]) -> PaymentStatus:
        state = _PAYMENT_STATES.get(str(data.get("status")).lower(), PaymentState.PENDING)
        amount = data.get("amount")
        return PaymentStatus(
            status=state,
            amount=money_from_major(amount, data.get("currency"), self.id) if amount is not None else None,
            reference=str(data.get("tx_ref", "")),
            provider_reference=str(data.get("tx_ref", "")),
            provider_transaction_id=str(data.get("id", "")),
            failure_reason=""
            if state is PaymentState.SUCCEEDED
            else str(data.get("processor_response") or ""),
            raw=data,
        )
