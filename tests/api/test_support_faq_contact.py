"""The FAQ (public, cached, staff-edited) and the contact form (no login, rate limited,
stored and e-mailed to the support address)."""

from __future__ import annotations

import pytest

from app.core.mail import outbox
from app.support.models import ContactMessage
from tests.factories import FaqCategoryFactory, FaqFactory

CONTACT = {
    "name": "Wanjiru Kamau",
    "email": "wanjiru@example.co.ke",
    "subject": "Do you ship to Nakuru?",
    "message": "I would like three bolts of kitenge delivered to Nakuru.",
}


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


def test_public_faq_is_grouped_ordered_and_published_only(client):
    payments = FaqCategoryFactory(name="Payments", position=1)
    delivery = FaqCategoryFactory(name="Delivery", position=0)
    FaqCategoryFactory(name="Empty")
    second = FaqFactory(category=delivery, question="How long?", position=2)
    first = FaqFactory(category=delivery, question="Where?", position=1)
    FaqFactory(category=delivery, question="Draft", is_published=False)
    mpesa = FaqFactory(category=payments, question="M-Pesa?")
    response = client.get("/api/faqs/")
    assert response.status_code == 200
    assert [(s["slug"], [f["id"] for f in s["faqs"]]) for s in response.json] == [
        ("delivery", [first.id, second.id]),
        ("payments", [mpesa.id]),
    ]


def test_the_faq_is_cached_until_staff_change_it(client, staff_headers):
    faq = FaqFactory(question="Old question?")
    assert client.get("/api/faqs/").json[0]["faqs"][0]["question"] == "Old question?"
    FaqFactory(category=faq.category, question="Written behind the API's back", position=5)
    assert len(client.get("/api/faqs/").json[0]["faqs"]) == 1  # still the cached copy
    changed = client.patch(f"/api/faqs/{faq.id}/", json={"question": "New question?"}, headers=staff_headers)
    assert changed.status_code == 200
    questions = [f["question"] for f in client.get("/api/faqs/").json[0]["faqs"]]
    assert questions == ["New question?", "Written behind the API's back"]


def test_staff_write_questions_and_categories(client, staff_headers):
    category = client.post(
        "/api/faq-categories/", json={"slug": "returns", "name": "Returns"}, headers=staff_headers
    )
    assert category.status_code == 201
    created = client.post(
        "/api/faqs/",
        json={
            "category": "returns",
            "question": "Can I return?",
            "answer": "Within 7 days.",
            "is_published": False,
        },
        headers=staff_headers,
    )
    assert created.status_code == 201
    assert created.json["category"] == "returns"
    assert client.get("/api/faqs/").json == []  # a draft
    everything = client.get("/api/admin/faqs/", headers=staff_headers).json
    assert [f["question"] for f in everything] == ["Can I return?"]
    client.patch(f"/api/faqs/{created.json['id']}/", json={"is_published": True}, headers=staff_headers)
    assert client.get("/api/faqs/").json[0]["faqs"][0]["answer"] == "Within 7 days."
    in_use = client.delete(f"/api/faq-categories/{category.json['id']}/", headers=staff_headers)
    assert in_use.status_code == 409
    assert client.delete(f"/api/faqs/{created.json['id']}/", headers=staff_headers).status_code == 204
    assert client.get("/api/faqs/").json == []
    assert (
        client.delete(f"/api/faq-categories/{category.json['id']}/", headers=staff_headers).status_code == 204
    )


def test_faq_writes_check_categories(client, staff_headers):
    FaqCategoryFactory(name="Payments")
    unknown = client.post(
        "/api/faqs/", json={"category": "nope", "question": "Q?", "answer": "A."}, headers=staff_headers
    )
    assert unknown.status_code == 422
    taken = client.post(
        "/api/faq-categories/", json={"slug": "payments", "name": "Again"}, headers=staff_headers
    )
    assert taken.status_code == 409
    assert client.patch("/api/faqs/999999/", json={"answer": "x"}, headers=staff_headers).status_code == 404


def test_faq_editing_is_staff_only(client, customer, auth_headers):
    faq = FaqFactory()
    headers = auth_headers(customer)
    body = {"category": faq.category.slug, "question": "Q?", "answer": "A."}
    assert client.post("/api/faqs/", json=body).status_code == 401
    assert client.post("/api/faqs/", json=body, headers=headers).status_code == 403
    assert client.patch(f"/api/faqs/{faq.id}/", json={"answer": "x"}, headers=headers).status_code == 403
    assert client.delete(f"/api/faqs/{faq.id}/", headers=headers).status_code == 403
    assert client.get("/api/admin/faqs/", headers=headers).status_code == 403
    assert client.get("/api/faq-categories/", headers=headers).status_code == 403


def test_the_contact_form_needs_no_login_and_emails_support(app, client):
    response = client.post("/api/contact/", json=CONTACT)
    assert response.status_code == 202, response.json
    stored = ContactMessage.query.one()
    assert (stored.email, stored.subject) == ("wanjiru@example.co.ke", "Do you ship to Nakuru?")
    assert response.json["id"] == stored.id
    (mail,) = outbox()
    assert mail.to == app.config["SUPPORT_EMAIL"]
    assert "Do you ship to Nakuru?" in mail.subject
    assert "wanjiru@example.co.ke" in mail.body
    assert "kitenge" in mail.body


@pytest.mark.parametrize("fields", [{"email": "not-an-address"}, {"message": " \n\t"}, {"name": ""}])
def test_invalid_contact_messages_are_422(client, fields):
    assert client.post("/api/contact/", json={**CONTACT, **fields}).status_code == 422
    assert outbox() == []


def test_a_line_break_in_the_subject_cannot_add_mail_headers(client):
    response = client.post("/api/contact/", json={**CONTACT, "subject": "Hi\r\nBcc: everyone@example.com"})
    assert response.status_code == 202
    (mail,) = outbox()
    assert mail.subject.endswith("] Hi Bcc: everyone@example.com")


def test_faq_flags_must_be_json_booleans(client, staff_headers):
    faq = FaqFactory()
    response = client.patch(f"/api/faqs/{faq.id}/", json={"is_published": 0}, headers=staff_headers)
    assert response.status_code == 422


def test_the_contact_form_is_rate_limited(app, client):
    limit = int(app.config["RATELIMIT_CONTACT"].split("/")[0])
    for _ in range(limit):
        assert client.post("/api/contact/", json=CONTACT).status_code == 202
    refused = client.post("/api/contact/", json=CONTACT)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert ContactMessage.query.count() == limit
    assert len(outbox()) == limit
