"""Fraud rules, one by one, and the thresholds that turn a score into a decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.models import utcnow
from app.payments.models import FraudDecision
from app.payments.services import fraud_service
from tests.factories import OrderFactory, PaymentFactory, UserFactory


@pytest.fixture
def user():
    return UserFactory(email="buyer@example.com")


@pytest.fixture
def order(user):
    return OrderFactory(user=user, status="pending_payment", subtotal=100_000, total=100_000)


def rules(decision: FraudDecision) -> list[str]:
    return [reason["rule"] for reason in decision.reasons]


def payments(count: int, **fields) -> None:
    for _ in range(count):
        PaymentFactory(**fields)


def test_an_ordinary_attempt_is_allowed_with_no_reasons(user, order):
    decision = fraud_service.assess(user, order, ip_address="197.210.1.1", ip_country="NG", phone_hash="h")
    assert (decision.score, decision.decision, decision.reasons) == (0, "allow", [])
    assert decision.id is not None  # stored, like every decision


def test_velocity_per_account(app, user, order):
    limit = app.config["PAYMENTS_FRAUD_VELOCITY_LIMIT"]
    payments(limit - 1, order=OrderFactory(user=user, status="pending_payment", total=1_000, subtotal=1_000))
    assert "velocity_user" not in rules(fraud_service.assess(user, order))
    PaymentFactory(order=order)
    decision = fraud_service.assess(user, order)
    assert rules(decision) == ["velocity_user"]
    assert decision.reasons[0]["points"] == fraud_service.WEIGHTS["velocity_user"]


def test_old_payments_do_not_count_for_velocity(app, user, order):
    payments(
        app.config["PAYMENTS_FRAUD_VELOCITY_LIMIT"], order=order, created_at=utcnow() - timedelta(days=1)
    )
    assert rules(fraud_service.assess(user, order)) == []


def test_velocity_per_ip_address_across_accounts(app, user, order):
    payments(app.config["PAYMENTS_FRAUD_VELOCITY_LIMIT"], ip_address="102.89.1.1")
    assert rules(fraud_service.assess(user, order, ip_address="102.89.1.1")) == ["velocity_ip"]
    assert rules(fraud_service.assess(user, order, ip_address="102.89.1.2")) == []


def test_velocity_per_phone_number_across_accounts(app, user, order):
    payments(app.config["PAYMENTS_FRAUD_VELOCITY_LIMIT"], phone_hash="same-phone")
    assert rules(fraud_service.assess(user, order, phone_hash="same-phone")) == ["velocity_phone"]


def test_an_amount_far_above_the_customers_history(user):
    earlier = OrderFactory(user=user, status="paid", subtotal=10_000, total=10_000)
    PaymentFactory(order=earlier, status="succeeded")
    large = OrderFactory(user=user, status="pending_payment", subtotal=60_000, total=60_000)
    decision = fraud_service.assess(user, large)
    assert rules(decision) == ["amount_above_history"]
    usual = OrderFactory(user=user, status="pending_payment", subtotal=50_000, total=50_000)
    assert rules(fraud_service.assess(user, usual)) == []


def test_no_history_is_no_signal(user):
    first = OrderFactory(user=user, status="pending_payment", subtotal=9_000_000, total=9_000_000)
    assert rules(fraud_service.assess(user, first)) == []


@pytest.mark.parametrize(("header", "fires"), [("GH", True), ("ng", False), ("XX", False), (None, False)])
def test_ip_country_against_the_delivery_country(user, order, header, fires):
    decision = fraud_service.assess(user, order, ip_country=header)
    assert ("ip_country_mismatch" in rules(decision)) is fires


@pytest.mark.parametrize(("currency", "fires"), [("KES", True), ("NGN", False), ("USD", False)])
def test_currency_against_the_delivery_country(user, currency, fires):
    order = OrderFactory(user=user, status="pending_payment", currency=currency, total=1_000, subtotal=1_000)
    assert ("currency_country_mismatch" in rules(fraud_service.assess(user, order))) is fires


def test_repeated_failures(app, user, order):
    limit = app.config["PAYMENTS_FRAUD_MAX_FAILURES"]
    payments(limit - 1, order=order, status="failed")
    assert rules(fraud_service.assess(user, order)) == []
    PaymentFactory(order=order, status="cancelled")
    assert rules(fraud_service.assess(user, order)) == ["repeated_failures"]


def test_disposable_email_domains(app, monkeypatch):
    throwaway = UserFactory(email="quick@mailinator.com")
    order = OrderFactory(user=throwaway, status="pending_payment", total=1_000, subtotal=1_000)
    assert rules(fraud_service.assess(throwaway, order)) == ["disposable_email"]
    custom = UserFactory(email="quick@burner.example")
    other = OrderFactory(user=custom, status="pending_payment", total=1_000, subtotal=1_000)
    assert rules(fraud_service.assess(custom, other)) == []
    monkeypatch.setitem(app.config, "PAYMENTS_FRAUD_DISPOSABLE_DOMAINS", ["burner.example"])
    assert rules(fraud_service.assess(custom, other)) == ["disposable_email"]


def test_scores_at_the_thresholds_become_review_and_block(app, monkeypatch):
    throwaway = UserFactory(email="quick@yopmail.com")  # 40 points
    order = OrderFactory(user=throwaway, status="pending_payment", total=1_000, subtotal=1_000)
    assert fraud_service.assess(throwaway, order).decision == "allow"
    assert fraud_service.assess(throwaway, order, ip_country="GH").decision == "review"  # 60
    monkeypatch.setitem(app.config, "PAYMENTS_FRAUD_BLOCK_SCORE", 60)
    blocked = fraud_service.assess(throwaway, order, ip_country="GH")
    assert (blocked.score, blocked.decision) == (60, "block")
    assert {r["rule"] for r in blocked.reasons} == {"disposable_email", "ip_country_mismatch"}
