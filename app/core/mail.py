"""Outgoing e-mail, always sent from a background job.

Backends: ``console`` logs the message (development), ``smtp`` sends it, ``memory``
keeps it in ``outbox()`` for tests. Requests never wait on an SMTP server.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

from app.core.jobs import enqueue

log = logging.getLogger(__name__)

OUTBOX_KEY = "sokoni_outbox"


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send_mail(to: str, subject: str, body: str) -> None:
    """Queue an e-mail; the request that asked for it returns at once."""
    enqueue(deliver_mail, to, subject, body, queue="default")


def deliver_mail(to: str, subject: str, body: str) -> None:
    """The job: hand the message to the configured backend."""
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(Mail(to, subject, body))
    elif backend == "memory":
        outbox().append(Mail(to, subject, body))
    else:
        log.info("E-mail to %s — %s\n%s", to, subject, body)


def outbox() -> list[Mail]:
    """Messages delivered by the ``memory`` backend (tests)."""
    return current_app.extensions.setdefault(OUTBOX_KEY, [])


def _send_smtp(mail: Mail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
        if config["SMTP_USE_TLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
