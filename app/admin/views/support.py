"""Support: tickets (reply, internal note, assign, change status) and FAQs, every change
through ``app.support`` services, so the ticket state machine and the customer e-mails
behave as through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import expose
from flask_admin.form import SecureForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.admin.base import (
    ConsoleModelView,
    ServiceModelView,
    flash_done,
    flash_form_errors,
    slug_of,
    through_service,
    where,
)
from app.admin.security import current_staff
from app.auth.models import User
from app.core.errors import ConflictError
from app.core.permissions import Role
from app.extensions import db
from app.support import faqs, tickets
from app.support.models import Faq, FaqCategory, Ticket
from app.support.states import TRANSITIONS, TicketStatus, ensure_transition

CATEGORY = "Support"
NOBODY = ""


class MessageForm(SecureForm):
    ticket_id = HiddenField(validators=[DataRequired()])
    body = TextAreaField("Message", validators=[DataRequired(), Length(max=5000)])


class AssignForm(SecureForm):
    ticket_id = HiddenField(validators=[DataRequired()])
    assignee = SelectField("Assign to", choices=[])


class TicketStatusForm(SecureForm):
    ticket_id = HiddenField(validators=[DataRequired()])
    status = SelectField("New status", choices=[(s.value, s.value.replace("_", " ")) for s in TicketStatus])


def staff_choices() -> list[tuple[str, str]]:
    people = db.session.scalars(
        sa.select(User).where(User.is_active, User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.email)
    )
    return [(NOBODY, "Nobody"), *((str(user.id), user.email) for user in people)]


def allowed_statuses(ticket: Ticket) -> list[TicketStatus]:
    """The moves the state machine allows right now (reopening only within its window)."""
    allowed = []
    for target in sorted(TRANSITIONS[TicketStatus(ticket.status)]):
        try:
            ensure_transition(ticket.status, target, ticket.resolved_at)
        except ConflictError:
            continue
        allowed.append(target)
    return allowed


class TicketView(ConsoleModelView):
    details_template = "console/ticket_details.html"
    column_list = (
        "id",
        "subject",
        "customer.email",
        "category",
        "priority",
        "status",
        "assignee.email",
        "updated_at",
    )
    column_labels = {"customer.email": "Customer", "assignee.email": "Assignee"}
    column_details_list = (
        "subject",
        "customer.email",
        "category",
        "priority",
        "status",
        "assignee.email",
        "order.number",
        "payment.reference",
        "created_at",
        "updated_at",
        "resolved_at",
    )
    column_searchable_list = ("subject", "customer.email")
    column_filters = ("status", "priority", "category", "assignee.email", "created_at")
    column_default_sort = ("updated_at", True)

    def reply_form(self, ticket: Ticket) -> MessageForm | None:
        return None if ticket.status == TicketStatus.CLOSED else MessageForm(ticket_id=ticket.id)

    def note_form(self, ticket: Ticket) -> MessageForm:
        return MessageForm(ticket_id=ticket.id)

    def assign_form(self, ticket: Ticket) -> AssignForm:
        form = AssignForm(ticket_id=ticket.id, assignee=str(ticket.assignee_id or NOBODY))
        form.assignee.choices = staff_choices()
        return form

    def status_form(self, ticket: Ticket) -> TicketStatusForm | None:
        allowed = allowed_statuses(ticket)
        if not allowed:
            return None
        form = TicketStatusForm(ticket_id=ticket.id)
        form.status.choices = [(s.value, s.value.replace("_", " ")) for s in allowed]
        return form

    def thread(self, ticket: Ticket) -> list[Any]:
        return list(ticket.messages)

    def _act(self, form: SecureForm, call: Callable[[int], Any], done: str) -> Response:
        ticket_id = form.ticket_id.data
        if not form.validate():
            flash_form_errors(form)
        elif through_service(lambda: call(int(ticket_id))) is not None:
            flash_done(done)
        if not str(ticket_id or "").isdigit():
            return redirect(url_for(".index_view"))
        return redirect(url_for(".details_view", id=ticket_id))

    @expose("/reply/", methods=("POST",))
    def reply_view(self) -> Response:
        form = MessageForm(request.form)
        return self._act(form, lambda i: tickets.reply(current_staff(), i, form.body.data), "Reply sent.")

    @expose("/note/", methods=("POST",))
    def note_view(self) -> Response:
        form = MessageForm(request.form)
        return self._act(form, lambda i: tickets.add_note(current_staff(), i, form.body.data), "Note added.")

    @expose("/assign/", methods=("POST",))
    def assign_view(self) -> Response:
        form = AssignForm(request.form)
        form.assignee.choices = staff_choices()
        assignee = int(form.assignee.data) if (form.assignee.data or NOBODY) != NOBODY else None
        return self._act(form, lambda i: tickets.assign(current_staff(), i, assignee), "Ticket assigned.")

    @expose("/status/", methods=("POST",))
    def status_view(self) -> Response:
        form = TicketStatusForm(request.form)
        done = f"Ticket is now {form.status.data}."
        return self._act(form, lambda i: tickets.change_status(current_staff(), i, form.status.data), done)


class FaqView(ServiceModelView):
    column_list = ("question", "category", "position", "is_published", "updated_at")
    column_searchable_list = ("question", "answer")
    column_filters = ("is_published", "category.name")
    form_columns = ("category", "question", "answer", "position", "is_published")

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["category"] = slug_of(data["category"])
        return data

    def create(self, data: dict[str, Any]) -> Faq:
        return faqs.create_faq(data)

    def update(self, model: Faq, data: dict[str, Any]) -> Faq:
        return faqs.update_faq(model.id, data)

    def delete(self, model: Faq) -> None:
        faqs.delete_faq(model.id)


class FaqCategoryView(ServiceModelView):
    column_list = ("name", "slug", "position")
    form_columns = ("name", "slug", "position")

    def create(self, data: dict[str, Any]) -> FaqCategory:
        return faqs.create_category(data)

    def update(self, model: FaqCategory, data: dict[str, Any]) -> FaqCategory:
        return faqs.update_category(model.id, data)

    def delete(self, model: FaqCategory) -> None:
        faqs.delete_category(model.id)


def register(admin: Any) -> None:
    admin.add_view(TicketView(Ticket, "Tickets", category=CATEGORY, **where("tickets")))
    admin.add_view(FaqView(Faq, "FAQs", category=CATEGORY, **where("faqs")))
    admin.add_view(
        FaqCategoryView(FaqCategory, "FAQ categories", category=CATEGORY, **where("faq_categories"))
    )
