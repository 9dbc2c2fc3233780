"""Liveness and readiness probes."""

from __future__ import annotations

import redis

from app.core import redis_client


def test_liveness(client):
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readiness_reports_each_dependency(client):
    response = client.get("/api/health/ready/")
    assert response.status_code == 200
    checks = response.json["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["redis"]["status"] == "ok"
    assert checks["queue"]["status"] == "ok"


def test_readiness_is_503_when_redis_is_down(app, client):
    real = app.extensions[redis_client.EXTENSION_KEY]
    original_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions[redis_client.EXTENSION_KEY] = redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
    )
    try:
        response = client.get("/api/health/ready/")
    finally:
        app.extensions[redis_client.EXTENSION_KEY] = real
        app.config["REDIS_URL"] = original_url
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["redis"]["status"] == "down"
    assert response.json["checks"]["database"]["status"] == "ok"
