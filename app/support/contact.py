"""The public contact form: stored first, then e-mailed to the support address by a job."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from app.core.mail import send_mail
from app.extensions import db
from app.support.models import ContactMessage
from app.support.notifications import one_line


def submit(data: Mapping[str, Any], ip_address: str | None) -> ContactMessage:
    """Keep the message, then queue its e-mail (a mail outage loses nothing)."""
    message = ContactMessage(
        name=data["name"],
        email=data["email"],
        subject=data["subject"],
        message=data["message"],
        ip_address=ip_address,
    )
    db.session.add(message)
    db.session.commit()
    send_mail(
        current_app.config["SUPPORT_EMAIL"],
        f"[Contact #{message.id}] {one_line(message.subject)}",
        f"From: {message.name} <{message.email}>\n\n{message.message}\n\n"
        "Reply to the sender's address; this message was sent from the contact form.",
    )
    return message
