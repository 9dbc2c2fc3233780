"""The sandbox's hosted page: a person approves or declines, and Sokoni receives the signed
webhook through its own pipeline."""

from __future__ import annotations

import re

import pytest

from app.core.mail import outbox
from app.extensions import db
from app.payments.models import WebhookEvent
from tests.api.payments_helpers import pay, payment_row, paystack_initialize, place_order


@pytest.fixture
def sandbox_payment(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    payment = pay(
        client, headers, order["number"], gateway="sandbox", return_url="https://shop.test/back"
    ).json
    return order, payment, headers


def open_page(client, payment) -> tuple[str, str]:
    page = client.get(payment["authorization_url"])
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    return html, re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_the_page_is_self_contained(client, sandbox_payment):
    order, payment, _headers = sandbox_payment
    html, _token = open_page(client, payment)
    assert order["number"] in html
    assert "Approve" in html
    assert "Decline" in html
    assert "http://" not in html
    assert "https://" not in html  # no CDN, no external asset


def test_approving_on_the_page_pays_the_order(client, sandbox_payment):
    order, payment, headers = sandbox_payment
    _html, token = open_page(client, payment)
    outbox().clear()
    done = client.post(payment["authorization_url"], data={"token": token, "decision": "approve"})
    assert done.status_code == 200
    assert "succeeded" in done.get_data(as_text=True)
    assert 'href="https://shop.test/back"' in done.get_data(as_text=True)
    (event,) = db.session.scalars(db.select(WebhookEvent)).all()
    assert (event.gateway, event.signature_valid, event.status) == ("sandbox", True, "processed")
    assert client.get(f"/api/orders/{order['number']}/", headers=headers).json["status"] == "paid"
    assert any(m.subject.startswith("Receipt") for m in outbox())


def test_declining_on_the_page_fails_the_payment(client, sandbox_payment):
    _order, payment, _headers = sandbox_payment
    _html, token = open_page(client, payment)
    client.post(payment["authorization_url"], data={"token": token, "decision": "decline"})
    assert payment_row(payment["reference"]).status == "failed"


def test_a_token_works_once(client, sandbox_payment):
    _order, payment, _headers = sandbox_payment
    _html, token = open_page(client, payment)
    url = payment["authorization_url"]
    assert client.post(url, data={"token": token, "decision": "decline"}).status_code == 200
    assert client.post(url, data={"token": token, "decision": "approve"}).status_code == 409
    assert payment_row(payment["reference"]).status == "failed"


def test_a_forged_or_foreign_token_is_refused(client, payer, sandbox_payment):
    _order, payment, headers = sandbox_payment
    url = payment["authorization_url"]
    assert client.post(url, data={"token": "forged", "decision": "approve"}).status_code == 403
    assert client.post(url, data={"decision": "approve"}).status_code == 422
    other_order = place_order(client, payer[0], headers)
    other = pay(client, headers, other_order["number"], gateway="sandbox").json
    _html, other_token = open_page(client, other)
    assert client.post(url, data={"token": other_token, "decision": "approve"}).status_code == 403
    assert payment_row(payment["reference"]).status == "pending"


def test_only_sandbox_payments_have_a_page(client, payer, payment_gateways, gateway_http):
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http)
    reference = pay(client, headers, order["number"], gateway="paystack").json["reference"]
    assert client.get(f"/api/payments/sandbox/{reference}/").status_code == 404
