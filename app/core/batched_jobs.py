"""Small jobs run many to one RQ job: each is a list item, and one drain job runs the list.

An RQ job costs its worker more than a small job's own work: under the checkout load an
order e-mail was a fifth of its job's CPU and RQ's bookkeeping the rest (dequeuing, the
job's hash, its registries, its result: some 25 Redis commands). ``enqueue_batched``
instead appends the call to a Redis list and wakes a drain, which runs every call waiting.

Waking follows the webhook drain (``app.payments.services.webhook_service``): one
``SET NX`` flag per queue; the call that sets it schedules a ``drain`` job a second later
(``BATCH_WINDOW``: e-mails may wait that long), the others queue nothing, and the drain
clears the flag *before* it reads, so every call is either read by a drain already
running or wakes the next one. One drain runs a queue's list at a time (a lock; a drain
that finds it taken leaves the list to the holder, which looks again after letting go).
A call is removed from the list only once it has run, so a worker killed mid-call leaves
that one call to run again (at least once, as RQ's own jobs); the periodic ``drain_all``
picks up a list whose wake-up was lost. A call that raises gets an RQ job of its own,
retried with back-off like any other.

Inline (embedded, tests) a batched call is queued like any job: it runs at once.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from rq.utils import import_attribute

from app.core.jobs import enqueue, jobs_async, schedule_at, with_back_off
from app.core.models import utcnow
from app.core.redis_client import get_redis

log = logging.getLogger(__name__)

_PREFIX = "sokoni:batched:"
#: A flag older than this belongs to a drain lost before it started: the next call re-wakes.
WAKE_TTL_SECONDS = 60
#: A drain killed while holding the lock holds it no longer than this after its last call
#: (renewed after each; an e-mail's SMTP exchange times out after 10 s).
LOCK_TTL_SECONDS = 120
#: Calls read per round trip.
READ_AHEAD = 20
#: A drain's time, well inside RQ's job timeout (180 s); the next drain takes the rest.
DRAIN_BUDGET_SECONDS = 60
#: How long after the first call of a batch its drain runs, so that the calls of the next
#: second share one job. Queued at once, a drain under the checkout load found one call or
#: two: the worker kept up, and paid RQ's bookkeeping per e-mail all the same.
BATCH_WINDOW = timedelta(seconds=1)


def _keys(queue: str) -> tuple[str, str, str]:
    """The list of waiting calls, the wake flag and the drain lock of ``queue``."""
    return f"{_PREFIX}{queue}", f"{_PREFIX}{queue}:wake", f"{_PREFIX}{queue}:lock"


def enqueue_batched(func: Callable[..., Any], *args: Any, queue: str = "default") -> None:
    """Run ``func(*args)`` in a worker, batched with the others waiting (``args``: JSON)."""
    if not jobs_async():
        enqueue(func, *args, queue=queue)
        return
    waiting, wake, _lock = _keys(queue)
    pipeline = get_redis().pipeline(transaction=False)
    pipeline.rpush(waiting, json.dumps([f"{func.__module__}.{func.__qualname__}", list(args)]))
    pipeline.set(wake, 1, nx=True, ex=WAKE_TTL_SECONDS)
    _length, woke = pipeline.execute()
    if woke:
        schedule_at(utcnow() + BATCH_WINDOW, drain, queue, queue=queue, retry=with_back_off())


def drain(queue: str) -> int:
    """Run every waiting call of ``queue``, oldest first; returns how many ran.

    A drain stops after ``DRAIN_BUDGET_SECONDS`` and queues the next one for the rest, so a
    backlog (the SMTP server was down for an hour) never runs into RQ's job timeout.
    """
    waiting, wake, lock = _keys(queue)
    redis = get_redis()
    redis.delete(wake)
    ran, deadline = 0, time.monotonic() + DRAIN_BUDGET_SECONDS
    while True:
        token = uuid.uuid4().hex
        if not redis.set(lock, token, nx=True, ex=LOCK_TTL_SECONDS):
            return ran  # the holder looks at the list again after letting go (see the module)
        try:
            ran += _run_waiting(redis, waiting, lock, queue, deadline)
        finally:
            if redis.get(lock) == token.encode():
                redis.delete(lock)
        if not redis.llen(waiting):
            return ran
        if time.monotonic() >= deadline:
            enqueue(drain, queue, queue=queue)
            return ran


def _run_waiting(redis: Any, waiting: str, lock: str, queue: str, deadline: float) -> int:
    """Run the list's calls until it is empty or ``deadline`` has passed, holding the lock;
    each call is removed (and the lock renewed) once it has run."""
    ran = 0
    while items := redis.lrange(waiting, 0, READ_AHEAD - 1):
        for raw in items:
            ran += _run(raw, queue)
            pipeline = redis.pipeline(transaction=False)
            pipeline.lpop(waiting)
            pipeline.expire(lock, LOCK_TTL_SECONDS)
            pipeline.execute()
            if time.monotonic() >= deadline:
                return ran
    return ran


def _run(raw: bytes, queue: str) -> int:
    """Run one call; 1 if it ran. One that fails gets a job of its own, retried with back-off;
    one that cannot be read (written by another version) is logged and dropped."""
    try:
        path, args = json.loads(raw)
        func = import_attribute(path)
    except (ValueError, TypeError, AttributeError, ImportError):
        log.error("Batched job %r cannot be read; dropped", raw[:200])
        return 0
    try:
        with current_app.app_context():  # its own context and session, as each RQ job has
            func(*args)
    except Exception:
        log.exception("Batched job %s%r failed; it is retried by a job of its own", path, args)
        enqueue(func, *args, queue=queue)
        return 0
    return 1


def waiting_count(queue: str) -> int:
    """How many batched calls wait in ``queue`` (the console shows them beside RQ's jobs)."""
    return int(get_redis().llen(_keys(queue)[0]))


def drain_all() -> int:
    """Drain every queue's calls (the scheduler's safety net for a wake-up that was lost)."""
    return sum(drain(queue) for queue in current_app.config["RQ_QUEUES"])
