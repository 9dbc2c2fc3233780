"""Orders: read-only rows (money is never edited by hand) with the actions staff may take,
each one a call to ``app.orders.services`` so the state machine, stock and e-mails behave
exactly as through the API.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.form import SecureForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.admin.base import (
    ConsoleModelView,
    CustomerColumn,
    customer_email,
    flash_done,
    flash_form_errors,
    through_service,
    where,
)
from app.admin.formatting import format_money, format_time, money_column
from app.admin.security import current_staff
from app.auth.models import Profile, User
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Order
from app.orders.states import SYSTEM_ONLY, OrderStatus, allowed_next
from app.payments.gateways.registry import installed_registry
from app.payments.models import Payment

CATEGORY = "Sales"
MONEY_FIELDS = ("subtotal", "discount", "shipping", "tax", "total")


class StatusForm(SecureForm):
    number = HiddenField(validators=[DataRequired()])
    target = SelectField("New status", choices=[(s.value, s.value.replace("_", " ")) for s in OrderStatus])
    note = StringField("Note", validators=[Length(max=500)])


class CollectionForm(SecureForm):
    number = HiddenField(validators=[DataRequired()])
    code = StringField("Collection code", validators=[DataRequired(), Length(max=32)])


def staff_targets(status: str) -> list[OrderStatus]:
    """What staff may move an order to by hand: the state machine minus payment-driven
    states and collection (which needs the customer's code)."""
    return sorted(allowed_next(status) - SYSTEM_ONLY - {OrderStatus.COLLECTED})


def can_confirm_collection(order: Order) -> bool:
    return order.delivery_type == "bus_station" and OrderStatus.COLLECTED in allowed_next(order.status)


def matching_orders(term: str) -> sa.Select:
    """Ids of orders whose number, customer e-mail or customer phone contains ``term``."""
    like = f"%{term.strip().lower()}%"
    return (
        sa.select(Order.id)
        .join(User, User.id == Order.user_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(
            sa.or_(
                sa.func.lower(Order.number).like(like),
                User.email.like(like),
                Profile.phone.like(like.replace(" ", "")),
            )
        )
    )


def _items(_view: Any, _context: Any, order: Order, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<li>{} x {} ({}) — {}</li>").format(
            item.quantity, item.product_name, item.sku, format_money(item.total, order.currency)
        )
        for item in order.items
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


def _history(_view: Any, _context: Any, order: Order, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<li>{}: {} → {} by {}{}</li>").format(
            format_time(event.created_at),
            event.from_status or "—",
            event.to_status,
            event.actor_role,
            f" ({event.note})" if event.note else "",
        )
        for event in order.events
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


def _payments(_view: Any, _context: Any, order: Order, _name: str) -> Markup:
    payments = db.session.scalars(sa.select(Payment).where(Payment.order_id == order.id).order_by(Payment.id))
    rows = Markup("").join(
        Markup('<li><a href="{}">{}</a> {} {} — {}</li>').format(
            url_for("console_payments.details_view", id=payment.id),
            payment.reference,
            payment.gateway,
            format_money(payment.amount, payment.currency),
            payment.status,
        )
        for payment in payments
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


class PaidThrough(BaseSQLAFilter):
    """Orders with a payment attempt through the chosen gateway."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        return query.filter(Order.id.in_(sa.select(Payment.order_id).where(Payment.gateway == value)))

    def operation(self) -> str:
        return "equals"


def _gateway_options() -> list[tuple[str, str]]:
    return [(gateway_id, gateway_id) for gateway_id in installed_registry().classes]


class OrderView(CustomerColumn, ConsoleModelView):
    details_template = "console/order_details.html"
    column_list = ("number", "customer", "status", "total", "delivery_type", "country", "created_at")
    column_details_list = (
        "number", "customer", "status", "currency", *MONEY_FIELDS, "coupon_code", "delivery_type",
        "shipping_method_name", "address", "bus_station", "items", "payments", "history", "note",
        "expires_at", "created_at", "updated_at",
    )  # fmt: skip
    column_formatters = {
        "customer": customer_email,
        **{name: money_column(name) for name in MONEY_FIELDS},
    }
    column_formatters_detail = {
        **column_formatters,
        "items": _items,
        "payments": _payments,
        "history": _history,
    }
    column_filters = [
        "status",
        "created_at",
        "delivery_type",
        PaidThrough(Order.id, "Gateway", options=_gateway_options),
        "country",
        "currency",
    ]
    column_searchable_list = ("number",)
    column_default_sort = ("created_at", True)
    column_sortable_list = ("number", "status", "total", "created_at")

    def search_placeholder(self) -> str:
        return "Number, e-mail or phone"

    def _apply_search(self, query: Any, count_query: Any, joins: Any, count_joins: Any, search: str) -> Any:
        if search.strip():
            ids = matching_orders(search)
            query = query.filter(Order.id.in_(ids))
            count_query = count_query.filter(Order.id.in_(ids)) if count_query is not None else None
        return query, count_query, joins, count_joins

    # ---- actions (shown on the details page) --------------------------------------------

    def status_form(self, order: Order) -> StatusForm | None:
        targets = staff_targets(order.status)
        if not targets:
            return None
        form = StatusForm(number=order.number)
        form.target.choices = [(t.value, t.value.replace("_", " ")) for t in targets]
        return form

    def collection_form(self, order: Order) -> CollectionForm | None:
        return CollectionForm(number=order.number) if can_confirm_collection(order) else None

    def _back(self, number: str | None) -> Response:
        order = db.session.scalar(sa.select(Order).where(Order.number == number)) if number else None
        if order is None:
            return redirect(url_for(".index_view"))
        return redirect(url_for(".details_view", id=order.id))

    @expose("/status/", methods=("POST",))
    def change_status_view(self) -> Response:
        form = StatusForm(request.form)
        if form.validate():
            changed = through_service(
                lambda: orders.change_status(
                    current_staff(), form.number.data, form.target.data, form.note.data or None
                )
            )
            if changed is not None:
                flash_done(f"Order {changed.number} is now {changed.status}.")
        else:
            flash_form_errors(form)
        return self._back(form.number.data)

    @expose("/collect/", methods=("POST",))
    def confirm_collection_view(self) -> Response:
        form = CollectionForm(request.form)
        if form.validate():
            collected = through_service(
                lambda: orders.confirm_collection(current_staff(), form.number.data, form.code.data)
            )
            if collected is not None:
                flash_done(f"Order {collected.number} was collected.")
        else:
            flash_form_errors(form)
        return self._back(form.number.data)


def register(admin: Any) -> None:
    admin.add_view(OrderView(Order, "Orders", category=CATEGORY, **where("orders")))
