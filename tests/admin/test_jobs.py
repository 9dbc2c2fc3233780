"""The jobs view: queued, failed (with the error) and scheduled jobs; retry and delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from app.core.batched_jobs import enqueue_batched
from app.core.models import utcnow
from app.core.redis_client import get_redis
from tests.admin.conftest import csrf_token


def explode() -> None:
    raise RuntimeError("the courier API is down")


def relax() -> str:
    return "ok"


@pytest.fixture
def queue(app) -> Queue:
    """A real (asynchronous) queue on the test Redis, whatever JOBS_ASYNC says."""
    return Queue("default", connection=get_redis())


@pytest.fixture
def failed_job(queue):
    job = queue.enqueue(explode)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
    return job


def test_queued_failed_and_scheduled_jobs_are_listed(staff_client, queue, failed_job):
    waiting = queue.enqueue(relax)
    later = queue.enqueue_at(utcnow() + timedelta(hours=2), relax)
    page = staff_client.get("/admin/jobs/").get_data(as_text=True)
    assert "1 queued · 1 failed · 1 scheduled" in page
    assert waiting.id in page
    assert later.id in page
    assert failed_job.id in page
    assert "RuntimeError: the courier API is down" in page


def test_the_dashboard_counts_failed_jobs(staff_client, failed_job):
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert '<div class="value" id="failed-jobs">1</div>' in page


def test_retry_puts_a_failed_job_back_in_its_queue(staff_client, queue, failed_job):
    token = csrf_token(staff_client, "/admin/jobs/")
    data = {"queue": "default", "job_id": failed_job.id, "csrf_token": token}
    assert staff_client.post("/admin/jobs/retry/", data=data).status_code == 302
    assert failed_job.id not in FailedJobRegistry(queue=queue).get_job_ids()
    assert failed_job.id in queue.get_job_ids()


def test_delete_removes_a_job_for_good(staff_client, queue):
    later = queue.enqueue_at(utcnow() + timedelta(hours=2), relax)
    token = csrf_token(staff_client, "/admin/jobs/")
    staff_client.post(
        "/admin/jobs/delete/", data={"queue": "default", "job_id": later.id, "csrf_token": token}
    )
    assert ScheduledJobRegistry(queue=queue).count == 0


def test_unknown_jobs_and_queues_are_refused(staff_client, queue):
    token = csrf_token(staff_client, "/admin/jobs/")
    staff_client.post("/admin/jobs/retry/", data={"queue": "default", "job_id": "nope", "csrf_token": token})
    assert "No such failed job" in staff_client.get("/admin/jobs/").get_data(as_text=True)
    token = csrf_token(staff_client, "/admin/jobs/")
    staff_client.post("/admin/jobs/delete/", data={"queue": "secret", "job_id": "x", "csrf_token": token})
    assert "No queue" in staff_client.get("/admin/jobs/").get_data(as_text=True)


def test_job_actions_need_the_csrf_token_and_staff(client, staff_client, queue, failed_job):
    staff_client.post("/admin/jobs/retry/", data={"queue": "default", "job_id": failed_job.id})
    assert failed_job.id in FailedJobRegistry(queue=queue).get_job_ids()
    staff_client.post("/admin/logout/", data={"csrf_token": csrf_token(staff_client, "/admin/")})
    response = client.post("/admin/jobs/delete/", data={"queue": "default", "job_id": failed_job.id})
    assert "/admin/login/" in response.headers["Location"]
    assert failed_job.id in FailedJobRegistry(queue=queue).get_job_ids()


def test_batched_calls_waiting_are_counted_beside_their_drain_job(staff_client, app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_ASYNC", True)
    enqueue_batched(relax)
    enqueue_batched(relax)
    page = staff_client.get("/admin/jobs/").get_data(as_text=True)
    assert "0 queued · 0 failed · 1 scheduled · 2 batched calls waiting" in page  # 1: their drain
