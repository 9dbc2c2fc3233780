"""The sandbox: test payments with no keys and no money, through the real pipeline.

A payment starts here and points the customer at Sokoni's own approve/decline page
(``SANDBOX_PAGE_URL``). The page's decision becomes a webhook built by ``signed_webhook``,
signed with ``SANDBOX_WEBHOOK_SECRET`` exactly like a provider would, and delivered to
Sokoni's webhook endpoint, so a demo exercises signature checks, dedupe and the worker.
The sandbox keeps no state of its own: its signed webhook is the record, so verifying
reports ``pending`` and the signed event is trusted as is.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping

from app.core.money import Money
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
from app.payments.gateways.payload import load_json, money_from_minor, section
from app.payments.gateways.signing import header, hmac_hex, same

SIGNATURE_HEADER = "X-Sandbox-Signature"
_OUTCOMES = {"succeeded": PaymentState.SUCCEEDED, "failed": PaymentState.FAILED}


class SandboxGateway(BaseGateway):
    id = "sandbox"
    display_name = "Sandbox (test payments, no money moves)"
    methods = frozenset({PaymentMethod.CARD, PaymentMethod.MOBILE_MONEY, PaymentMethod.BANK})
    required_settings = ("SANDBOX_WEBHOOK_SECRET",)

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        page = self.setting("SANDBOX_PAGE_URL", "/api/payments/sandbox/{reference}/")
        return PaymentInit(
            provider_reference=f"sbx_{secrets.token_hex(12)}",
            status=PaymentState.PENDING,
            authorization_url=page.format(reference=request.reference),
            raw={"sandbox": True},
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        return PaymentStatus(
            status=PaymentState.PENDING,
            amount=None,
            reference=query.reference,
            provider_reference=query.provider_reference,
        )

    def process_refund(self, request: RefundRequest) -> RefundResult:
        """Nothing to send back: the refund completes on the spot."""
        return RefundResult(
            reference=request.reference,
            provider_refund_id=f"sbx_re_{secrets.token_hex(12)}",
            status=RefundState.SUCCEEDED,
            amount=request.amount,
            raw={"sandbox": True},
        )

    def signed_webhook(
        self, reference: str, provider_reference: str, amount: Money, approved: bool
    ) -> tuple[bytes, dict[str, str]]:
        """The delivery the approve/decline page posts to Sokoni's webhook endpoint."""
        outcome = "succeeded" if approved else "failed"
        body = json.dumps(
            {
                "id": f"evt_sbx_{secrets.token_hex(12)}",
                "type": f"payment.{outcome}",
                "created": int(time.time()),
                "data": {
                    "reference": reference,
                    "provider_reference": provider_reference,
                    "amount": amount.amount,
                    "currency": amount.currency,
                    "status": outcome,
                },
            }
        ).encode()
        signature = hmac_hex(self.setting("SANDBOX_WEBHOOK_SECRET"), body)
        return body, {SIGNATURE_HEADER: signature, "Content-Type": "application/json"}

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        expected = hmac_hex(self.setting("SANDBOX_WEBHOOK_SECRET"), body)
        return same(expected, header(headers, SIGNATURE_HEADER).lower())

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        payload = load_json(body, self.id)
        data = section(payload, "data")
        return WebhookEvent(
            event_id=str(payload.get("id", "")),
            type=str(payload.get("type", "")),
            reference=str(data.get("reference", "")),
            provider_reference=str(data.get("provider_reference", "")),
            status=_OUTCOMES.get(str(data.get("status"))),
            amount=money_from_minor(data.get("amount"), data.get("currency"), self.id),
            raw=payload,
        )
