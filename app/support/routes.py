"""Support endpoints: the contact form and tickets (FAQ endpoints: ``faq_routes``)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_jwt_extended import current_user
from flask_limiter.util import get_remote_address

from app.core.api import ID, Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.extensions import limiter
from app.support import contact, schemas, tickets
from app.support.views import thread_view, ticket_view

blp = Blueprint("support", __name__, url_prefix="/api", description="Contact form and support tickets")
TICKET = f"/support/tickets/<{ID}:ticket_id>"


class TicketPage(QueryPage):
    """A page of tickets rendered with ``ticket_view``."""

    @property
    def items(self) -> list:
        return [ticket_view(ticket) for ticket in super().items]


def _contact_limit() -> str:
    return current_app.config["RATELIMIT_CONTACT"]


@blp.route("/contact/")
class Contact(MethodView):
    decorators = [limiter.limit(_contact_limit, scope="contact")]

    @blp.arguments(schemas.ContactSchema)
    @blp.response(202, schemas.ContactReceiptSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data):
        """Write to the shop without an account; the message is kept and e-mailed to support."""
        return contact.submit(data, get_remote_address())


@blp.route("/support/tickets/")
class Tickets(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.TicketQuerySchema, location="query")
    @blp.response(200, schemas.TicketSchema(many=True))
    @blp.paginate(TicketPage)
    def get(self, filters):
        """Your tickets (staff: everyone's, filtered by status, priority, category, assignee)."""
        return tickets.list_tickets(current_user, filters)

    @blp.login_required()
    @blp.arguments(schemas.TicketCreateSchema)
    @blp.response(201, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data):
        """Open a ticket, optionally about one of your orders."""
        return thread_view(tickets.open_ticket(current_user, data))


@blp.route(f"{TICKET}/")
class TicketDetail(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, ticket_id):
        """One of your tickets with its messages (staff also see internal notes)."""
        return thread_view(tickets.get_ticket(current_user, ticket_id))

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TicketTriageSchema, required=False)
    @blp.response(200, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data, ticket_id):
        """Staff: set the priority or category."""
        return thread_view(tickets.triage(current_user, ticket_id, data))


@blp.route(f"{TICKET}/messages/")
class TicketMessages(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.TicketReplySchema)
    @blp.response(201, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, ticket_id):
        """Reply on a ticket; the other side is e-mailed. A customer's reply reopens a resolved ticket."""
        return thread_view(tickets.reply(current_user, ticket_id, data["body"]))


@blp.route(f"{TICKET}/notes/")
class TicketNotes(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TicketReplySchema)
    @blp.response(201, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, ticket_id):
        """Staff: an internal note, never shown or sent to the customer."""
        return thread_view(tickets.add_note(current_user, ticket_id, data["body"]))


@blp.route(f"{TICKET}/status/")
class TicketStatusChange(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TicketStatusChangeSchema)
    @blp.response(200, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data, ticket_id):
        """Staff: move a ticket along (resolve, close, reopen within the window); others are 409."""
        return thread_view(tickets.change_status(current_user, ticket_id, data["status"]))


@blp.route(f"{TICKET}/assign/")
class TicketAssign(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.TicketAssignSchema)
    @blp.response(200, schemas.TicketDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data, ticket_id):
        """Staff: assign a ticket to a staff member (null: unassign)."""
        return thread_view(tickets.assign(current_user, ticket_id, data["assignee_id"]))
