"""Background jobs: queued on Redis when asynchronous, and run by ``flask worker``'s class."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from rq.worker.base import BaseWorker

from app.cli.worker import HEARTBEAT_SECONDS, AppContextWorker
from app.core import batched_jobs
from app.core import mail as app_mail
from app.core.batched_jobs import drain, drain_all, enqueue_batched, waiting_count
from app.core.jobs import enqueue, get_queue
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


def flaky(to: str) -> None:
    """A batched call that fails for one address."""
    if to == "bounce@example.com":
        raise RuntimeError("mailbox unavailable")
    deliver_mail(to, "Hello", "Body")


def interrupted(to: str) -> None:
    """A call during which the worker is killed (not an error the drain catches)."""
    raise KeyboardInterrupt


def scheduled_drains() -> list[tuple[str, tuple, datetime]]:
    """The drain jobs scheduled: function, arguments and when (RQ keeps whole seconds)."""
    registry = get_queue().scheduled_job_registry
    jobs = [get_queue().fetch_job(job_id) for job_id in registry.get_job_ids()]
    return [(job.func_name, job.args, registry.get_scheduled_time(job)) for job in jobs]


def test_batched_calls_share_one_drain_job_a_second_later_that_runs_each_once(app, async_jobs):
    before = utcnow()
    for to in ("a@example.com", "b@example.com", "c@example.com"):
        enqueue_batched(deliver_mail, to, "Hello", "Body")
    after = utcnow()
    assert outbox() == []
    ((func_name, args, when),) = scheduled_drains()
    assert (func_name, args) == ("app.core.batched_jobs.drain", ("default",))
    assert before < when <= after + timedelta(seconds=1)  # a second after the first call, truncated
    assert waiting_count("default") == 3

    assert drain("default") == 3  # what that job runs
    assert [mail.to for mail in outbox()] == ["a@example.com", "b@example.com", "c@example.com"]
    assert waiting_count("default") == 0
    assert drain("default") == 0  # nothing left: each delivered exactly once


def test_a_call_queued_while_the_drain_runs_is_run_and_wakes_the_next_drain(app, async_jobs, monkeypatch):
    """The drain clears its wake-up flag before it reads: a call queued meanwhile either is
    read by it or queues the next drain, never waits for a wake-up that never comes."""
    calls = []

    def deliver_and_queue_another(to, subject, body):
        calls.append(to)
        if to == "first@example.com":
            enqueue_batched(deliver_mail, "second@example.com", "Hello", "Body")

    monkeypatch.setattr(app_mail, "deliver_mail", deliver_and_queue_another)
    enqueue_batched(deliver_mail, "first@example.com", "Hello", "Body")
    assert len(scheduled_drains()) == 1
    assert drain("default") == 2
    assert calls == ["first@example.com", "second@example.com"]
    assert len(scheduled_drains()) == 2  # the second call woke the next drain
    assert drain("default") == 0  # which finds the list empty


def test_a_failing_call_gets_a_retried_job_of_its_own_and_the_others_run(app, async_jobs):
    for to in ("a@example.com", "bounce@example.com", "c@example.com"):
        enqueue_batched(flaky, to)
    assert drain("default") == 2
    assert [mail.to for mail in outbox()] == ["a@example.com", "c@example.com"]
    (retry,) = get_queue().get_jobs()
    assert retry.func_name == f"{__name__}.flaky"
    assert (retry.args, retry.retries_left) == (("bounce@example.com",), 3)


def test_a_call_leaves_the_list_only_once_it_has_run(app, async_jobs):
    enqueue_batched(interrupted, "a@example.com")
    enqueue_batched(deliver_mail, "b@example.com", "Hello", "Body")
    with pytest.raises(KeyboardInterrupt):
        drain("default")  # the worker dies during the first call
    assert waiting_count("default") == 2
    assert outbox() == []


def test_a_call_that_cannot_be_read_is_dropped_and_the_rest_run(app, async_jobs, caplog):
    get_redis().rpush("sokoni:batched:default", b"not json", b'["app.nowhere.nothing", []]')
    enqueue_batched(deliver_mail, "a@example.com", "Hello", "Body")
    assert drain("default") == 1
    assert [mail.to for mail in outbox()] == ["a@example.com"]
    assert waiting_count("default") == 0
    assert caplog.text.count("cannot be read; dropped") == 2


def test_a_drain_leaves_the_list_to_the_one_running(app, async_jobs):
    enqueue_batched(deliver_mail, "a@example.com", "Hello", "Body")
    get_redis().set("sokoni:batched:default:lock", "another drain", ex=60)
    assert drain("default") == 0
    assert waiting_count("default") == 1
    get_redis().delete("sokoni:batched:default:lock")
    assert drain_all() == 1  # the scheduler's sweep, had that drain died


def test_a_drain_out_of_time_queues_the_next_for_the_rest(app, async_jobs, monkeypatch):
    monkeypatch.setattr(batched_jobs, "DRAIN_BUDGET_SECONDS", 0)
    for to in ("a@example.com", "b@example.com"):
        enqueue_batched(deliver_mail, to, "Hello", "Body")
    assert drain("default") == 1
    assert [job.func_name for job in get_queue().get_jobs()] == ["app.core.batched_jobs.drain"]
    assert waiting_count("default") == 1


def test_batched_calls_run_at_once_when_jobs_are_not_async(app):
    enqueue_batched(deliver_mail, "now@example.com", "Hello", "Body")
    assert [mail.to for mail in outbox()] == ["now@example.com"]
    assert waiting_count("default") == 0


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
