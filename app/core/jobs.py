"""Background jobs on RQ, or inline when Sokoni runs embedded.

Services call ``enqueue`` and never care which: in production a worker started with
``flask worker`` runs the job inside an application context; embedded (and in tests)
the job runs before ``enqueue`` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app
from redis.client import Pipeline
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


@contextmanager
def one_trip() -> Iterator[Pipeline | None]:
    """A pipeline for ``enqueue`` and ``schedule_at`` that sends their jobs in one Redis round
    trip when the block ends (each alone takes one or two); nothing is sent if it raises.

    ``None`` when jobs run inline: each then runs (or is skipped) as it is queued.
    """
    if not jobs_async():
        yield None
        return
    pipeline = get_redis().pipeline()
    yield pipeline
    pipeline.execute()


def enqueue(
    func: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    pipeline: Pipeline | None = None,
    **kwargs: Any,
) -> Job:
    """Queue ``func(*args, **kwargs)``; retried three times, with back-off, when async."""
    retry = Retry(max=len(RETRY_INTERVALS), interval=list(RETRY_INTERVALS))
    return get_queue(queue).enqueue(func, *args, retry=retry, pipeline=pipeline, **kwargs)


def schedule_at(
    when: datetime,
    func: Callable[..., Any],
    *args: Any,
    queue: str = "default",
    retry: Retry | None = None,
    pipeline: Pipeline | None = None,
) -> Job | None:
    """Run ``func(*args)`` at ``when`` via the worker's scheduler (then retried per ``retry``).

    Embedded (no Redis) nothing is scheduled: the periodic sweeps of ``flask scheduler``
    (or their CLI commands) do that work instead of a job firing at once.
    """
    if not jobs_async():
        return None
    return get_queue(queue).enqueue_at(when, func, *args, retry=retry, pipeline=pipeline)
