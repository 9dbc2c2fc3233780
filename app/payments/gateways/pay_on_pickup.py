"""Pay on pickup: cash at the bus station, so no money moves online.

The order waits in ``ready_for_pickup``; the payment succeeds when staff confirm the
collection code together with the cash received, through the payment service. This
gateway therefore only words the instructions: it has no provider to ask, and no webhooks.
"""

from __future__ import annotations

from collections.abc import Mapping

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


class PayOnPickupGateway(BaseGateway):
    id = "pay_on_pickup"
    display_name = "Pay cash on pickup (bus station)"
    methods = frozenset({PaymentMethod.CASH})

    def initialize_payment(self, request: PaymentRequest) -> PaymentInit:
        return PaymentInit(
            provider_reference=f"pop_{request.reference}",
            status=PaymentState.PENDING,
            instructions=(
                f"Pay {request.amount.format()} in cash when you collect your order at the bus "
                f"station, and quote the reference {request.reference}."
            ),
        )

    def verify_payment(self, query: PaymentQuery) -> PaymentStatus:
        """Only staff at the station know; until they confirm, the payment is pending."""
        return PaymentStatus(
            status=PaymentState.PENDING,
            amount=None,
            reference=query.reference,
            provider_reference=query.provider_reference,
        )

    def process_refund(self, request: RefundRequest) -> RefundResult:
        """A cash refund is recorded by the staff member handing the money back: it is done."""
        return RefundResult(
            reference=request.reference,
            provider_refund_id=f"pop_re_{request.reference}",
            status=RefundState.SUCCEEDED,
            amount=request.amount,
        )

    def verify_webhook_signature(self, body: bytes, headers: Mapping[str, str]) -> bool:
        return False  # nobody is entitled to call this gateway's webhook

    def parse_webhook_event(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        raise GatewayError(GatewayErrorKind.UNSUPPORTED, self.id, "pay on pickup receives no webhooks")
