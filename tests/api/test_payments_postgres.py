"""Payments under concurrency and with real queues, on PostgreSQL and Redis.

Racing requests each run in their own thread, app context, session and connection,
released together by a barrier. The worker test queues jobs on Redis for real and runs
them with the same worker class as ``flask worker``.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest

from app.cli.worker import AppContextWorker
from app.core import batched_jobs
from app.core.jobs import get_queue
from app.core.mail import outbox
from app.core.redis_client import get_redis
from app.extensions import db
from app.orders.models import OrderEvent
from app.payments.models import WebhookEvent
from tests.api.payments_helpers import deliver, pay, payment_row, place_order, sandbox_webhook

pytestmark = pytest.mark.usefixtures("postgres")


def race(app, calls):
    """Run every ``call(client)`` at the same moment; return their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        response = call(client)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def open_payment(client, payer, payment_gateways):
    user, headers = payer
    order = place_order(client, user, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    return order, reference


def paid_transitions() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(OrderEvent.to_status == "paid"))


def test_the_same_webhook_twice_at_once_changes_the_state_once(app, open_payment):
    _order, reference = open_payment
    body, headers = sandbox_webhook(app, reference)

    results = race(app, [lambda c: deliver(c, "sandbox", body, headers)] * 2)

    assert [status for status, _ in results] == [200, 200]
    assert sorted(body["duplicate"] for _, body in results) == [False, True]
    assert paid_transitions() == 1
    assert db.session.scalar(db.select(db.func.count(WebhookEvent.id))) == 1
    assert payment_row(reference).status == "succeeded"


def test_two_success_events_at_once_pay_the_order_once(app, open_payment):
    _order, reference = open_payment
    first, second = sandbox_webhook(app, reference), sandbox_webhook(app, reference)  # two event ids

    results = race(app, [lambda c: deliver(c, "sandbox", *first), lambda c: deliver(c, "sandbox", *second)])

    assert [status for status, _ in results] == [200, 200]
    assert paid_transitions() == 1
    db.session.expire_all()
    outcomes = sorted((e.status, e.error) for e in db.session.scalars(db.select(WebhookEvent)))
    assert outcomes == [("ignored", "already_succeeded"), ("processed", None)]
    assert len([m for m in outbox() if m.subject.startswith("Receipt")]) == 1


@pytest.fixture
def async_jobs(app):
    app.config["JOBS_ASYNC"] = True
    yield
    app.config["JOBS_ASYNC"] = False


def test_with_the_worker_down_the_event_waits_and_is_processed_once(app, client, open_payment, async_jobs):
    _order, reference = open_payment
    body, headers = sandbox_webhook(app, reference)

    response = deliver(client, "sandbox", body, headers)
    assert response.status_code == 200
    assert payment_row(reference).status == "pending"
    (event,) = db.session.scalars(db.select(WebhookEvent)).all()
    assert event.status == "received"
    assert get_queue("high").count == 1
    assert deliver(client, "sandbox", body, headers).json["duplicate"] is True
    assert get_queue("high").count == 1  # a replay queues nothing

    worker = AppContextWorker(["high", "default"], connection=get_redis(), app=app)
    assert worker.work(burst=True)
    assert batched_jobs.drain_all() == 2  # the receipt and the "paid" e-mail, a second later

    assert payment_row(reference).status == "succeeded"
    assert paid_transitions() == 1
    db.session.expire_all()
    assert db.session.get(WebhookEvent, event.id).status == "processed"
    assert len([m for m in outbox() if m.subject.startswith("Receipt")]) == 1
    assert worker.work(burst=True) is False  # nothing left: processed exactly once


def test_two_refunds_at_once_never_exceed_the_captured_amount(app, client, open_payment, staff, auth_headers):
    order, reference = open_payment
    deliver(client, "sandbox", *sandbox_webhook(app, reference))
    headers = auth_headers(staff)
    share = order["total"]["amount"] * 6 // 10

    def refund(c):
        return c.post(
            f"/api/payments/{reference}/refunds/",
            json={"amount": share, "reason": "Damaged in transit"},
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        )

    results = race(app, [refund, refund])

    assert Counter(status for status, _ in results) == {201: 1, 422: 1}, results
    payment = payment_row(reference)
    assert payment.amount_refunded == share
    assert payment.status == "partially_refunded"
