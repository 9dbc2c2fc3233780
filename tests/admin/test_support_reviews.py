"""Tickets, FAQs and review moderation in the console, through the support and review services."""

from __future__ import annotations

import pytest

from app.core.mail import outbox
from app.extensions import db
from app.reviews.models import Review
from app.support.models import Faq, Ticket
from tests.admin.conftest import csrf_token
from tests.factories import FaqCategoryFactory, ReviewFactory, TicketFactory, UserFactory


def ticket_page(ticket) -> str:
    return f"/admin/tickets/details/?id={ticket.id}"


def act(client, ticket, what, **data):
    token = csrf_token(client, ticket_page(ticket))
    return client.post(f"/admin/tickets/{what}/", data={"ticket_id": ticket.id, "csrf_token": token, **data})


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


@pytest.mark.parametrize(
    "url", ["/admin/tickets/", "/admin/faqs/", "/admin/faq_categories/", "/admin/reviews/"]
)
def test_staff_see_support_and_reviews(staff_client, url):
    assert staff_client.get(url).status_code == 200


def test_dashboard_counts_open_tickets(staff_client):
    TicketFactory()
    TicketFactory(status="resolved")
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert '<div class="value" id="open-tickets">1</div>' in page


def test_reply_goes_to_the_customer_and_waits_for_them(staff_client, customer):
    ticket = TicketFactory(user=customer)
    outbox().clear()
    act(staff_client, ticket, "reply", body="Your parcel left Lagos today.")
    assert fresh(Ticket, ticket.id).status == "pending_customer"
    assert any(customer.email in str(message) for message in outbox())
    assert "Your parcel left Lagos today." in staff_client.get(ticket_page(ticket)).get_data(as_text=True)


def test_internal_note_keeps_the_status_and_is_marked_internal(staff_client):
    ticket = TicketFactory()
    act(staff_client, ticket, "note", body="Courier says Monday.")
    assert fresh(Ticket, ticket.id).status == "open"
    message = fresh(Ticket, ticket.id).messages[-1]
    assert message.is_internal
    assert "internal note" in staff_client.get(ticket_page(ticket)).get_data(as_text=True)


def test_assign_to_staff_only(staff_client, staff):
    ticket = TicketFactory()
    colleague = UserFactory(email="kofi@example.com", role="staff")
    act(staff_client, ticket, "assign", assignee=str(colleague.id))
    assert fresh(Ticket, ticket.id).assignee_id == colleague.id
    customer = UserFactory(email="not-staff@example.com")
    act(staff_client, ticket, "assign", assignee=str(customer.id))
    assert fresh(Ticket, ticket.id).assignee_id == colleague.id
    act(staff_client, ticket, "assign", assignee="")
    assert fresh(Ticket, ticket.id).assignee_id is None


def test_status_offers_allowed_moves_and_refuses_others(staff_client):
    ticket = TicketFactory(status="closed")
    assert 'id="ticket-status-form"' not in staff_client.get(ticket_page(ticket)).get_data(as_text=True)
    assert 'id="ticket-reply-form"' not in staff_client.get(ticket_page(ticket)).get_data(as_text=True)
    act(staff_client, ticket, "status", status="open")
    assert fresh(Ticket, ticket.id).status == "closed"
    open_ticket = TicketFactory()
    act(staff_client, open_ticket, "status", status="resolved")
    assert fresh(Ticket, open_ticket.id).status == "resolved"


def test_ticket_actions_need_the_csrf_token(staff_client):
    ticket = TicketFactory()
    staff_client.post("/admin/tickets/note/", data={"ticket_id": ticket.id, "body": "forged"})
    assert len(fresh(Ticket, ticket.id).messages) == 1


def test_faqs_are_written_through_the_faq_service(staff_client):
    category = FaqCategoryFactory()
    token = csrf_token(staff_client, "/admin/faqs/new/")
    data = {"category": category.id, "question": "Do you deliver to Kumasi?", "answer": "Yes, in 3 days.",
            "position": 1, "is_published": "y", "csrf_token": token}  # fmt: skip
    assert staff_client.post("/admin/faqs/new/", data=data).status_code == 302
    faq = db.session.scalar(db.select(Faq))
    assert (faq.question, faq.category_id) == ("Do you deliver to Kumasi?", category.id)


def test_hiding_a_review_needs_a_reason_and_updates_the_rating(staff_client, staff):
    review = ReviewFactory(rating=1)
    page = f"/admin/reviews/details/?id={review.id}"
    token = csrf_token(staff_client, page)
    staff_client.post(
        "/admin/reviews/hide/", data={"review_id": review.id, "reason": "", "csrf_token": token}
    )
    assert not fresh(Review, review.id).is_hidden
    token = csrf_token(staff_client, page)
    staff_client.post(
        "/admin/reviews/hide/", data={"review_id": review.id, "reason": "Spam", "csrf_token": token}
    )
    hidden = fresh(Review, review.id)
    assert (hidden.is_hidden, hidden.hidden_reason, hidden.hidden_by_id) == (True, "Spam", staff.id)
    assert hidden.product.rating_count == 0
    token = csrf_token(staff_client, "/admin/reviews/")
    staff_client.post(
        "/admin/reviews/action/", data={"action": "unhide", "rowid": [review.id], "csrf_token": token}
    )
    assert not fresh(Review, review.id).is_hidden
    assert fresh(Review, review.id).product.rating_count == 1
