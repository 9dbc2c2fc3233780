"""Background jobs: queued on Redis when asynchronous, and run by ``flask worker``'s class."""

from __future__ import annotations

import pytest

from app.cli.worker import AppContextWorker
from app.core.jobs import get_queue
from app.core.mail import outbox
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
