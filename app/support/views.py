"""Tickets as their readers see them: names rather than e-mail addresses for staff, and
only the messages the reader may see (chosen by ``app.support.tickets``)."""

from __future__ import annotations

from typing import Any

from app.auth.models import User
from app.support.models import Ticket, TicketMessage
from app.support.tickets import Thread


def _name(user: User | None, fallback: str) -> str:
    if user is None:
        return fallback
    return (user.profile.full_name if user.profile else None) or fallback


def _person(user: User | None, fallback: str) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": _name(user, fallback)}


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    """The ticket without its messages (lists)."""
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "category": ticket.category,
        "priority": ticket.priority,
        "status": ticket.status,
        "order": ticket.order.number if ticket.order else None,
        "payment": ticket.payment.reference if ticket.payment else None,
        "customer": {**_person(ticket.customer, "Customer"), "email": ticket.customer.email},
        "assignee": _person(ticket.assignee, "Sokoni support"),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
    }


def _message_view(message: TicketMessage) -> dict[str, Any]:
    fallback = "Sokoni support" if message.author_role == "staff" else "Customer"
    return {
        "id": message.id,
        "author": {"name": _name(message.author, fallback), "role": message.author_role},
        "body": message.body,
        "is_internal": message.is_internal,
        "created_at": message.created_at,
    }


def thread_view(thread: Thread) -> dict[str, Any]:
    """The ticket with the messages its reader may see."""
    return {**ticket_view(thread.ticket), "messages": [_message_view(m) for m in thread.messages]}
