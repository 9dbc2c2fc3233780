"""Payments and refunds as clients see them: money as ``{amount, currency}`` objects.

Customers get the payment and what to do next; staff also get the review flags, the fraud
decision, refunds and the transaction log.
"""

from __future__ import annotations

from typing import Any

from app.core.money import Money
from app.payments.models import Payment, Refund


def payment_view(payment: Payment, fallback: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "reference": payment.reference,
        "order": payment.order.number,
        "status": payment.status,
        "gateway": payment.gateway,
        "method": payment.method,
        "amount": Money(payment.amount, payment.currency).to_dict(),
        "refunded": Money(payment.amount_refunded, payment.currency).to_dict(),
        "authorization_url": payment.authorization_url,
        "client_secret": payment.client_secret,
        "instructions": payment.instructions,
        "failure_reason": payment.failure_reason,
        "under_review": payment.flagged_for_review,
        "fallback": fallback,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def refund_view(refund: Refund) -> dict[str, Any]:
    return {
        "reference": refund.reference,
        "payment": refund.payment.reference,
        "status": refund.status,
        "amount": Money(refund.amount, refund.currency).to_dict(),
        "reason": refund.reason,
        "failure_reason": refund.failure_reason,
        "created_at": refund.created_at,
    }


def admin_payment_view(payment: Payment) -> dict[str, Any]:
    decision = payment.fraud_decision
    return {
        **payment_view(payment),
        "customer": payment.user.email,
        "provider_reference": payment.provider_reference,
        "flagged_for_review": payment.flagged_for_review,
        "review_reason": payment.review_reason,
        "fell_back_from": payment.fell_back_from,
        "fraud": (
            {"score": decision.score, "decision": decision.decision, "reasons": decision.reasons}
            if decision
            else None
        ),
        "refunds": [refund_view(refund) for refund in payment.refunds],
        "transactions": payment.transactions,
    }
