"""The Redis connection shared by the cache, the token blocklist and the job queues.

With ``REDIS_URL`` unset Sokoni runs "embedded": an in-process Redis stand-in
(fakeredis) serves the same API, so the code has one path and a newcomer needs no
services. Nothing stored there survives a restart, which is fine for development.
"""

from __future__ import annotations

import logging

import fakeredis
import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)

EXTENSION_KEY = "sokoni_redis"


def init_redis(app: Flask) -> redis.Redis:
    url = app.config.get("REDIS_URL")
    if url:
        timeout = app.config["REDIS_SOCKET_TIMEOUT"]
        client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, health_check_interval=30
        )
    else:
        client = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        if not app.testing:
            log.warning(
                "REDIS_URL is not set: using an in-process Redis stand-in for the cache and "
                "token blocklist, and running background jobs inline"
            )
    app.extensions[EXTENSION_KEY] = client
    return client


def get_redis() -> redis.Redis:
    """The current app's Redis client (real or in-process)."""
    return current_app.extensions[EXTENSION_KEY]


def is_embedded(app: Flask | None = None) -> bool:
    """True when no real Redis is configured."""
    return not (app or current_app).config.get("REDIS_URL")
