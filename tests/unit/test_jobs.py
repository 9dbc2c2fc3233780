"""Background jobs: queued on Redis when asynchronous, and run by ``flask worker``'s class."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from rq.worker.base import BaseWorker

from app.cli.worker import HEARTBEAT_SECONDS, AppContextWorker
from app.core.jobs import enqueue, get_queue, one_trip, schedule_at
from app.core.mail import deliver_mail, outbox
from app.core.models import utcnow
from app.core.redis_client import get_redis
from tests.factories import UserFactory


@pytest.fixture
def async_jobs(app):
    app.config["JOBS_ASYNC"] = True
    yield
    app.config["JOBS_ASYNC"] = False


def test_reset_mail_waits_for_a_worker_then_is_delivered_once(app, client, async_jobs):
    user = UserFactory(email="queued@example.com")
    response = client.post("/api/auth/password/reset/", json={"email": user.email})
    assert response.status_code == 202
    assert outbox() == []
    assert get_queue().count == 1

    worker = AppContextWorker(["default"], connection=get_redis(), app=app)
    assert worker.work(burst=True)
    assert [mail.to for mail in outbox()] == [user.email]
    assert get_queue().count == 0
    assert worker.work(burst=True) is False  # nothing left: delivered exactly once


def _queue_two(pipeline) -> None:
    """An e-mail now and one in an hour, as a placed order queues its e-mail and expiry."""
    later = utcnow() + timedelta(hours=1)
    enqueue(deliver_mail, "now@example.com", "Now", "Body", pipeline=pipeline)
    schedule_at(later, deliver_mail, "later@example.com", "Later", "Body", pipeline=pipeline)


def test_one_trip_sends_its_jobs_together_when_the_block_ends(app, async_jobs):
    with one_trip() as pipeline:
        _queue_two(pipeline)
        assert get_queue().count == 0  # nothing has reached Redis yet
    assert get_queue().count == 1
    assert get_queue().scheduled_job_registry.count == 1


def _fail_after_queueing_two() -> None:
    with one_trip() as pipeline:
        _queue_two(pipeline)
        raise RuntimeError("the caller failed before its jobs were sent")


def test_one_trip_sends_nothing_when_its_block_fails(app, async_jobs):
    with pytest.raises(RuntimeError):
        _fail_after_queueing_two()
    assert get_queue().count == 0
    assert get_queue().scheduled_job_registry.count == 0


def test_one_trip_runs_jobs_inline_when_they_are_not_async(app):
    with one_trip() as pipeline:
        assert pipeline is None
        _queue_two(pipeline)
    assert [mail.to for mail in outbox()] == ["now@example.com"]  # the scheduled one is left to sweeps


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "Root@Example.com", "--password", "Baobab-Tree-Shade-77"],
    )
    assert result.exit_code == 0, result.output
    assert "Created admin root@example.com" in result.output
    weak = app.test_cli_runner().invoke(
        args=["users", "create-admin", "--email", "x@example.com", "--password", "password"],
    )
    assert weak.exit_code != 0
    assert "policy" in weak.output


def test_scheduler_once_runs_every_periodic_job(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "expire_overdue_orders: 0" in result.output
    assert "purge_expired_keys: 0" in result.output


def test_the_worker_refreshes_its_key_at_most_once_a_second(app, async_jobs, monkeypatch):
    """RQ asks for a plain heartbeat three times around every job; one a second reaches Redis
    (a job's own beats, pipelined with its start and its end, count as refreshes too)."""
    plain_beats = []
    rq_heartbeat = BaseWorker.heartbeat

    def counted(worker, timeout=None, pipeline=None):
        if timeout is None and pipeline is None:
            plain_beats.append(timeout)
        return rq_heartbeat(worker, timeout, pipeline)

    monkeypatch.setattr(BaseWorker, "heartbeat", counted)
    for n in range(30):
        enqueue(deliver_mail, f"buyer{n}@example.com", "Placed", "Body")
    started = time.monotonic()
    assert AppContextWorker(["default"], connection=get_redis(), app=app).work(burst=True)
    seconds = time.monotonic() - started
    assert len(outbox()) == 30
    assert len(plain_beats) <= seconds / HEARTBEAT_SECONDS + 1  # without the throttle: 90
