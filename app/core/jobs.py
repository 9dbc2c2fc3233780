"""Background jobs on RQ, or inline when Sokoni runs embedded.

Services call ``enqueue`` and never care which: in production a worker started with
``flask worker`` runs the job inside an application context; embedded (and in tests)
the job runs before ``enqueue`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from rq import Queue, Retry
from rq.job import Job

from app.core.redis_client import get_redis


def jobs_async() -> bool:
    configured = current_app.config.get("JOBS_ASYNC")
    return bool(current_app.config.get("REDIS_URL")) if configured is None else bool(configured)


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=get_redis(), is_async=jobs_async())


#: Seconds before each retry of a failed job.
RETRY_INTERVALS = (10, 60, 300)


def with_back_off() -> Retry:
    """Three retries, ``RETRY_INTERVALS`` apart: every job's unless it says otherwise."""
    return Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS))


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    **kwargs: Any,
) -> Job:
    """Queue ``func(*args, **kwargs)``; retried three times, with back-off, when async."""
    return get_queue(queue).enqueue(func, *args, retry=with_back_off(), **kwargs)


def schedule_at(
    when: datetime,
    func: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    retry: Retry | None = None,
) -> Job | None:
    """Run ``func(*args)`` at ``when`` via the worker's scheduler (then retried per ``retry``).

    Embedded (no Redis) nothing is scheduled: the periodic sweeps of ``flask scheduler``
    (or their CLI commands) do that work instead of a job firing at once.
    """
    if not jobs_async():
        return None
    return get_queue(queue).enqueue_at(when, func, *args, retry=retry)
