"""Support tickets: privacy (customers see only theirs, never internal notes), the state
machine and its illegal moves, e-mails on replies, and staff-only triage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.mail import outbox
from app.core.models import utcnow
from app.extensions import db
from app.support.models import Ticket
from tests.factories import OrderFactory, PaymentFactory, TicketFactory, UserFactory

URL = "/api/support/tickets/"
NEW = {"subject": "Parcel not delivered", "category": "delivery", "message": "It has been a week."}


@pytest.fixture
def headers(customer, auth_headers):
    return auth_headers(customer)


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


@pytest.fixture
def ticket(client, headers):
    response = client.post(URL, json=NEW, headers=headers)
    assert response.status_code == 201, response.json
    outbox().clear()
    return response.json


def post(client, ticket, what, headers, **body):
    return client.post(f"{URL}{ticket['id']}/{what}/", json=body, headers=headers)


def test_opening_a_ticket_stores_the_first_message_and_tells_support(app, client, headers):
    response = client.post(URL, json=NEW, headers=headers)
    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["priority"], body["category"], body["order"]) == (
        "open",
        "normal",
        "delivery",
        None,
    )
    assert [(m["author"]["role"], m["body"]) for m in body["messages"]] == [
        ("customer", "It has been a week.")
    ]
    (mail,) = outbox()
    assert mail.to == app.config["SUPPORT_EMAIL"]
    assert f"#{body['id']}" in mail.subject


def test_a_ticket_may_name_one_of_my_orders_only(client, customer, headers):
    mine = OrderFactory(user=customer)
    theirs = OrderFactory()
    assert client.post(URL, json={**NEW, "order": mine.number}, headers=headers).json["order"] == mine.number
    assert client.post(URL, json={**NEW, "order": theirs.number}, headers=headers).status_code == 404
    assert client.post(URL, json={**NEW, "order": "SK-NOPE"}, headers=headers).status_code == 404


def test_a_ticket_about_my_payment_is_also_about_its_order(client, customer, headers):
    mine = PaymentFactory(order__user=customer)
    theirs = PaymentFactory()
    body = {**NEW, "category": "payment", "payment": mine.reference}
    opened = client.post(URL, json=body, headers=headers).json
    assert (opened["payment"], opened["order"]) == (mine.reference, mine.order.number)
    assert client.post(URL, json={**body, "payment": theirs.reference}, headers=headers).status_code == 404
    assert client.post(URL, json={**body, "payment": "PAY-NOPE"}, headers=headers).status_code == 404


@pytest.mark.parametrize(
    "fields", [{"category": "refund"}, {"subject": " \t"}, {"message": "  "}, {"subject": ""}]
)
def test_invalid_tickets_are_422(client, headers, fields):
    assert client.post(URL, json={**NEW, **fields}, headers=headers).status_code == 422


def test_customers_see_only_their_own_tickets(client, auth_headers, ticket, staff_headers):
    other = auth_headers(UserFactory())
    assert client.get(URL, headers=other).json == []
    assert client.get(f"{URL}{ticket['id']}/", headers=other).status_code == 404
    assert post(client, ticket, "messages", other, body="Me too").status_code == 404
    assert [t["id"] for t in client.get(URL, headers=staff_headers).json] == [ticket["id"]]


def test_internal_notes_never_reach_the_customer(client, headers, staff_headers, ticket):
    noted = post(client, ticket, "notes", staff_headers, body="Courier says the address is wrong")
    assert noted.status_code == 201
    assert noted.json["messages"][-1]["is_internal"] is True
    assert noted.json["status"] == "open"
    post(client, ticket, "messages", staff_headers, body="We are on it.")
    seen = client.get(f"{URL}{ticket['id']}/", headers=headers).json
    assert [m["body"] for m in seen["messages"]] == ["It has been a week.", "We are on it."]
    assert "Courier" not in str(client.get(URL, headers=headers).json)
    replied = post(client, ticket, "messages", headers, body="Thanks")
    assert all(not m["is_internal"] for m in replied.json["messages"])
    assert all("Courier" not in mail.body for mail in outbox())
    staff_view = client.get(f"{URL}{ticket['id']}/", headers=staff_headers).json
    assert len(staff_view["messages"]) == 4


def test_replies_wait_for_the_other_side_and_email_it(app, client, customer, headers, staff_headers, ticket):
    staff_reply = post(client, ticket, "messages", staff_headers, body="Which address?")
    assert staff_reply.status_code == 201
    assert staff_reply.json["status"] == "pending_customer"
    assert staff_reply.json["messages"][-1]["author"]["role"] == "staff"
    assert [(m.to, "Which address?" in m.body) for m in outbox()] == [(customer.email, True)]
    outbox().clear()
    customer_reply = post(client, ticket, "messages", headers, body="12 Allen Avenue, Ikeja")
    assert customer_reply.json["status"] == "pending_staff"
    assert [m.to for m in outbox()] == [app.config["SUPPORT_EMAIL"]]


def test_a_customer_reply_reaches_the_assignee(client, staff, headers, staff_headers, ticket):
    post(client, ticket, "assign", staff_headers, assignee_id=staff.id)
    outbox().clear()
    post(client, ticket, "messages", headers, body="Any news?")
    assert [m.to for m in outbox()] == [staff.email]


def test_resolve_reopen_by_reply_then_close(client, headers, staff_headers, ticket):
    resolved = post(client, ticket, "status", staff_headers, status="resolved")
    assert resolved.status_code == 200
    assert resolved.json["status"] == "resolved"
    assert resolved.json["resolved_at"] is not None
    reopened = post(client, ticket, "messages", headers, body="It came back broken")
    assert reopened.status_code == 201
    assert (reopened.json["status"], reopened.json["resolved_at"]) == ("pending_staff", None)
    post(client, ticket, "status", staff_headers, status="resolved")
    closed = post(client, ticket, "status", staff_headers, status="closed")
    assert closed.json["status"] == "closed"
    refused = post(client, ticket, "messages", headers, body="Hello?")
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), "open"),  # open → open
        (("closed",), "open"),
        (("closed",), "resolved"),
        (("pending_customer",), "open"),
        (("resolved",), "pending_customer"),
    ],
)
def test_illegal_transitions_are_409(client, staff_headers, ticket, path, illegal):
    for status in path:
        assert post(client, ticket, "status", staff_headers, status=status).status_code == 200
    response = post(client, ticket, "status", staff_headers, status=illegal)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_transition"
    assert illegal not in response.json["error"]["details"]["allowed"]


def test_staff_cannot_reply_publicly_on_a_resolved_ticket_without_reopening(client, staff_headers, ticket):
    post(client, ticket, "status", staff_headers, status="resolved")
    assert post(client, ticket, "messages", staff_headers, body="One more thing").status_code == 409
    assert post(client, ticket, "notes", staff_headers, body="Noted").status_code == 201
    assert post(client, ticket, "status", staff_headers, status="open").json["status"] == "open"


def test_reopening_is_refused_after_the_window(app, client, headers, staff_headers, ticket):
    post(client, ticket, "status", staff_headers, status="resolved")
    stored = db.session.get(Ticket, ticket["id"])
    stored.resolved_at = utcnow() - timedelta(days=app.config["SUPPORT_REOPEN_DAYS"] + 1)
    db.session.commit()
    for response in (
        post(client, ticket, "messages", headers, body="Still broken"),
        post(client, ticket, "status", staff_headers, status="open"),
    ):
        assert response.status_code == 409
        assert response.json["error"]["code"] == "invalid_transition"
    assert post(client, ticket, "status", staff_headers, status="closed").status_code == 200


@pytest.mark.parametrize(
    ("what", "body"),
    [
        ("status", {"status": "resolved"}),
        ("assign", {"assignee_id": None}),
        ("notes", {"body": "Sneaky"}),
    ],
)
def test_staff_endpoints_refuse_customers(client, headers, ticket, what, body):
    assert post(client, ticket, what, headers, **body).status_code == 403
    assert (
        client.patch(f"{URL}{ticket['id']}/", json={"priority": "urgent"}, headers=headers).status_code == 403
    )


def test_assigning_needs_an_active_staff_member(client, customer, staff, staff_headers, ticket):
    assigned = post(client, ticket, "assign", staff_headers, assignee_id=staff.id)
    assert assigned.json["assignee"] == {"id": staff.id, "name": assigned.json["assignee"]["name"]}
    assert [m.to for m in outbox()] == [staff.email]
    assert post(client, ticket, "assign", staff_headers, assignee_id=customer.id).status_code == 404
    assert post(client, ticket, "assign", staff_headers, assignee_id=999_999).status_code == 404
    assert post(client, ticket, "assign", staff_headers, assignee_id=None).json["assignee"] is None


def test_staff_filter_by_status_priority_and_assignee(client, staff, staff_headers):
    mine = TicketFactory(priority="urgent")
    TicketFactory(status="resolved")
    client.post(f"{URL}{mine.id}/assign/", json={"assignee_id": staff.id}, headers=staff_headers)

    def ids(query: str) -> list[int]:
        response = client.get(URL + query, headers=staff_headers)
        assert response.status_code == 200
        return [t["id"] for t in response.json]

    assert len(ids("")) == 2
    assert ids("?priority=urgent") == [mine.id]
    assert ids(f"?assignee_id={staff.id}") == [mine.id]
    assert mine.id not in ids("?unassigned=true")
    assert mine.id not in ids("?status=resolved")
    assert client.get(URL + "?status=lost", headers=staff_headers).status_code == 422


def test_staff_triage_sets_priority_and_category(client, staff_headers, ticket):
    triaged = client.patch(
        f"{URL}{ticket['id']}/", json={"priority": "high", "category": "payment"}, headers=staff_headers
    )
    assert (triaged.json["priority"], triaged.json["category"]) == ("high", "payment")


def test_tickets_need_a_login(client, ticket):
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}{ticket['id']}/").status_code == 401
    assert client.get(f"{URL}{2**31}/").status_code == 404


@pytest.mark.parametrize("as_staff", [False, True])
def test_listing_costs_the_same_queries_for_1_or_10_tickets(
    client, customer, staff, auth_headers, count_queries, as_staff
):
    headers = auth_headers(staff if as_staff else customer)
    TicketFactory(user=customer, order=OrderFactory(user=customer), assignee=staff)
    with count_queries() as one:
        assert len(client.get(URL, headers=headers).json) == 1
    for _ in range(9):
        TicketFactory(user=customer, order=OrderFactory(user=customer), assignee=staff)
    with count_queries() as ten:
        assert len(client.get(URL, headers=headers).json) == 10
    assert ten.count == one.count <= 4
