"""Webhooks: verified on the raw body, stored once, answered at once, processed by a worker.

``ingest`` runs in the request. The signature is checked on the exact bytes received,
before anything is parsed; a missing or bad one is recorded and answered 401, and changes
nothing else. A verified delivery is stored under a unique (gateway, event id): a replay
finds the row and does nothing more. The job is queued and the provider gets its 200.

``process`` is the job. It re-reads the stored body, and when the event alone cannot be
trusted (unsigned callbacks such as MoMo's and M-Pesa's, Flutterwave's, or anything marked
``needs_verification``) asks the gateway itself before settling the payment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import ValidationError
from app.core.jobs import enqueue
from app.core.models import utcnow
from app.extensions import db
from app.payments import tasks
from app.payments.errors import InvalidSignature
from app.payments.gateways.base import BaseGateway, PaymentQuery, PaymentStatus
from app.payments.gateways.base import WebhookEvent as ParsedEvent
from app.payments.gateways.errors import GatewayError
from app.payments.models import Payment, WebhookEvent, WebhookStatus
from app.payments.services import gateway_calls, refund_service, settlement

log = logging.getLogger(__name__)

#: How much of a rejected (unsigned or forged) body is kept for investigation.
REJECTED_BODY_LIMIT = 4096
#: A stored delivery still unprocessed after this long is assumed lost by the queue.
STALLED_AFTER_SECONDS = 300


@dataclass(frozen=True)
class Received:
    event_id: int
    duplicate: bool


def ingest(gateway_id: str, body: bytes, headers: Mapping[str, str]) -> Received:
    """Verify, store and queue one delivery; 401 for a bad signature, 200 for a replay."""
    gateway = gateway_calls.gateway(gateway_id)
    if not gateway.verify_webhook_signature(body, headers):
        _reject(gateway, body)
        raise InvalidSignature()
    try:
        parsed = gateway.parse_webhook_event(body, headers)
    except GatewayError as exc:
        gateway_calls.record("webhook", gateway.id, "unreadable", error=exc.reason)
        db.session.commit()
        raise ValidationError("The webhook body cannot be read.", details={"gateway": gateway.id}) from exc
    event = WebhookEvent(
        gateway=gateway.id,
        event_id=_storable(parsed.event_id)[:200],
        event_type=_storable(parsed.type)[:100],
        reference=_storable(parsed.reference or parsed.provider_reference)[:120] or None,
        body=_storable(body),
        payload=dict(parsed.raw),
        signature_valid=True,
        status=WebhookStatus.RECEIVED,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(
            sa.select(WebhookEvent).where(
                WebhookEvent.gateway == gateway.id, WebhookEvent.event_id == _storable(parsed.event_id)[:200]
            )
        )
        gateway_calls.record("webhook", gateway.id, "duplicate", summary={"event": parsed.event_id})
        db.session.commit()
        if _stalled(existing):  # stored, but its job was lost or gave up: the replay revives it
            enqueue(tasks.process_webhook, existing.id, queue="high")
        return Received(existing.id, duplicate=True)
    gateway_calls.record(
        "webhook", gateway.id, "received", summary=_summary(parsed), webhook_event_id=event.id
    )
    db.session.commit()
    enqueue(tasks.process_webhook, event.id, queue="high")
    return Received(event.id, duplicate=False)


def _storable(raw: bytes | str) -> str:
    """Text PostgreSQL can store: undecodable bytes and NUL (which no text column holds)
    become U+FFFD. Webhook bodies are kept verbatim otherwise, for the audit trail."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return text.replace("\x00", "\ufffd")


def _stalled(event: WebhookEvent) -> bool:
    """Failed for good, or received long ago and never processed (its job was lost)."""
    waited = utcnow() - event.received_at
    return event.status == WebhookStatus.FAILED or (
        event.status == WebhookStatus.RECEIVED and waited > timedelta(seconds=STALLED_AFTER_SECONDS)
    )


def _reject(gateway: BaseGateway, body: bytes) -> None:
    event = WebhookEvent(
        gateway=gateway.id,
        event_id=f"rejected:{uuid.uuid4().hex}",
        body=_storable(body[:REJECTED_BODY_LIMIT]),
        signature_valid=False,
        status=WebhookStatus.REJECTED,
        error="missing or invalid signature",
    )
    db.session.add(event)
    db.session.flush()
    gateway_calls.record(
        "webhook", gateway.id, "invalid_signature", response_status="401", webhook_event_id=event.id
    )
    db.session.commit()
    log.warning("Rejected a %s webhook with a missing or invalid signature", gateway.id)


def _summary(parsed: ParsedEvent) -> dict[str, str]:
    return {
        "event": parsed.event_id,
        "type": parsed.type,
        "reference": parsed.reference,
        "status": str(parsed.status or ""),
    }


#: Outcomes that leave nothing changed: the delivery is marked ``ignored``, with the outcome.
_IGNORED = frozenset(
    {"unknown_payment", "not_a_payment_event", "ignored_late", "unchanged", "already_succeeded"}
)


def process(webhook_event_id: int) -> str:
    """The job: settle what one stored delivery says; safe to run again (it then does nothing)."""
    event = db.session.get(WebhookEvent, webhook_event_id)
    if event is None or event.status not in (WebhookStatus.RECEIVED, WebhookStatus.FAILED):
        return "skipped"
    event.attempts += 1
    db.session.commit()
    try:
        outcome, payment_id = _apply(event)
    except Exception as exc:
        db.session.rollback()
        event = db.session.get(WebhookEvent, webhook_event_id)
        event.status = WebhookStatus.FAILED
        event.error = f"{type(exc).__name__}: {exc}"[:500]
        db.session.commit()
        raise  # the queue retries it
    event = db.session.get(WebhookEvent, webhook_event_id)
    event.status = WebhookStatus.PROCESSED if outcome not in _IGNORED else WebhookStatus.IGNORED
    event.error = outcome if outcome in _IGNORED else None
    event.processed_at = utcnow()
    gateway_calls.record(
        "webhook",
        event.gateway,
        outcome,
        summary={"event": event.event_id, "type": event.event_type},
        payment_id=payment_id,
        webhook_event_id=event.id,
    )
    db.session.commit()
    return outcome


def _apply(event: WebhookEvent) -> tuple[str, int | None]:
    """Settle what the delivery says; returns the outcome and the payment it was about."""
    gateway = gateway_calls.gateway(event.gateway)
    parsed = gateway.parse_webhook_event(event.body.encode(), {})
    if parsed.refund is not None:
        return refund_service.apply_provider_update(gateway.id, parsed.refund), None
    if parsed.status is None:
        return "not_a_payment_event", None
    payment = _find_payment(gateway.id, parsed)
    if payment is None:
        return "unknown_payment", None
    status = PaymentStatus(
        status=parsed.status,
        amount=parsed.amount,
        reference=parsed.reference,
        provider_reference=parsed.provider_reference,
    )
    if parsed.needs_verification or not gateway.webhooks_signed:
        query = PaymentQuery(reference=payment.reference, provider_reference=payment.provider_reference or "")
        summary = {"operation": "verify", "reference": payment.reference, "source": "webhook"}
        verified = gateway_calls.call(
            "verify", gateway, lambda: gateway.verify_payment(query), summary=summary, payment_id=payment.id
        )
        db.session.commit()
        evidence = settlement.Evidence.of(verified, "webhook", parsed.amount)
    else:
        evidence = settlement.Evidence.of(status, "webhook")
    return settlement.settle(payment.id, evidence), payment.id


def _find_payment(gateway_id: str, parsed: ParsedEvent) -> Payment | None:
    """By our reference when the provider echoes it, else by the provider's own."""
    if parsed.reference:
        return db.session.scalar(
            sa.select(Payment).where(Payment.reference == parsed.reference, Payment.gateway == gateway_id)
        )
    if parsed.provider_reference:
        return db.session.scalar(
            sa.select(Payment).where(
                Payment.provider_reference == parsed.provider_reference, Payment.gateway == gateway_id
            )
        )
    return None
