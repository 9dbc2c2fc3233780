"""Rule-based fraud scoring of a payment before it reaches a gateway.

Each rule that fires adds its weight to the score and a reason (rule, points, detail).
The score is compared with ``PAYMENTS_FRAUD_REVIEW_SCORE`` and
``PAYMENTS_FRAUD_BLOCK_SCORE``: below review the payment proceeds; at review it is held
for staff (nothing is sent to the gateway, the payment is flagged); at block it is refused
with 403 ``payment_blocked``. Every decision is stored with its reasons, blocks included,
so staff can see why. The rules are deliberately simple and explainable: no rule alone
blocks, two strong ones together do.

The IP's country comes from a header set by the CDN or proxy in front of Sokoni
(``PAYMENTS_FRAUD_COUNTRY_HEADER``, Cloudflare's ``CF-IPCountry`` by default); without it,
that rule is skipped rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from babel.numbers import get_territory_currencies
from flask import current_app

from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.orders.models import Order
from app.payments.models import CAPTURED_STATUSES, FraudDecision, FraudOutcome, Payment, PaymentStatus

#: Points per rule. Two strong signals reach the default block score (80); one reaches nothing.
WEIGHTS = {
    "velocity_user": 30,
    "velocity_ip": 30,
    "velocity_phone": 30,
    "amount_above_history": 30,
    "ip_country_mismatch": 20,
    "currency_country_mismatch": 10,
    "repeated_failures": 30,
    "disposable_email": 40,
}

#: Currencies shops price in everywhere; paying in them from anywhere is ordinary.
INTERNATIONAL_CURRENCIES = frozenset({"USD", "EUR", "GBP"})

#: Throwaway-mailbox providers (a small built-in list; extend with PAYMENTS_FRAUD_DISPOSABLE_DOMAINS).
DISPOSABLE_DOMAINS = frozenset(
    {
        "mailinator.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "10minutemail.com",
        "temp-mail.org",
        "tempmail.com",
        "throwawaymail.com",
        "yopmail.com",
        "trashmail.com",
        "getnada.com",
        "sharklasers.com",
        "dispostable.com",
        "maildrop.cc",
        "fakeinbox.com",
        "mintemail.com",
        "mohmal.com",
        "emailondeck.com",
        "spamgourmet.com",
    }
)


@dataclass(frozen=True)
class Attempt:
    """What is known about a payment attempt when it is assessed."""

    user: User
    order: Order
    ip_address: str | None
    ip_country: str | None
    phone_hash: str | None


Rule = Callable[[Attempt], str | None]
"""A rule returns a detail string when it fires, else None."""


def assess(
    user: User,
    order: Order,
    *,
    ip_address: str | None = None,
    ip_country: str | None = None,
    phone_hash: str | None = None,
) -> FraudDecision:
    """Score one attempt; the decision is added to the session (the caller commits)."""
    attempt = Attempt(user, order, ip_address, _country(ip_country), phone_hash)
    reasons: list[dict[str, Any]] = []
    for name, rule in RULES.items():
        detail = rule(attempt)
        if detail:
            reasons.append({"rule": name, "points": WEIGHTS[name], "detail": detail})
    score = sum(reason["points"] for reason in reasons)
    decision = FraudDecision(
        user_id=user.id,
        order_id=order.id,
        score=score,
        decision=_outcome(score),
        reasons=reasons,
        ip_address=ip_address,
        ip_country=attempt.ip_country,
    )
    db.session.add(decision)
    db.session.flush()
    return decision


def _outcome(score: int) -> FraudOutcome:
    config = current_app.config
    if score >= config["PAYMENTS_FRAUD_BLOCK_SCORE"]:
        return FraudOutcome.BLOCK
    if score >= config["PAYMENTS_FRAUD_REVIEW_SCORE"]:
        return FraudOutcome.REVIEW
    return FraudOutcome.ALLOW


def _country(value: str | None) -> str | None:
    """An ISO country from the header; CDNs send XX (unknown) and T1 (Tor) too."""
    value = (value or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() and value != "XX" else None


def _recent(*conditions: Any, since: timedelta) -> int:
    query = sa.select(sa.func.count(Payment.id)).where(Payment.created_at >= utcnow() - since, *conditions)
    return db.session.scalar(query) or 0


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["PAYMENTS_FRAUD_VELOCITY_WINDOW_MINUTES"])


def _velocity(count: int, what: str) -> str | None:
    limit = current_app.config["PAYMENTS_FRAUD_VELOCITY_LIMIT"]
    minutes = current_app.config["PAYMENTS_FRAUD_VELOCITY_WINDOW_MINUTES"]
    return (
        f"{count} payments from this {what} in {minutes} minutes (limit {limit})" if count >= limit else None
    )


def velocity_user(attempt: Attempt) -> str | None:
    return _velocity(_recent(Payment.user_id == attempt.user.id, since=_window()), "account")


def velocity_ip(attempt: Attempt) -> str | None:
    if not attempt.ip_address:
        return None
    return _velocity(_recent(Payment.ip_address == attempt.ip_address, since=_window()), "IP address")


def velocity_phone(attempt: Attempt) -> str | None:
    if not attempt.phone_hash:
        return None
    return _velocity(_recent(Payment.phone_hash == attempt.phone_hash, since=_window()), "phone number")


def amount_above_history(attempt: Attempt) -> str | None:
    """Far above the largest payment this customer ever completed in the same currency."""
    largest = db.session.scalar(
        sa.select(sa.func.max(Payment.amount)).where(
            Payment.user_id == attempt.user.id,
            Payment.currency == attempt.order.currency,
            Payment.status.in_([s.value for s in CAPTURED_STATUSES]),
        )
    )
    factor = current_app.config["PAYMENTS_FRAUD_AMOUNT_FACTOR"]
    if largest and attempt.order.total > largest * factor:
        return f"{attempt.order.total} is more than {factor}x the largest earlier payment ({largest})"
    return None


def ip_country_mismatch(attempt: Attempt) -> str | None:
    if attempt.ip_country and attempt.ip_country != attempt.order.country:
        return f"IP in {attempt.ip_country}, delivery in {attempt.order.country}"
    return None


def currency_country_mismatch(attempt: Attempt) -> str | None:
    currency, country = attempt.order.currency, attempt.order.country
    if currency in INTERNATIONAL_CURRENCIES or currency in get_territory_currencies(country):
        return None
    return f"{currency} is not a currency of {country}"


def repeated_failures(attempt: Attempt) -> str | None:
    failed = _recent(
        Payment.user_id == attempt.user.id,
        Payment.status.in_([PaymentStatus.FAILED.value, PaymentStatus.CANCELLED.value]),
        since=timedelta(hours=24),
    )
    limit = current_app.config["PAYMENTS_FRAUD_MAX_FAILURES"]
    return f"{failed} failed payments in 24 hours" if failed >= limit else None


def disposable_email(attempt: Attempt) -> str | None:
    domain = attempt.user.email.rpartition("@")[2].lower()
    extra = {d.lower() for d in current_app.config["PAYMENTS_FRAUD_DISPOSABLE_DOMAINS"]}
    return f"{domain} is a disposable mailbox" if domain in DISPOSABLE_DOMAINS | extra else None


RULES: dict[str, Rule] = {
    "velocity_user": velocity_user,
    "velocity_ip": velocity_ip,
    "velocity_phone": velocity_phone,
    "amount_above_history": amount_above_history,
    "ip_country_mismatch": ip_country_mismatch,
    "currency_country_mismatch": currency_country_mismatch,
    "repeated_failures": repeated_failures,
    "disposable_email": disposable_email,
}
