"""The order state machine, in one place.

``pending_payment → paid → processing → shipped → delivered → completed`` for delivery to
an address; ``pending_payment → ready_for_pickup → collected`` (or ``paid →
ready_for_pickup``) at a bus station. Unpaid orders may be cancelled or expire; paid ones
not yet shipped may be cancelled (payments then refunds them). Anything else is a 409.
"""

from __future__ import annotations

from enum import StrEnum

from app.core.errors import ConflictError, ErrorCode


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    READY_FOR_PICKUP = "ready_for_pickup"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


S = OrderStatus

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.READY_FOR_PICKUP, S.CANCELLED, S.EXPIRED}),
    S.PAID: frozenset({S.PROCESSING, S.READY_FOR_PICKUP, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.READY_FOR_PICKUP, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.READY_FOR_PICKUP: frozenset({S.COLLECTED, S.CANCELLED, S.EXPIRED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.COLLECTED: frozenset({S.COMPLETED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.COMPLETED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REFUNDED: frozenset(),
}

#: States in which the order still holds stock it has not sold (returned on cancel/expiry).
HOLDS_UNSOLD_STOCK = frozenset({S.PENDING_PAYMENT, S.PAID, S.PROCESSING, S.READY_FOR_PICKUP})
#: States a customer may cancel from (paid but not yet being prepared).
CUSTOMER_CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAID})
#: Transitions that only follow from another domain's event, never a staff click.
SYSTEM_ONLY = frozenset({S.PAID, S.EXPIRED, S.REFUNDED, S.PARTIALLY_REFUNDED})
#: Statuses a customer hears about by e-mail.
NOTIFY_CUSTOMER = frozenset(
    {S.PAID, S.SHIPPED, S.DELIVERED, S.READY_FOR_PICKUP, S.COLLECTED, S.CANCELLED, S.EXPIRED, S.REFUNDED}
)


def allowed_next(current: str) -> frozenset[OrderStatus]:
    return TRANSITIONS[OrderStatus(current)]


def ensure_transition(current: str, target: str) -> None:
    """Raise 409 ``invalid_transition`` unless ``current → target`` is allowed."""
    if OrderStatus(target) not in allowed_next(current):
        raise ConflictError(
            f"An order cannot go from {current} to {target}.",
            code=ErrorCode.INVALID_TRANSITION,
            details={"from": current, "to": target, "allowed": sorted(allowed_next(current))},
        )
