"""Pooled connections the database cut: replaced unseen when idle, a 503 when in use.

``app.core.db_pool`` pings only connections that sat in the pool for
``DB_PING_IDLE_SECONDS``; these tests cut every pooled connection from the server side
(as a PostgreSQL restart does) and look at the next requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import pytest

from app.core import db_pool
from app.extensions import db
from tests.factories import VariantFactory

LIST = "/api/products/"


@pytest.fixture
def uncached(app, monkeypatch, postgres) -> Iterator[None]:
    monkeypatch.setitem(app.config, "CATALOG_CACHE_ENABLED", False)  # every list reads the database
    VariantFactory()
    yield
    db.engine.dispose()  # no cut connection left in the pool for the tests that follow


def cut_every_pooled_connection() -> None:
    """What a restart does to the pool: each of its server processes is terminated."""
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg2.connect(url) as admin, admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_a_connection_cut_while_idle_in_the_pool_is_replaced_unseen(app, client, uncached, monkeypatch):
    assert client.get(LIST).status_code == 200
    db.session.remove()  # every connection back in the pool
    cut_every_pooled_connection()
    later = db_pool.time.monotonic() + app.config["DB_PING_IDLE_SECONDS"]
    monkeypatch.setattr(db_pool.time, "monotonic", lambda: later)
    assert client.get(LIST).status_code == 200


def test_a_connection_cut_between_uses_costs_one_503_then_the_pool_is_fresh(client, uncached):
    assert client.get(LIST).status_code == 200
    db.session.remove()
    cut_every_pooled_connection()  # used a moment ago: not pinged
    response = client.get(LIST)
    assert response.status_code == 503
    assert response.json["error"]["code"] == "service_unavailable"
    assert response.headers["Retry-After"] == "1"
    assert client.get(LIST).status_code == 200
