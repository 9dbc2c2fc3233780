"""Payments: payments with their transaction log, refunds, webhook deliveries (read-only),
and the actions that move money or re-ask a gateway, each through ``app.payments`` services:
refund (full or partial, idempotent per form), re-verify a pending payment, retry a failed
webhook. Exchange rates and gateway settings are for admins only.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_admin.form import SecureForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.admin.base import (
    AdminModelView,
    ConsoleModelView,
    flash_done,
    flash_form_errors,
    numeric_ids,
    through_service,
    where,
)
from app.admin.formatting import format_money, format_time, money_column
from app.admin.security import AdminOnly, current_staff
from app.core.errors import ValidationError
from app.core.money import Money
from app.extensions import db
from app.payments.gateways.registry import gateway_settings, installed_registry
from app.payments.models import (
    ExchangeRate,
    Payment,
    PaymentStatus,
    Refund,
    Transaction,
    WebhookEvent,
    WebhookStatus,
)
from app.payments.services import currency_service, payment_service, refund_service, webhook_service

CATEGORY = "Payments"
PENDING = (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION)


class RefundForm(SecureForm):
    reference = HiddenField(validators=[DataRequired()])
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    amount = StringField("Amount", description="Empty: everything still refundable")
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class ReverifyForm(SecureForm):
    reference = HiddenField(validators=[DataRequired()])


class HeldReviewForm(SecureForm):
    """A payment held by the fraud check: approve sends it to its gateway, reject cancels it."""

    reference = HiddenField(validators=[DataRequired()])
    decision = HiddenField(validators=[AnyOf(("approve", "reject"))])


def refund_amount(text: str | None, currency: str) -> int | None:
    """Major units typed by staff → minor units; empty means "all that is left"."""
    if not (text or "").strip():
        return None
    try:
        return Money.from_major(Decimal(text.strip().replace(",", "")), currency).amount
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{text!r} is not an amount in {currency}.") from exc


def _order(_view: Any, _context: Any, payment: Payment, _name: str) -> Markup:
    url = url_for("console_orders.details_view", id=payment.order_id)
    return Markup('<a href="{}">{}</a>').format(url, payment.order.number)


def _transactions(_view: Any, _context: Any, payment: Payment, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>").format(
            format_time(t.created_at),
            t.kind,
            t.outcome,
            t.response_status or "",
            t.latency_ms or "",
            t.error or "",
        )
        for t in payment.transactions
    )
    head = Markup(
        "<tr><th>When</th><th>Kind</th><th>Outcome</th><th>Status</th><th>ms</th><th>Error</th></tr>"
    )
    return Markup("<table class='table table-sm mb-0'>{}{}</table>").format(head, rows)


def _refunds(_view: Any, _context: Any, payment: Payment, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<li>{} {} {} — {}</li>").format(
            refund.reference, format_money(refund.amount, refund.currency), refund.status, refund.reason
        )
        for refund in payment.refunds
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


def _webhooks(_view: Any, _context: Any, payment: Payment, _name: str) -> Markup:
    """The deliveries that named this payment, by our reference or the provider's."""
    references = [ref for ref in (payment.reference, payment.provider_reference) if ref]
    events = db.session.scalars(
        sa.select(WebhookEvent)
        .where(WebhookEvent.gateway == payment.gateway, WebhookEvent.reference.in_(references))
        .order_by(WebhookEvent.received_at)
    )
    rows = Markup("").join(
        Markup('<li><a href="{}">{}</a> {} — {}{}</li>').format(
            url_for("console_webhooks.details_view", id=event.id),
            format_time(event.received_at),
            event.event_type or event.event_id,
            event.status,
            f" ({event.error})" if event.error else "",
        )
        for event in events
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


class PaymentView(ConsoleModelView):
    details_template = "console/payment_details.html"
    column_list = (
        "reference", "order", "gateway", "method", "amount", "amount_refunded", "status",
        "flagged_for_review", "created_at",
    )  # fmt: skip
    column_details_list = (
        "reference", "order", "gateway", "method", "amount", "amount_refunded", "status",
        "provider_reference", "failure_reason", "flagged_for_review", "review_reason", "fell_back_from",
        "refunds", "transactions", "webhooks", "completed_at", "created_at", "updated_at",
    )  # fmt: skip
    column_formatters = {
        "order": _order,
        "amount": money_column("amount"),
        "amount_refunded": money_column("amount_refunded"),
    }
    column_formatters_detail = {
        **column_formatters,
        "refunds": _refunds,
        "transactions": _transactions,
        "webhooks": _webhooks,
    }
    column_labels = {"amount_refunded": "Refunded", "flagged_for_review": "Review"}
    column_searchable_list = ("reference", "provider_reference", "order.number")
    column_filters = ("status", "gateway", "method", "currency", "flagged_for_review", "created_at")
    column_default_sort = ("created_at", True)

    def refund_form(self, payment: Payment) -> RefundForm | None:
        if payment.refundable <= 0:
            return None
        return RefundForm(reference=payment.reference, idempotency_key=f"console:{uuid.uuid4().hex}")

    def reverify_form(self, payment: Payment) -> ReverifyForm | None:
        return ReverifyForm(reference=payment.reference) if payment.status in PENDING else None

    def held_review_form(self, payment: Payment) -> HeldReviewForm | None:
        return HeldReviewForm(reference=payment.reference) if payment.status == PaymentStatus.HELD else None

    def refundable_text(self, payment: Payment) -> str:
        return format_money(payment.refundable, payment.currency)

    def _back(self, reference: str | None) -> Response:
        payment_id = db.session.scalar(sa.select(Payment.id).where(Payment.reference == reference))
        if payment_id is None:
            return redirect(url_for(".index_view"))
        return redirect(url_for(".details_view", id=payment_id))

    @expose("/refund/", methods=("POST",))
    def refund_view(self) -> Response:
        form = RefundForm(request.form)
        if not form.validate():
            flash_form_errors(form)
            return self._back(form.reference.data)
        payment = db.session.scalar(sa.select(Payment).where(Payment.reference == form.reference.data))
        refund = through_service(
            lambda: refund_service.create_refund(
                current_staff(),
                form.reference.data,
                reason=form.reason.data,
                idempotency_key=form.idempotency_key.data,
                amount=refund_amount(form.amount.data, payment.currency if payment else "NGN"),
            )
        )
        if refund is not None:
            amount = format_money(refund.amount, refund.currency)
            flash_done(f"Refund {refund.reference} of {amount}: {refund.status}.")
        return self._back(form.reference.data)

    @expose("/reverify/", methods=("POST",))
    def reverify_view(self) -> Response:
        form = ReverifyForm(request.form)
        if not form.validate():
            flash_form_errors(form)
            return self._back(form.reference.data)
        payment = through_service(lambda: payment_service.verify(current_staff(), form.reference.data))
        if payment is not None:
            flash_done(f"Payment {payment.reference} is {payment.status} at the gateway.")
        return self._back(form.reference.data)

    @expose("/review/", methods=("POST",))
    def held_review_view(self) -> Response:
        form = HeldReviewForm(request.form)
        if not form.validate():
            flash_form_errors(form)
            return self._back(form.reference.data)
        approve = form.decision.data == "approve"
        payment = through_service(
            lambda: payment_service.review_held(current_staff(), form.reference.data, approve)
        )
        if payment is not None:
            flash_done(f"Payment {payment.reference} is now {payment.status}.")
        return self._back(form.reference.data)


class RefundView(ConsoleModelView):
    column_list = (
        "reference",
        "payment.reference",
        "amount",
        "status",
        "reason",
        "failure_reason",
        "created_at",
    )
    column_labels = {"payment.reference": "Payment"}
    column_formatters = {"amount": money_column("amount")}
    column_formatters_detail = column_formatters
    column_searchable_list = ("reference", "provider_refund_id", "payment.reference")
    column_filters = ("status", "currency", "created_at")
    column_default_sort = ("created_at", True)


class WebhookEventView(ConsoleModelView):
    """Deliveries as received (read-only); a failed one can be processed again."""

    column_list = ("received_at", "gateway", "event_type", "reference", "status", "attempts", "error")
    column_details_list = (*column_list, "event_id", "signature_valid", "processed_at", "body")
    column_searchable_list = ("event_id", "reference")
    column_filters = ("status", "gateway", "signature_valid", "received_at")
    column_default_sort = ("received_at", True)

    @action("retry", "Retry", "Process the selected failed deliveries again?")
    def action_retry(self, ids: list[str]) -> None:
        retried = 0
        for event_id in numeric_ids(ids):
            event = db.session.get(WebhookEvent, event_id)
            if event is None or event.status != WebhookStatus.FAILED:
                flash(f"Delivery {event_id} has not failed; only failed deliveries are retried.", "error")
                continue
            outcome = retry_webhook(event_id)
            if outcome is not None:
                retried += 1
                flash_done(f"Delivery {event.event_id}: {outcome}.")
        if not retried:
            flash("Nothing was retried.", "warning")


def retry_webhook(event_id: int) -> str | None:
    """Process a failed delivery now; a failure is recorded on the event and shown, not raised."""
    try:
        return webhook_service.process(event_id)
    except Exception as exc:  # the service has stored the error on the event for the next try
        db.session.rollback()
        flash(f"Delivery {event_id} failed again: {type(exc).__name__}: {exc}", "error")
        return None


class TransactionView(ConsoleModelView):
    column_list = ("created_at", "gateway", "kind", "outcome", "response_status", "latency_ms", "error")
    column_filters = ("gateway", "kind", "outcome", "created_at")
    column_default_sort = ("created_at", True)


class ExchangeRateView(AdminModelView):
    """Rates as published; a new one is added through the currency service (history is kept)."""

    can_create = True
    column_list = ("base", "quote", "rate", "as_of", "source")
    column_filters = ("base", "quote", "as_of")
    column_default_sort = ("as_of", True)
    form_columns = ("base", "quote", "rate", "as_of", "source")

    def create_model(self, form: Any) -> Any:
        data = form.data
        row = {
            "base": data["base"] or "",
            "quote": data["quote"] or "",
            "rate": str(data["rate"] or ""),
            "as_of": data["as_of"].isoformat() if data["as_of"] else "",
        }
        loaded = through_service(
            lambda: currency_service.load_rates([row], source=data["source"] or "console")
        )
        if not loaded:
            return False
        return db.session.scalar(sa.select(ExchangeRate).order_by(ExchangeRate.id.desc()).limit(1))


class GatewaySettingsView(AdminOnly, BaseView):
    """Which gateways are installed, enabled and configured, and what each one is missing.

    Read-only: settings come from the environment. Secret values are never shown, only the
    names of the settings that are still empty.
    """

    @expose("/")
    def index(self) -> str:
        registry = installed_registry()
        settings = gateway_settings(current_app.config)
        enabled = current_app.config.get("PAYMENTS_ENABLED_GATEWAYS") or []
        rows = [
            {
                "id": gateway_id,
                "name": cls.display_name,
                "origin": registry.origins.get(gateway_id, ""),
                "enabled": gateway_id in enabled,
                "missing": cls.missing_settings(settings),
                "refunds": cls.supports_refunds,
                "methods": sorted(str(method) for method in cls.methods),
            }
            for gateway_id, cls in registry.classes.items()
        ]
        return self.render("console/gateways.html", rows=rows, problems=registry.problems)


def register(admin: Any) -> None:
    admin.add_view(PaymentView(Payment, "Payments", category=CATEGORY, **where("payments")))
    admin.add_view(RefundView(Refund, "Refunds", category=CATEGORY, **where("refunds")))
    admin.add_view(WebhookEventView(WebhookEvent, "Webhook events", category=CATEGORY, **where("webhooks")))
    admin.add_view(
        TransactionView(Transaction, "Transaction log", category=CATEGORY, **where("transactions"))
    )
    admin.add_view(ExchangeRateView(ExchangeRate, "Exchange rates", category=CATEGORY, **where("rates")))
    admin.add_view(GatewaySettingsView(name="Gateway settings", category=CATEGORY, **where("gateways")))
