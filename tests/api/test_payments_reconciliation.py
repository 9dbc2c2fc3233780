"""Reconciliation: payments left pending are polled and finalised, or expired when stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses

from app.cli.scheduler import PERIODIC_JOBS
from app.core.models import utcnow
from app.extensions import db
from app.payments.models import Payment
from app.payments.tasks import reconcile_pending_payments
from tests.api.payments_helpers import (
    PAYSTACK,
    pay,
    payment_row,
    paystack_initialize,
    paystack_verify,
    place_order,
)


@pytest.fixture
def pending(client, payer, payment_gateways, gateway_http):
    """A Paystack payment whose customer never came back: (order, reference, headers)."""
    user, headers = payer
    order = place_order(client, user, headers)
    paystack_initialize(gateway_http)
    reference = pay(client, headers, order["number"], gateway="paystack").json["reference"]
    return order, reference, headers


def age(reference: str, minutes: int) -> None:
    db.session.execute(
        db.update(Payment)
        .where(Payment.reference == reference)
        .values(created_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def order_status(client, headers, number):
    return client.get(f"/api/orders/{number}/", headers=headers).json["status"]


def test_it_is_a_periodic_job():
    assert reconcile_pending_payments in [job for job, _interval in PERIODIC_JOBS]


def test_a_recent_payment_is_left_alone(pending, gateway_http):
    _order, reference, _headers = pending
    assert reconcile_pending_payments() == 0
    assert not any("/transaction/verify/" in call.request.url for call in gateway_http.calls)
    assert payment_row(reference).status == "pending"


def test_a_payment_paid_without_a_webhook_is_finalised(app, client, pending, gateway_http):
    order, reference, headers = pending
    age(reference, app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"] + 1)
    paystack_verify(gateway_http, reference, order["total"]["amount"])
    assert reconcile_pending_payments() == 1
    assert payment_row(reference).status == "succeeded"
    assert order_status(client, headers, order["number"]) == "paid"
    assert reconcile_pending_payments() == 0  # nothing left to poll


def test_a_failure_paystack_never_announced_is_found(app, client, pending, gateway_http):
    order, reference, headers = pending
    age(reference, app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"] + 1)
    paystack_verify(gateway_http, reference, order["total"]["amount"], status="failed")
    assert reconcile_pending_payments() == 1
    assert payment_row(reference).status == "failed"
    assert order_status(client, headers, order["number"]) == "pending_payment"


def test_a_payment_pending_for_too_long_expires(app, pending, gateway_http):
    order, reference, _headers = pending
    age(reference, app.config["PAYMENTS_PENDING_EXPIRY_MINUTES"] + 1)
    paystack_verify(gateway_http, reference, order["total"]["amount"], status="abandoned")
    assert reconcile_pending_payments() == 1
    assert payment_row(reference).status == "expired"


def test_a_provider_outage_leaves_the_payment_for_the_next_run(app, pending, gateway_http):
    _order, reference, _headers = pending
    age(reference, app.config["PAYMENTS_RECONCILE_AFTER_MINUTES"] + 1)
    gateway_http.add(responses.GET, f"{PAYSTACK}/transaction/verify/{reference}", status=502)
    assert reconcile_pending_payments() == 0
    assert payment_row(reference).status == "pending"


def test_the_scheduler_runs_it(app, pending):
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "reconcile_pending_payments: 0" in result.output
