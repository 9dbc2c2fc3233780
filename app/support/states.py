"""The ticket state machine, in one place.

``open → pending_customer ⇄ pending_staff → resolved → closed``: a staff reply waits for
the customer, a customer reply waits for staff. A resolved ticket may be reopened (to
``open`` by staff, or to ``pending_staff`` by the customer replying) within
``SUPPORT_REOPEN_DAYS`` of its resolution; ``closed`` is final. Anything else is a 409.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app

from app.core.errors import ConflictError, ErrorCode
from app.core.models import utcnow


class TicketStatus(StrEnum):
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_STAFF = "pending_staff"
    RESOLVED = "resolved"
    CLOSED = "closed"


class TicketCategory(StrEnum):
    ORDER = "order"
    PAYMENT = "payment"
    DELIVERY = "delivery"
    ACCOUNT = "account"
    OTHER = "other"


class TicketPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


S = TicketStatus

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.OPEN: frozenset({S.PENDING_CUSTOMER, S.PENDING_STAFF, S.RESOLVED, S.CLOSED}),
    S.PENDING_CUSTOMER: frozenset({S.PENDING_STAFF, S.RESOLVED, S.CLOSED}),
    S.PENDING_STAFF: frozenset({S.PENDING_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.PENDING_STAFF, S.CLOSED}),
    S.CLOSED: frozenset(),
}
#: Leaving ``resolved`` for one of these is a reopening, allowed only within the window.
REOPENED = frozenset({S.OPEN, S.PENDING_STAFF})


def _invalid(current: str, target: str, reason: str) -> ConflictError:
    allowed = sorted(TRANSITIONS[TicketStatus(current)])
    return ConflictError(
        reason, code=ErrorCode.INVALID_TRANSITION, details={"from": current, "to": target, "allowed": allowed}
    )


def ensure_transition(current: str, target: str, resolved_at: datetime | None) -> None:
    """Raise 409 ``invalid_transition`` unless ``current → target`` is allowed now."""
    if TicketStatus(target) not in TRANSITIONS[TicketStatus(current)]:
        raise _invalid(current, target, f"A ticket cannot go from {current} to {target}.")
    if current == S.RESOLVED and target in REOPENED:
        window = timedelta(days=current_app.config["SUPPORT_REOPEN_DAYS"])
        if resolved_at is not None and utcnow() - resolved_at > window:
            raise _invalid(
                current, target, f"This ticket was resolved over {window.days} days ago; open a new one."
            )
