"""The fraud check through the API: a block is a 403 with a stored decision, a review holds
the payment until staff release or cancel it."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.payments.models import FraudDecision, Payment, Transaction
from tests.api.payments_helpers import pay, payment_row, place_order
from tests.factories import UserFactory


@pytest.fixture
def throwaway(client, auth_headers):
    """A customer with a disposable mailbox: 40 points before anything else."""
    user = UserFactory(email="quick@mailinator.com")
    return user, auth_headers(user)


def test_a_blocked_payment_is_a_403_and_its_decision_is_kept(
    app, client, throwaway, payment_gateways, monkeypatch
):
    monkeypatch.setitem(app.config, "PAYMENTS_FRAUD_BLOCK_SCORE", 60)
    user, headers = throwaway
    order = place_order(client, user, headers)
    response = pay(client, {**headers, "CF-IPCountry": "RU"}, order["number"], gateway="sandbox")
    assert response.status_code == 403
    assert response.json["error"]["code"] == "payment_blocked"
    assert "mailinator" not in str(response.json)  # the reasons are for staff, not for the client
    (decision,) = db.session.scalars(db.select(FraudDecision)).all()
    assert (decision.decision, decision.score, decision.ip_country) == ("block", 60, "RU")
    assert {r["rule"] for r in decision.reasons} == {"disposable_email", "ip_country_mismatch"}
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Transaction.id))) == 0  # no gateway was called


def held_payment(client, throwaway):
    user, headers = throwaway
    order = place_order(client, user, headers)
    response = pay(client, {**headers, "CF-IPCountry": "GH"}, order["number"], gateway="sandbox")
    assert response.status_code == 201, response.json
    return order, response.json, headers


def test_a_payment_under_review_is_held_and_flagged(client, throwaway, payment_gateways):
    _order, payment, headers = held_payment(client, throwaway)
    assert payment["status"] == "held"
    assert payment["under_review"] is True
    assert payment["authorization_url"] is None
    assert db.session.scalar(db.select(db.func.count(Transaction.id))) == 0
    again = pay(client, headers, _order["number"])
    assert (again.status_code, again.json["reference"]) == (200, payment["reference"])


def test_staff_release_a_held_payment_to_its_gateway(
    client, throwaway, payment_gateways, staff, auth_headers
):
    _order, payment, headers = held_payment(client, throwaway)
    url = f"/api/admin/payments/{payment['reference']}/review/"
    assert client.post(url, json={"approve": True}, headers=headers).status_code == 403
    released = client.post(url, json={"approve": True}, headers=auth_headers(staff))
    assert released.status_code == 200, released.json
    assert released.json["status"] == "pending"
    assert released.json["flagged_for_review"] is False
    assert "approved by staff@example.com" in released.json["review_reason"]
    customer_view = client.get(f"/api/payments/{payment['reference']}/", headers=headers).json
    assert customer_view["authorization_url"].endswith(f"/{payment['reference']}/")
    assert client.post(url, json={"approve": True}, headers=auth_headers(staff)).status_code == 409


def test_staff_cancel_a_held_payment(client, throwaway, payment_gateways, staff, auth_headers):
    _order, payment, _headers = held_payment(client, throwaway)
    url = f"/api/admin/payments/{payment['reference']}/review/"
    assert (
        client.post(url, json={"approve": False}, headers=auth_headers(staff)).json["status"] == "cancelled"
    )
    assert payment_row(payment["reference"]).status == "cancelled"
