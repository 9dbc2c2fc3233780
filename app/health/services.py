"""Readiness checks of the services Sokoni depends on."""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.jobs import get_queue, jobs_async
from app.core.redis_client import get_redis, is_embedded
from app.extensions import db

log = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "ok", "dialect": db.engine.dialect.name}
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.warning("Readiness: database unreachable: %s", exc)
        return {"status": "down", "error": type(exc).__name__}


def check_redis() -> dict[str, Any]:
    if is_embedded():
        return {"status": "ok", "mode": "embedded"}
    try:
        get_redis().ping()
        return {"status": "ok", "mode": "redis"}
    except RedisError as exc:
        log.warning("Readiness: Redis unreachable: %s", exc)
        return {"status": "down", "error": type(exc).__name__}


def check_queue() -> dict[str, Any]:
    """Queue depth and worker count; informative only, a busy queue is not "not ready"."""
    if not jobs_async():
        return {"status": "ok", "mode": "inline"}
    try:
        queue = get_queue()
        return {"status": "ok", "queued": queue.count, "workers": Worker.count(connection=queue.connection)}
    except RedisError as exc:
        return {"status": "down", "error": type(exc).__name__}


def readiness() -> tuple[bool, dict[str, Any]]:
    """(ready, report): ready when the database and Redis both answer."""
    checks = {"database": check_database(), "redis": check_redis(), "queue": check_queue()}
    ready = checks["database"]["status"] == "ok" and checks["redis"]["status"] == "ok"
    return ready, {"status": "ok" if ready else "unavailable", "checks": checks}
