"""Webhooks are applied by a coalescing drain, on PostgreSQL and a real Redis queue.

Deliveries go through the HTTP endpoint with jobs asynchronous, so they wait on the ``high``
queue; the queue is then run by the same worker class as ``flask worker``. Nothing of
Sokoni's is mocked, except where a test needs something to happen *during* a drain.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import responses
from rq.job import Job

from app.cli.worker import AppContextWorker
from app.core import batched_jobs
from app.core.jobs import get_queue
from app.core.mail import outbox
from app.core.money import Money
from app.core.redis_client import get_redis
from app.extensions import db
from app.orders.models import OrderEvent
from app.payments.gateways.registry import get_gateway
from app.payments.models import Transaction, WebhookEvent
from app.payments.services import settlement, webhook_service
from tests.api.payments_helpers import FLUTTERWAVE, deliver, pay, payment_row, place_order, sandbox_webhook

pytestmark = pytest.mark.usefixtures("postgres", "async_jobs")


@pytest.fixture
def async_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)


@pytest.fixture
def open_payments(client, payer, payment_gateways):
    """Three sandbox payments waiting for their webhooks (references)."""
    user, headers = payer
    orders = [place_order(client, user, headers) for _ in range(3)]
    return [pay(client, headers, order["number"], gateway="sandbox").json["reference"] for order in orders]


def run_worker(app) -> bool:
    """Run every queued job, as ``flask worker --burst``, then the batched calls (receipts)
    that the drain scheduled a second later would run; True if there was any."""
    worked = AppContextWorker(["high", "default"], connection=get_redis(), app=app).work(burst=True)
    return batched_jobs.drain_all() > 0 or worked


def queued(queue: str = "high") -> list[str]:
    return [job.func_name.rsplit(".", 1)[-1] for job in get_queue(queue).get_jobs()]


def outcomes() -> list[tuple[str, str | None, int]]:
    db.session.expire_all()
    events = db.session.scalars(db.select(WebhookEvent).order_by(WebhookEvent.id))
    return [(e.status, e.error, e.attempts) for e in events]


def paid_transitions() -> int:
    return db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(OrderEvent.to_status == "paid"))


def receipts() -> int:
    return len([m for m in outbox() if m.subject.startswith("Receipt")])


def test_a_burst_of_deliveries_queues_one_drain_that_applies_them_in_order(app, client, open_payments):
    first, second, third = open_payments
    unknown = get_gateway("sandbox", app.config).signed_webhook("PAY-UNKNOWN", "", Money(100, "NGN"), True)
    burst = [
        sandbox_webhook(app, first),
        sandbox_webhook(app, second),
        sandbox_webhook(app, first, approved=False),  # sent later than the success: late news
        sandbox_webhook(app, third, approved=False),
        unknown,
        sandbox_webhook(app, third),  # after its decline: the customer paid on a second try
    ]
    for body, headers in burst:
        assert deliver(client, "sandbox", body, headers).json == {"received": True, "duplicate": False}

    assert queued() == ["drain_webhooks"]
    assert outcomes() == [("received", None, 0)] * 6
    assert run_worker(app)

    assert outcomes() == [
        ("processed", None, 1),
        ("processed", None, 1),
        ("ignored", "ignored_late", 1),
        ("processed", None, 1),
        ("ignored", "unknown_payment", 1),
        ("processed", None, 1),
    ]
    assert [payment_row(r).status for r in open_payments] == ["succeeded", "succeeded", "succeeded"]
    assert paid_transitions() == 3
    assert receipts() == 3
    logged = db.session.scalars(
        db.select(Transaction.outcome).where(Transaction.kind == "webhook").order_by(Transaction.id)
    ).all()
    assert logged == ["succeeded", "succeeded", "ignored_late", "failed", "unknown_payment", "succeeded"]
    assert queued() == []
    assert run_worker(app) is False  # nothing left: each event applied exactly once


def test_a_delivery_arriving_while_a_drain_runs_is_not_lost(app, client, open_payments, monkeypatch):
    first, second, _third = open_payments
    assert deliver(client, "sandbox", *sandbox_webhook(app, first)).status_code == 200
    late = sandbox_webhook(app, second)
    seen_during_drain: list[list[str]] = []
    settle = settlement.settle

    def settle_after_a_delivery(*args, **kwargs):
        if not seen_during_drain:  # the drain has read its backlog: the next delivery lands now
            assert deliver(app.test_client(), "sandbox", *late).status_code == 200
            seen_during_drain.append(queued())
        return settle(*args, **kwargs)

    monkeypatch.setattr(settlement, "settle", settle_after_a_delivery)
    assert run_worker(app)

    assert seen_during_drain == [["drain_webhooks"]]  # the flag was cleared first: a new drain queued
    assert outcomes() == [("processed", None, 1), ("processed", None, 1)]
    assert payment_row(second).status == "succeeded"
    assert queued() == []


def test_two_drains_at_once_apply_each_event_once(app, client, open_payments):
    for reference in open_payments:
        for approved in (True, False, True):
            deliver(client, "sandbox", *sandbox_webhook(app, reference, approved=approved))
    barrier = threading.Barrier(2)
    applied: list[int] = []

    def drain():
        with app.app_context():
            barrier.wait()
            applied.append(webhook_service.drain())
            db.session.remove()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(applied) == 9
    assert [attempts for _status, _error, attempts in outcomes()] == [1] * 9
    assert db.session.scalar(db.select(db.func.count()).where(Transaction.kind == "webhook")) == 9
    assert paid_transitions() == 3
    batched_jobs.drain("default")  # the receipts (and order e-mails) wait for it
    assert sum(mail.subject.startswith("Receipt") for mail in outbox()) == 3


def flutterwave_payment(client, payer, gateway_http) -> tuple[str, int]:
    user, headers = payer
    order = place_order(client, user, headers)
    gateway_http.add(
        responses.POST,
        f"{FLUTTERWAVE}/v3/payments",
        json={"status": "success", "data": {"link": "https://f.test/x"}},
    )
    reference = pay(client, headers, order["number"], gateway="flutterwave").json["reference"]
    return reference, order["total"]["amount"]


def test_a_failing_event_is_retried_by_its_own_job_and_the_others_still_apply(
    app, client, payer, open_payments, gateway_http
):
    first, second, _third = open_payments
    reference, amount = flutterwave_payment(client, payer, gateway_http)
    major = f"{amount / 100:.2f}"
    claimed = {"id": 7, "tx_ref": reference, "status": "successful", "amount": major, "currency": "NGN"}
    verify = f"{FLUTTERWAVE}/v3/transactions/verify_by_reference"
    gateway_http.add(responses.GET, verify, status=503, json={"message": "down"})
    deliver(client, "sandbox", *sandbox_webhook(app, first))
    body = json.dumps({"event": "charge.completed", "data": claimed}).encode()
    assert deliver(client, "flutterwave", body, {"verif-hash": "flw-hash"}).status_code == 200
    deliver(client, "sandbox", *sandbox_webhook(app, second))

    assert run_worker(app)

    (ok, failed, also_ok) = outcomes()
    assert ok == also_ok == ("processed", None, 1)
    assert failed[0] == "failed"
    assert "GatewayError" in failed[1]
    assert payment_row(reference).status == "pending"
    failed_id = db.session.scalar(db.select(WebhookEvent.id).where(WebhookEvent.status == "failed"))
    scheduled = get_queue("high").scheduled_job_registry
    (job_id,) = scheduled.get_job_ids()
    job = Job.fetch(job_id, connection=get_redis())
    assert (job.func_name.rsplit(".", 1)[-1], job.args) == ("process_webhook", (failed_id,))
    assert (job.retries_left, job.retry_intervals) == (2, [60, 300])
    wait = scheduled.get_scheduled_time(job) - datetime.now(UTC)
    assert timedelta(seconds=5) < wait <= timedelta(seconds=10)

    gateway_http.replace(responses.GET, verify, json={"status": "success", "data": claimed})
    get_queue("high").enqueue_job(job)  # its time has come
    assert run_worker(app)

    assert outcomes()[1] == ("processed", None, 2)
    assert payment_row(reference).status == "succeeded"
    assert paid_transitions() == 3


def test_replays_still_have_exactly_one_effect(app, client, open_payments):
    reference = open_payments[0]
    body, headers = sandbox_webhook(app, reference)
    assert deliver(client, "sandbox", body, headers).json["duplicate"] is False
    assert deliver(client, "sandbox", body, headers).json["duplicate"] is True  # before the drain
    assert queued() == ["drain_webhooks"]

    assert run_worker(app)
    assert deliver(client, "sandbox", body, headers).json["duplicate"] is True  # after it

    assert queued() == []  # a replay of an applied event queues nothing
    assert outcomes() == [("processed", None, 1)]
    assert payment_row(reference).status == "succeeded"
    assert paid_transitions() == 1
    assert receipts() == 1
    duplicates = db.session.scalars(db.select(Transaction).where(Transaction.outcome == "duplicate")).all()
    assert len(duplicates) == 2
    assert {t.webhook_event_id for t in duplicates} == {db.session.scalar(db.select(WebhookEvent.id))}


def test_a_replay_wakes_a_drain_for_a_delivery_whose_wake_up_was_lost(app, client, open_payments):
    body, headers = sandbox_webhook(app, open_payments[0])
    deliver(client, "sandbox", body, headers)
    get_redis().flushdb()  # the queued drain and its flag are gone (Redis restarted empty)

    assert deliver(client, "sandbox", body, headers).json["duplicate"] is True
    assert queued() == ["drain_webhooks"]
    assert run_worker(app)
    assert outcomes() == [("processed", None, 1)]


def test_the_scheduler_drains_what_no_wake_up_reached(app, client, open_payments):
    deliver(client, "sandbox", *sandbox_webhook(app, open_payments[0]))
    get_redis().flushdb()  # and the provider never sends it again

    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])

    assert result.exit_code == 0, result.output
    assert "drain_webhooks: 1" in result.output
    assert outcomes() == [("processed", None, 1)]
