"""Ticket rules: customers open and answer their own tickets; staff answer, note, assign,
triage and move them through the state machine of ``app.support.states``.

Every lookup is scoped: a customer asking for another customer's ticket gets a 404, and
internal notes are filtered out in the query itself, so no view can leak one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core.errors import NotFoundError
from app.core.models import utcnow
from app.core.permissions import Role, has_role
from app.core.transactions import locked
from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from app.support import notifications
from app.support.models import Ticket, TicketMessage
from app.support.states import TicketStatus, ensure_transition

CUSTOMER, STAFF = "customer", "staff"
FILTERS = ("status", "priority", "category", "assignee_id")
TRIAGE_FIELDS = ("priority", "category")


@dataclass(frozen=True)
class Thread:
    """A ticket with the messages its reader may see."""

    ticket: Ticket
    messages: list[TicketMessage]


def _is_staff(user: User) -> bool:
    return has_role(user, Role.STAFF)


def _with_people(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(Ticket.customer),
        joinedload(Ticket.assignee),
        joinedload(Ticket.order),
        joinedload(Ticket.payment),
    )


def list_tickets(user: User, filters: Mapping[str, Any]) -> sa.Select:
    """A customer's own tickets, or (staff) everyone's; most recently active first."""
    query = sa.select(Ticket)
    if not _is_staff(user):
        query = query.where(Ticket.user_id == user.id)
    for field in FILTERS:
        if filters.get(field) is not None:
            query = query.where(getattr(Ticket, field) == filters[field])
    if filters.get("unassigned"):
        query = query.where(Ticket.assignee_id.is_(None))
    return _with_people(query).order_by(Ticket.updated_at.desc(), Ticket.id.desc())


def _ticket_for(user: User, ticket_id: int, *, lock: bool = False) -> Ticket:
    """The ticket if ``user`` may see it (its customer, or staff); otherwise a 404."""
    query = _with_people(sa.select(Ticket).where(Ticket.id == ticket_id))
    if lock:
        query = locked(sa.select(Ticket).where(Ticket.id == ticket_id))
    ticket = db.session.scalar(query)
    if ticket is None or not (ticket.user_id == user.id or _is_staff(user)):
        raise NotFoundError("No such ticket.")
    return ticket


def _thread(user: User, ticket: Ticket) -> Thread:
    query = (
        sa.select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id)
        .options(joinedload(TicketMessage.author))
        .order_by(TicketMessage.id)
    )
    if not _is_staff(user):
        query = query.where(TicketMessage.is_internal.is_(False))
    return Thread(ticket, list(db.session.scalars(query)))


def get_ticket(user: User, ticket_id: int) -> Thread:
    return _thread(user, _ticket_for(user, ticket_id))


def _own_order(user: User, number: str | None) -> Order | None:
    """One of the customer's orders by number; anyone else's is a 404, like a missing one."""
    if number is None:
        return None
    order = db.session.scalar(sa.select(Order).where(Order.number == number, Order.user_id == user.id))
    if order is None:
        raise NotFoundError("No such order.")
    return order


def _own_payment(user: User, reference: str | None) -> Payment | None:
    """One of the customer's payments by reference; anyone else's is a 404."""
    if reference is None:
        return None
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.reference == reference, Payment.user_id == user.id)
    )
    if payment is None:
        raise NotFoundError("No such payment.")
    return payment


def open_ticket(user: User, data: Mapping[str, Any]) -> Thread:
    """A customer opens a ticket with its first message; support hears of it by e-mail.

    A ticket about a payment is also about that payment's order, unless another is named.
    """
    order = _own_order(user, data.get("order"))
    payment = _own_payment(user, data.get("payment"))
    ticket = Ticket(
        user_id=user.id,
        subject=data["subject"],
        category=data["category"],
        status=TicketStatus.OPEN.value,
        order_id=order.id if order else payment and payment.order_id,
        payment_id=payment and payment.id,
    )
    message = TicketMessage(author_id=user.id, author_role=CUSTOMER, body=data["message"])
    ticket.messages.append(message)
    db.session.add(ticket)
    db.session.commit()
    notifications.ticket_opened(ticket, message)
    return _thread(user, ticket)


def _move(ticket: Ticket, target: TicketStatus) -> None:
    """Apply one transition of the state machine (409 for any other)."""
    ensure_transition(ticket.status, target, ticket.resolved_at)
    ticket.status = target.value
    if target is TicketStatus.RESOLVED:
        ticket.resolved_at = utcnow()
    elif target is not TicketStatus.CLOSED:
        ticket.resolved_at = None  # reopened
    ticket.updated_at = utcnow()


def reply(user: User, ticket_id: int, body: str) -> Thread:
    """Add a public message: the customer's waits for staff, staff's for the customer.

    A customer replying to a resolved ticket reopens it (within the reopen window); a
    closed ticket takes no more messages.
    """
    ticket = _ticket_for(user, ticket_id, lock=True)
    role = CUSTOMER if ticket.user_id == user.id else STAFF
    waiting_for = TicketStatus.PENDING_STAFF if role == CUSTOMER else TicketStatus.PENDING_CUSTOMER
    if ticket.status != waiting_for:
        _move(ticket, waiting_for)
    message = TicketMessage(author_id=user.id, author_role=role, body=body)
    ticket.messages.append(message)
    ticket.updated_at = utcnow()
    db.session.commit()
    if role == CUSTOMER:
        notifications.customer_replied(ticket, message)
    else:
        notifications.staff_replied(ticket, message)
    return _thread(user, ticket)


def add_note(staff: User, ticket_id: int, body: str) -> Thread:
    """Staff: an internal note, never shown or e-mailed to the customer; the status stays."""
    ticket = _ticket_for(staff, ticket_id)
    ticket.messages.append(TicketMessage(author_id=staff.id, author_role=STAFF, body=body, is_internal=True))
    db.session.commit()
    return _thread(staff, ticket)


def change_status(staff: User, ticket_id: int, status: str) -> Thread:
    """Staff: resolve, close or reopen a ticket (allowed transitions only)."""
    ticket = _ticket_for(staff, ticket_id, lock=True)
    _move(ticket, TicketStatus(status))
    db.session.commit()
    return _thread(staff, ticket)


def assign(staff: User, ticket_id: int, assignee_id: int | None) -> Thread:
    """Staff: give a ticket to an active staff member (or to nobody); they are e-mailed."""
    ticket = _ticket_for(staff, ticket_id)
    assignee = None
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if assignee is None or not assignee.is_active or not _is_staff(assignee):
            raise NotFoundError("No such staff member.")
    ticket.assignee = assignee
    ticket.updated_at = utcnow()
    db.session.commit()
    notifications.assigned(ticket)
    return _thread(staff, ticket)


def triage(staff: User, ticket_id: int, changes: Mapping[str, Any]) -> Thread:
    """Staff: set a ticket's priority or category."""
    ticket = _ticket_for(staff, ticket_id)
    for field in TRIAGE_FIELDS:
        if field in changes:
            setattr(ticket, field, changes[field])
    db.session.commit()
    return _thread(staff, ticket)
