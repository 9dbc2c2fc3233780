"""Starting, reading and verifying payments: the customer's side of the pipeline.

A payment is created for an order awaiting payment, after the fraud check, and committed
before the gateway is called, so even a crash mid-call leaves a record that reconciliation
can follow. At most one payment per order is open: asking again returns it, asking for
another gateway supersedes it. When the chosen gateway is down (network error, 5xx), the
next one that applies is tried and the response says so.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.errors import ConflictError, NotFoundError
from app.core.models import utcnow
from app.core.money import Money
from app.core.permissions import Role, has_role
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Order
from app.orders.states import OrderStatus
from app.payments.errors import OrderNotPayable, PaymentBlocked
from app.payments.gateways.base import (
    BaseGateway,
    Customer,
    PaymentMethod,
    PaymentQuery,
    PaymentRequest,
    PaymentState,
)
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.models import ACTIVE_STATUSES, FraudDecision, FraudOutcome, Payment, PaymentStatus
from app.payments.services import fraud_service, gateway_calls, settlement
from app.payments.services.gateway_factory import choose, fallbacks, gateways_for

_STATES = {
    PaymentState.PENDING: PaymentStatus.PENDING,
    PaymentState.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
    PaymentState.SUCCEEDED: PaymentStatus.PENDING,  # only a verified webhook or query settles it
    PaymentState.FAILED: PaymentStatus.FAILED,
    PaymentState.CANCELLED: PaymentStatus.CANCELLED,
}


@dataclass(frozen=True)
class Initiated:
    payment: Payment
    created: bool
    fallback: dict[str, str] | None = None
    """``{"from": gateway id, "reason": ...}`` when another gateway took over."""


def list_gateways(currency: str, country: str | None = None, method: str | None = None) -> list[BaseGateway]:
    """Gateways for a payment in ``currency`` from ``country``, best first."""
    return gateways_for(current_app.config, currency, country, PaymentMethod(method) if method else None)


def new_reference(prefix: str = "PAY") -> str:
    return f"{prefix}-{secrets.token_hex(8).upper()}"


def phone_hash(phone: str | None) -> str | None:
    """A keyed hash of a phone number: comparable across payments, not reversible."""
    if not phone:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


def public_url(path: str) -> str:
    """An absolute URL of Sokoni for providers to call back (``PAYMENTS_PUBLIC_URL``)."""
    base = current_app.config.get("PAYMENTS_PUBLIC_URL") or (
        request.url_root if has_request_context() else ""
    )
    return base.rstrip("/") + path


def initiate(
    user: User,
    *,
    order: str,
    idempotency_key: str,
    gateway: str | None = None,
    method: str | None = None,
    return_url: str | None = None,
    phone: str | None = None,
    ip_address: str | None = None,
    ip_country: str | None = None,
) -> Initiated:
    """Start (or return) the payment of one of the caller's orders."""
    existing = _by_key(user, idempotency_key)
    if existing is not None:
        return Initiated(existing, created=False)
    target = _payable_order(user, order)
    candidates = _candidates(target, method)
    chosen = choose(candidates, gateway)
    target = orders.lock_for_payment(target.id)  # one initiation per order at a time
    if target.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(details={"status": target.status})
    active = _active_payment(target.id)
    if active is not None and (gateway is None or active.gateway == chosen.id):
        db.session.commit()
        return Initiated(active, created=False)
    phone = phone or (user.profile.phone if user.profile else None)
    decision = fraud_service.assess(
        user, target, ip_address=ip_address, ip_country=ip_country, phone_hash=phone_hash(phone)
    )
    if decision.decision == FraudOutcome.BLOCK:
        db.session.commit()  # the decision is kept, with its reasons
        raise PaymentBlocked(details={"decision": decision.id})
    if active is not None:
        active.status = PaymentStatus.SUPERSEDED
    held = decision.decision == FraudOutcome.REVIEW
    payment = _new_payment(
        target,
        chosen,
        decision,
        held=held,
        method=method,
        return_url=return_url,
        idempotency_key=idempotency_key,
        hashed_phone=phone_hash(phone),
        ip_address=ip_address,
    )
    db.session.add(payment)
    try:
        db.session.commit()
    except IntegrityError:  # the same key raced us here: its payment is the answer
        db.session.rollback()
        return Initiated(_by_key(user, idempotency_key), created=False)
    if held:
        return Initiated(payment, created=True)
    return _start(payment, chosen, candidates, _customer(user, phone))


def review_held(staff: User, reference: str, approve: bool) -> Payment:
    """Staff decide on a payment the fraud check held: send it to its gateway, or cancel it.

    The customer then finds the link or instructions on the payment (``GET`` it again).
    """
    payment_id = db.session.scalar(sa.select(Payment.id).where(Payment.reference == reference))
    if payment_id is None:
        raise NotFoundError("No such payment.")
    payment = settlement.lock_payment(payment_id)
    if payment.status != PaymentStatus.HELD:
        raise ConflictError(
            f"This payment is {payment.status}, not held.", details={"status": payment.status}
        )
    verdict = "approved" if approve else "rejected"
    payment.review_reason = f"{payment.review_reason}; {verdict} by {staff.email}"[:500]
    payment.flagged_for_review = False
    if not approve or payment.order.status != OrderStatus.PENDING_PAYMENT:
        payment.status = PaymentStatus.CANCELLED
        db.session.commit()
        return payment
    payment.status = PaymentStatus.PENDING
    db.session.commit()
    candidates = _candidates(payment.order, payment.method)
    return _start(payment, choose(candidates, payment.gateway), candidates, _customer(payment.user)).payment


def _customer(user: User, phone: str | None = None) -> Customer:
    """Who pays, as a gateway needs it (a held payment's phone is only kept hashed: the profile's)."""
    profile = user.profile
    return Customer(
        email=user.email,
        phone=phone or (profile.phone if profile else None) or "",
        name=(profile.full_name if profile else None) or "",
    )


def _new_payment(
    order: Order,
    gateway: BaseGateway,
    decision: FraudDecision,
    *,
    held: bool,
    method: str | None,
    return_url: str | None,
    idempotency_key: str,
    hashed_phone: str | None,
    ip_address: str | None,
) -> Payment:
    """The payment row, before any gateway call; held ones wait for staff (see ``review_held``)."""
    return Payment(
        reference=new_reference(),
        order_id=order.id,
        user_id=order.user_id,
        gateway=gateway.id,
        method=method,
        amount=order.total,
        currency=order.currency,
        status=PaymentStatus.HELD if held else PaymentStatus.PENDING,
        return_url=return_url,
        idempotency_key=idempotency_key,
        phone_hash=hashed_phone,
        ip_address=ip_address,
        fraud_decision=decision,
        flagged_for_review=held,
        review_reason="fraud check: " + ", ".join(r["rule"] for r in decision.reasons) if held else None,
    )


def _by_key(user: User, key: str) -> Payment | None:
    return db.session.scalar(
        sa.select(Payment).where(Payment.user_id == user.id, Payment.idempotency_key == key)
    )


def _payable_order(user: User, number: str) -> Order:
    target = orders.get_order(user, number)
    if target.user_id != user.id:  # staff pay nobody's orders: payments are the owner's
        raise NotFoundError("No such order.")
    if target.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(details={"status": target.status})
    return target


def _candidates(order: Order, method: str | None) -> list[BaseGateway]:
    """Gateways for this order; cash on pickup only where the customer picks it up."""
    found = list_gateways(order.currency, order.country, method)
    if order.delivery_type != "bus_station":
        found = [g for g in found if g.id != settlement.PAY_ON_PICKUP]
    return found


def _active_payment(order_id: int) -> Payment | None:
    return db.session.scalar(
        sa.select(Payment)
        .where(Payment.order_id == order_id, Payment.status.in_([s.value for s in ACTIVE_STATUSES]))
        .order_by(Payment.id.desc())
        .limit(1)
    )


def _start(
    payment: Payment, chosen: BaseGateway, candidates: list[BaseGateway], customer: Customer
) -> Initiated:
    """Initialise at ``chosen``, or at the next gateway that applies when it is down."""
    first_error: GatewayError | None = None
    for candidate in [chosen, *fallbacks(candidates, chosen)]:
        try:
            _initialize(payment, candidate, customer)
        except GatewayError as exc:
            skippable = exc.retryable or (
                candidate is not chosen and exc.kind is GatewayErrorKind.UNSUPPORTED
            )
            first_error = first_error or exc
            if skippable:
                continue
            break
        fallback = None
        if candidate is not chosen:
            payment.fell_back_from = chosen.id
            fallback = {"from": chosen.id, "reason": first_error.message if first_error else ""}
        _after_start(payment, candidate)
        return Initiated(payment, created=True, fallback=fallback)
    payment.status = PaymentStatus.FAILED
    payment.failure_reason = first_error.message
    payment.idempotency_key = None  # a retry with the same key may start afresh
    db.session.commit()
    raise first_error


def _initialize(payment: Payment, gateway: BaseGateway, customer: Customer) -> None:
    payment_request = PaymentRequest(
        reference=payment.reference,
        amount=Money(payment.amount, payment.currency),
        customer=customer,
        return_url=payment.return_url or "",
        callback_url=public_url(f"/api/payments/webhooks/{gateway.id}/"),
        description=f"Order {payment.order.number}",
        method=PaymentMethod(payment.method) if payment.method else None,
        metadata={"order": payment.order.number or "", "payment": payment.reference},
        idempotency_key=f"{payment.reference}:{gateway.id}",
    )
    summary = {
        "operation": "initialize",
        "reference": payment.reference,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
    }
    started = gateway_calls.call(
        "initialize",
        gateway,
        lambda: gateway.initialize_payment(payment_request),
        summary=summary,
        payment_id=payment.id,
    )
    payment.gateway = gateway.id
    payment.provider_reference = started.provider_reference
    payment.authorization_url = started.authorization_url or None
    payment.client_secret = started.client_secret or None
    payment.instructions = started.instructions or None
    payment.status = _STATES[started.status]


def _after_start(payment: Payment, gateway: BaseGateway) -> None:
    """Commit; cash on pickup readies the order, slow mobile money keeps it longer."""
    order = payment.order
    if gateway.id == settlement.PAY_ON_PICKUP:
        orders.transition(order, OrderStatus.READY_FOR_PICKUP, note=f"Cash on pickup ({payment.reference})")
        return
    if gateway.methods == {PaymentMethod.MOBILE_MONEY}:
        hours = current_app.config["ORDER_PICKUP_PAYMENT_WINDOW_HOURS"]
        orders.extend_payment_window(order, utcnow() + timedelta(hours=hours))
    db.session.commit()


def get_payment(user: User, reference: str) -> Payment:
    """The caller's own payment; staff see every payment; anyone else's is a 404."""
    query = sa.select(Payment).where(Payment.reference == reference)
    if not has_role(user, Role.STAFF):
        query = query.where(Payment.user_id == user.id)
    payment = db.session.scalar(query)
    if payment is None:
        raise NotFoundError("No such payment.")
    return payment


def verify(user: User, reference: str) -> Payment:
    """Ask the gateway where an open payment stands (after a redirect) and settle it."""
    payment = get_payment(user, reference)
    refresh(payment, source="verify")
    db.session.refresh(payment)
    return payment


def refresh(payment: Payment, source: str) -> str:
    """Query the gateway about an open payment and settle what it says; returns the outcome."""
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION):
        return "unchanged"
    gateway = gateway_calls.gateway(payment.gateway)
    query = PaymentQuery(reference=payment.reference, provider_reference=payment.provider_reference or "")
    summary = {"operation": "verify", "reference": payment.reference, "source": source}
    status = gateway_calls.call(
        "verify", gateway, lambda: gateway.verify_payment(query), summary=summary, payment_id=payment.id
    )
    db.session.commit()  # the log line stands whatever settling does
    return settlement.settle(payment.id, settlement.Evidence.of(status, source))
