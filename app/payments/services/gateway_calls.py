"""Every call to a gateway goes through ``call``: timed, and written to the transaction log.

Gateways never touch the database, so the service records on their behalf: the operation,
a summary of the request that holds no secret (amounts and our references only), how long
it took and how it ended. A failed call is logged too, then its ``GatewayError`` re-raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.payments.gateways.base import BaseGateway
from app.payments.gateways.errors import GatewayError
from app.payments.gateways.registry import available_gateways, get_gateway
from app.payments.models import Transaction

T = TypeVar("T")

_LOG_LINE = sa.insert(Transaction.__table__)


def gateway(gateway_id: str) -> BaseGateway:
    """A configured gateway by id (404 if it is not installed or configured)."""
    return get_gateway(gateway_id, current_app.config)


def offered() -> list[BaseGateway]:
    return available_gateways(current_app.config)


def record(
    kind: str,
    gateway_id: str,
    outcome: str,
    *,
    summary: Mapping[str, Any] | None = None,
    response_status: str | None = None,
    latency_ms: int | None = None,
    error: str | None = None,
    payment_id: int | None = None,
    refund_id: int | None = None,
    webhook_event_id: int | None = None,
) -> None:
    """Write one log line in the caller's transaction (committed or rolled back with it).

    A plain INSERT: an append-only log needs no unit of work, and the webhook drain writes
    one line for every event it applies.
    """
    db.session.execute(
        _LOG_LINE,
        {
            "kind": kind,
            "gateway": gateway_id,
            "outcome": outcome,
            "request_summary": dict(summary or {}),
            "response_status": response_status,
            "latency_ms": latency_ms,
            "error": (error or "")[:500] or None,
            "payment_id": payment_id,
            "refund_id": refund_id,
            "webhook_event_id": webhook_event_id,
        },
    )


def call(
    kind: str,
    target: BaseGateway,
    operation: Callable[[], T],
    *,
    summary: Mapping[str, Any],
    payment_id: int | None = None,
    refund_id: int | None = None,
    status_of: Callable[[T], str] = lambda result: str(getattr(result, "status", "")),
) -> T:
    """Run ``operation`` (one gateway method call) and log it, succeeded or not."""
    started = time.perf_counter()
    try:
        result = operation()
    except GatewayError as exc:
        record(
            kind,
            target.id,
            f"error:{exc.kind}",
            summary=summary,
            response_status=str(exc.provider_status) if exc.provider_status else None,
            latency_ms=_elapsed(started),
            error=exc.reason,
            payment_id=payment_id,
            refund_id=refund_id,
        )
        raise
    record(
        kind,
        target.id,
        "ok",
        summary=summary,
        response_status=status_of(result),
        latency_ms=_elapsed(started),
        payment_id=payment_id,
        refund_id=refund_id,
    )
    return result


def _elapsed(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
