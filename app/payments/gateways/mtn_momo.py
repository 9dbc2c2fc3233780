"""MTN Mobile Money: Collections "request to pay", status polling, Disbursement refunds.

The customer approves on the phone, so a payment starts ``pending`` and ends either through
the callback or through polling. MoMo's callback is **unsigned** and sent once: it is only a
hint (``needs_verification``), and the service must re-query the status endpoint before
acting on it. Amounts are strings of major units. Bearer tokens are cached until shortly
before they expire, as MoMo throttles token requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
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
from app.payments.gateways.http import GatewayHttp, token_cache
from app.payments.gateways.payload import load_json, major_string, mask_phone, money_from_major, msisdn

_PAYMENT_STATES = {
    "SUCCESSFUL": PaymentState.SUCCEEDED,
    "FAILED": PaymentState.FAILED,
    "REJECTED": PaymentState.CANCELLED,
    "TIMEOUT": PaymentState.FAILED,
}
#: X-Reference-Ids derived from an idempotency key live in this namespace.
_REFERENCE_NAMESPACE = uuid.UUID("6f1c3a52-94d4-4c1e-9a53-6c0a3b7d9e10")


@dataclass(frozen=True, slots=True)
class _Product:
    """A MoMo API product (Collection, Disbursement): each has its own key and API user."""

    name: str
    subscription_key: str
    api_user: str
    api_key: str


class MtnMomoGateway(BaseGateway):
    id = "mtn_momo"
    display_name = "MTN Mobile Money"
    currencies = frozenset({"UGX", "GHS", "RWF", "ZMW", "XAF", "XOF"})
    countries = frozenset({"UG", "GH", "RW", "ZM", "CM", "CI", "BJ", "CG", "GN", "LR", "SZ"})
    methods = frozenset({PaymentMethod.MOBILE_MONEY})
    required_settings = (
        "MOMO_COLLECTION_SUBSCRIPTION_KEY",
        "MOMO_COLLECTION_API_USER",
        "MOMO_COLLECTION_API_KEY",
        "MOMO_TARGET_ENVIRONMENT",
    )
    webhooks_signed = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        base_url = self.setting("MOMO_BASE_URL", "https://sandbox.momodeveloper.mtn.com")
        self.http = GatewayHttp(self.id, base_url, self.timeout)
        self.collection = self._product("collection")
        self.disbursement = self._product("disbursement")

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        self.ensure_currency(request.amount)
        phone = msisdn(request.customer.phone, self.id)
        reference_id = self._reference_id("payment", request.idempotency_key)
        body = {
            "amount": major_string(request.amount),
            "currency": request.amount.currency,
            "externalId": request.reference,
            "payer": {"partyIdType": "MSISDN", "partyId": phone},
            "payerMessage": (request.description or request.reference)[:160],
            "payeeNote": request.reference,
        }
        headers = self._headers(self.collection, reference_id)
        if request.callback_url:
            headers["X-Callback-Url"] = request.callback_url
        self.http.request("POST", "/collection/v1_0/requesttopay", json_body=body, headers=headers)
        return PaymentInit(
            provider_reference=reference_id,
            status=PaymentState.PENDING,
            instructions=(
                f"Approve the payment of {request.amount.format()} on the phone {mask_phone(phone)} "
                "(MTN Mobile Money prompt)."
            ),
            raw={"referenceId": reference_id},
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        if not query.provider_reference:
            raise GatewayError(GatewayErrorKind.UNSUPPORTED, self.id, "the X-Reference-Id is required")
        reply = self.http.request(
            "GET",
            f"/collection/v1_0/requesttopay/{query.provider_reference}",
            headers=self._headers(self.collection),
        )
        data = reply.body if isinstance(reply.body, Mapping) else {}
        status = self._status(data)
        return PaymentStatus(
            status=status.status,
            amount=status.amount,
            reference=status.reference,
            provider_reference=query.provider_reference,
            provider_transaction_id=status.provider_transaction_id,
            failure_reason=status.failure_reason,
            raw=data,
        )

    def process_refund(self, request: RefundRequest) -> RefundResult:
        """Refunds go through the Disbursement product, with its own credentials."""
        self.ensure_currency(request.amount)
        if not all(
            (self.disbursement.subscription_key, self.disbursement.api_user, self.disbursement.api_key)
        ):
            raise GatewayError(
                GatewayErrorKind.MISCONFIGURED, self.id, "refunds need the MOMO_DISBURSEMENT_* settings"
            )
        reference_id = self._reference_id("refund", request.idempotency_key)
        body = {
            "amount": major_string(request.amount),
            "currency": request.amount.currency,
            "externalId": request.reference,
            "payerMessage": (request.reason or "Refund")[:160],
            "payeeNote": request.reference,
            "referenceIdToRefund": request.payment.provider_reference,
        }
        headers = self._headers(self.disbursement, reference_id)
        self.http.request("POST", "/disbursement/v1_0/refund", json_body=body, headers=headers)
        return RefundResult(
            reference=request.reference,
            provider_refund_id=reference_id,
            status=RefundState.PENDING,
            amount=request.amount,
            raw={"referenceId": reference_id},
        )

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """MoMo signs nothing; acceptance is harmless because the event is only a hint."""
        return True

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        data = load_json(body, self.id)
        status = self._status(data)
        return WebhookEvent(
            event_id=f"{status.reference}:{data.get('status', '')}:{status.provider_transaction_id}",
            type=f"requesttopay.{str(data.get('status', '')).lower()}",
            reference=status.reference,
            provider_reference=str(data.get("referenceId", "")),
            status=status.status,
            amount=status.amount,
            needs_verification=True,
            raw=data,
        )

    def _status(self, data: Mapping[str, Any]) -> PaymentStatus:
        state = _PAYMENT_STATES.get(str(data.get("status", "")).upper(), PaymentState.PENDING)
        amount = data.get("amount")
        reason = data.get("reason") or ""
        if isinstance(reason, Mapping):
            reason = reason.get("code") or reason.get("message") or ""
        return PaymentStatus(
            status=state,
            amount=money_from_major(amount, data.get("currency"), self.id) if amount is not None else None,
            reference=str(data.get("externalId", "")),
            provider_transaction_id=str(data.get("financialTransactionId") or ""),
            failure_reason=str(reason),
            raw=data,
        )

    def _product(self, name: str) -> _Product:
        prefix = f"MOMO_{name.upper()}_"
        return _Product(
            name,
            self.setting(prefix + "SUBSCRIPTION_KEY"),
            self.setting(prefix + "API_USER"),
            self.setting(prefix + "API_KEY"),
        )

    def _headers(self, product: _Product, reference_id: str = "") -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._token(product)}",
            "X-Target-Environment": self.setting("MOMO_TARGET_ENVIRONMENT"),
            "Ocp-Apim-Subscription-Key": product.subscription_key,
        }
        if reference_id:
            headers["X-Reference-Id"] = reference_id
        return headers

    def _token(self, product: _Product) -> str:
        def fetch() -> tuple[str, int]:
            reply = self.http.request(
                "POST",
                f"/{product.name}/token/",
                headers={"Ocp-Apim-Subscription-Key": product.subscription_key},
                auth=(product.api_user, product.api_key),
            )
            body = reply.body if isinstance(reply.body, Mapping) else {}
            if not body.get("access_token"):
                raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, self.id, "token reply without a token")
            return str(body["access_token"]), int(body.get("expires_in") or 3600)

        key = f"{self.id}|{self.http.base_url}|{product.name}|{product.api_user}|{product.api_key}"
        return token_cache.get(key, fetch)

    @staticmethod
    def _reference_id(purpose: str, idempotency_key: str) -> str:
        """The X-Reference-Id, which *is* the transaction id: fresh, or stable for a retried key."""
        if idempotency_key:
            return str(uuid.uuid5(_REFERENCE_NAMESPACE, f"{purpose}:{idempotency_key}"))
        return str(uuid.uuid4())
