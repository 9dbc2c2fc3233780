"""E-mails about tickets: customers hear of staff replies, staff of customer messages.

Internal notes never produce an e-mail to the customer: they do not reach this module.
"""

from __future__ import annotations

from flask import current_app

from app.core.mail import send_mail
from app.support.models import Ticket, TicketMessage


def one_line(text: str) -> str:
    """Text fit for an e-mail subject: a line break there would be a header injection."""
    return " ".join(text.split())


def _staff_address(ticket: Ticket) -> str:
    """The assignee, else the shared support inbox."""
    return ticket.assignee.email if ticket.assignee is not None else current_app.config["SUPPORT_EMAIL"]


def ticket_opened(ticket: Ticket, message: TicketMessage) -> None:
    send_mail(
        _staff_address(ticket),
        f"[Ticket #{ticket.id}] New {ticket.category} ticket: {one_line(ticket.subject)}",
        f"{ticket.customer.email} wrote:\n\n{message.body}",
    )


def customer_replied(ticket: Ticket, message: TicketMessage) -> None:
    send_mail(
        _staff_address(ticket),
        f"[Ticket #{ticket.id}] Customer reply: {one_line(ticket.subject)}",
        f"{ticket.customer.email} wrote:\n\n{message.body}",
    )


def staff_replied(ticket: Ticket, message: TicketMessage) -> None:
    send_mail(
        ticket.customer.email,
        f"[Ticket #{ticket.id}] Reply from Sokoni support: {one_line(ticket.subject)}",
        f"{message.body}\n\nReply in your account's support page to continue the conversation.",
    )


def assigned(ticket: Ticket) -> None:
    if ticket.assignee is not None:
        send_mail(
            ticket.assignee.email,
            f"[Ticket #{ticket.id}] Assigned to you: {one_line(ticket.subject)}",
            f"Priority {ticket.priority}, status {ticket.status}.",
        )
