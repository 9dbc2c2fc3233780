"""The console's view base classes: access control, CSRF, formatting, and writes through services.

Flask-Admin's stock ``ModelView`` writes the form straight into the row. Sokoni's rows have
rules (slugs, SKUs, category paths, coupon kinds, order states), so every view here that
can write does it by calling the domain's service, and shows its ``AppError`` as a message
instead of a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import flash, g
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_admin.form import SecureForm
from wtforms import Form
from wtforms.validators import Optional

from app.admin.formatting import time_column
from app.admin.security import AdminOnly, StaffOnly
from app.admin.shoptime import ConsoleFilterConverter, ConsoleModelConverter
from app.auth.models import User
from app.core.errors import AppError
from app.extensions import db

T = TypeVar("T")

#: Form arguments of a slug: optional (the service derives one from the name), although the
#: column is NOT NULL; ``Optional`` runs first and stops Flask-Admin's own ``InputRequired``.
SLUG_ARGS = {
    "validators": [Optional()],
    "render_kw": {"required": False},
    "description": "Leave empty to derive it from the name.",
}


def describe(error: AppError) -> str:
    """An ``AppError`` as one line an operator can act on: the message and the field problems."""
    problems = []
    for field, issues in (error.details or {}).items():
        text = ", ".join(map(str, issues)) if isinstance(issues, list | tuple) else str(issues)
        problems.append(f"{field}: {text}")
    return f"{error.message} {'; '.join(problems)}".strip()


def through_service(call: Callable[[], T]) -> T | None:
    """Run a service call; on a business-rule refusal flash why and return ``None``."""
    try:
        return call()
    except AppError as error:
        db.session.rollback()
        flash(describe(error), "error")
        return None


def where(slug: str) -> dict[str, str]:
    """Endpoint and URL of a view: ``/admin/<slug>/``, endpoint ``console_<slug>`` (the API's
    blueprints already use names such as ``products``)."""
    return {"endpoint": f"console_{slug}", "url": slug}


def numeric_ids(ids: Iterable[str]) -> list[int]:
    """The row ids a list action received, ignoring anything that is not one."""
    return [int(value) for value in ids if str(value).isdigit()]


def flash_done(message: str) -> None:
    flash(message, "success")


def flash_form_errors(form: Form) -> None:
    """An action form that did not validate (most often an expired CSRF token)."""
    problems = [f"{name}: {', '.join(errors)}" for name, errors in form.errors.items()]
    flash("The form was not accepted: " + "; ".join(problems), "error")


def slugs_of(rows: Iterable[Any] | None) -> list[str]:
    return [row.slug for row in rows or ()]


def slug_of(row: Any | None) -> str | None:
    return row.slug if row is not None else None


class ConsoleModelView(StaffOnly, ModelView):
    """Staff-only, CSRF-protected, paginated, times in the shop's zone; read-only by default."""

    form_base_class = SecureForm
    filter_converter = ConsoleFilterConverter()
    model_form_converter = ConsoleModelConverter
    page_size = 50
    can_set_page_size = True
    can_view_details = True
    can_create = False
    can_edit = False
    can_delete = False
    column_type_formatters = {**DEFAULT_FORMATTERS, datetime: time_column}
    column_type_formatters_detail = {**DEFAULT_FORMATTERS, datetime: time_column}

    def __init__(self, model: type, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(model, db, name=name, **kwargs)

    def get_one(self, id: Any) -> Any:
        """Every console model has an integer key: ``?id=abc`` is "no such record", not a
        database error (PostgreSQL refuses to compare an integer with ``'abc'``)."""
        return super().get_one(id) if str(id).isdigit() else None


class ServiceModelView(ConsoleModelView):
    """A view whose writes go through services: subclasses map the form to a service call.

    ``create``, ``update`` and ``delete`` receive the form's data (relations already turned
    into the slugs or ids the service expects by ``form_data``) and call exactly one service.
    """

    can_create = True
    can_edit = True
    can_delete = True

    def form_data(self, form: Form) -> dict[str, Any]:
        return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}

    def create_model(self, form: Form) -> Any:
        return through_service(lambda: self.create(self.form_data(form))) or False

    def update_model(self, form: Form, model: Any) -> bool:
        return through_service(lambda: self.update(model, self.form_data(form)) or True) is not None

    def delete_model(self, model: Any) -> bool:
        return through_service(lambda: self.delete(model) or True) is not None


class CustomerColumn:
    """Mixin for lists of rows with a ``user_id`` (orders, wishlists): the page's customer
    e-mails come from one query instead of one per row; ``customer_email`` shows them."""

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        count, rows = super().get_list(*args, **kwargs)
        ids = {row.user_id for row in rows}
        query = sa.select(User.id, User.email).where(User.id.in_(ids))
        g.console_customer_emails = dict(db.session.execute(query).tuples().all()) if ids else {}
        return count, rows


def customer_email(_view: Any, _context: Any, model: Any, _name: str) -> str:
    emails = g.get("console_customer_emails") or {}
    return emails.get(model.user_id) or db.session.get(User, model.user_id).email


class AdminModelView(AdminOnly, ConsoleModelView):
    """Sections only admins see (users, exchange rates)."""
