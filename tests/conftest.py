"""Fixtures: one app per session on PostgreSQL and Redis when ``TEST_DATABASE_URL`` and
``TEST_REDIS_URL`` are set (as in CI), else SQLite and an in-process Redis.

Tests commit for real (racing requests need real transactions), so every table is
emptied and Redis flushed after each test instead of rolling back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from app import create_app
from app.core.mail import outbox
from app.core.redis_client import get_redis
from app.extensions import db, limiter
from app.products.near_cache import near_cache
from config import Testing
from tests.factories import DEFAULT_PASSWORD, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    app = create_app(Testing)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture(autouse=True)
def _clean_state(app: Flask) -> Iterator[None]:
    yield
    db.session.rollback()
    db.session.remove()
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    get_redis().flushdb()
    near_cache().clear()  # this process's copy of what was just flushed
    limiter.reset()
    outbox().clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def postgres(app: Flask) -> None:
    """Require PostgreSQL; skipped without it, except in CI where a skip would hide a gap."""
    if db.engine.dialect.name != "postgresql":
        if IN_CI:
            pytest.fail("CI must run this test on PostgreSQL: set TEST_DATABASE_URL")
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


class QueryCounter:
    """Counts SQL statements sent while active; for N+1 guards."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as counter: ...`` then ``counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def customer():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def staff():
    return UserFactory(email="staff@example.com", role="staff")


@pytest.fixture
def admin():
    return UserFactory(email="boss@example.com", role="admin")


def login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD) -> dict:
    response = client.post("/api/auth/login/", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return response.json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth_headers(client: FlaskClient):
    """``auth_headers(user)`` → the Authorization header of a fresh login as ``user``."""

    def make(user) -> dict[str, str]:
        return bearer(login(client, user.email)["access"])

    return make
