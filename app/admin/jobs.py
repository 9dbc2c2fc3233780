"""What the console knows of the RQ queues: queued, failed (with the error) and scheduled
jobs, and the two things staff may do with a job — retry a failed one, or delete one.

Reads go straight to RQ's own registries in Redis, so the page shows what the workers see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from rq.job import Job
from rq.queue import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from app.core.batched_jobs import waiting_count
from app.core.errors import NotFoundError, ValidationError
from app.core.jobs import get_queue

#: Jobs listed per queue and state; the counts are always complete.
PAGE = 50


@dataclass
class JobRow:
    id: str
    description: str
    created_at: datetime | None
    when: datetime | None = None  # enqueued, failed or scheduled at
    error: str | None = None


@dataclass
class QueueState:
    name: str
    queued_count: int
    failed_count: int
    scheduled_count: int
    batched_count: int  # small calls waiting for their queue's drain job (app.core.batched_jobs)
    queued: list[JobRow] = field(default_factory=list)
    failed: list[JobRow] = field(default_factory=list)
    scheduled: list[JobRow] = field(default_factory=list)


def queue_names() -> list[str]:
    return list(current_app.config["RQ_QUEUES"])


def _queue(name: str) -> Queue:
    if name not in queue_names():
        raise ValidationError(
            f"No queue {name!r}.", details={"queue": [f"One of {', '.join(queue_names())}."]}
        )
    return get_queue(name)


def _error(job: Job) -> str | None:
    """The last line of the failure's traceback: the exception and its message."""
    result = job.latest_result()
    text = (result.exc_string if result is not None else None) or job.exc_info or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:500] if lines else None


def _row(job: Job, when: datetime | None = None, *, failed: bool = False) -> JobRow:
    return JobRow(
        id=job.id,
        description=(job.description or job.func_name or "")[:200],
        created_at=job.created_at,
        when=when or job.ended_at or job.enqueued_at,
        error=_error(job) if failed else None,
    )


def _fetch(queue: Queue, ids: list[str]) -> list[Job]:
    return [job for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]


def queue_state(name: str) -> QueueState:
    queue = _queue(name)
    failed_registry = FailedJobRegistry(queue=queue)
    scheduled_registry = ScheduledJobRegistry(queue=queue)
    state = QueueState(
        name=name,
        queued_count=queue.count,
        failed_count=failed_registry.count,
        scheduled_count=scheduled_registry.count,
        batched_count=waiting_count(name),
    )
    state.queued = [_row(job) for job in _fetch(queue, queue.get_job_ids(0, PAGE))]
    state.failed = [_row(job, failed=True) for job in _fetch(queue, failed_registry.get_job_ids(0, PAGE - 1))]
    state.scheduled = [
        _row(job, scheduled_registry.get_scheduled_time(job))
        for job in _fetch(queue, scheduled_registry.get_job_ids(0, PAGE - 1))
    ]
    return state


def all_queues() -> list[QueueState]:
    return [queue_state(name) for name in queue_names()]


def retry(name: str, job_id: str) -> Job:
    """Put a failed job back at the end of its queue (a worker runs it again)."""
    registry = FailedJobRegistry(queue=_queue(name))
    if job_id not in registry.get_job_ids():
        raise NotFoundError("No such failed job in this queue.")
    return registry.requeue(job_id)


def delete(name: str, job_id: str) -> None:
    """Remove a job from its queue and every registry, for good."""
    queue = _queue(name)
    job = Job.fetch_many([job_id], connection=queue.connection)[0]
    if job is None or job.origin != name:
        raise NotFoundError("No such job in this queue.")
    job.delete(remove_from_queue=True)
