"""The committed migrations build exactly the models' schema, and run down and up again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.products.models import compared_with_models

ROOT = Path(__file__).resolve().parent.parent


def flask_db(url: str, *args: str) -> None:
    """Run ``flask db …`` as an operator would, against ``url``."""
    env = {**os.environ, "DATABASE_URL": url, "SOKONI_CONFIG": "development", "REDIS_URL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def schema_drift(url: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": compared_with_models}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_scratch_url(postgres) -> Iterator[str]:
    """An empty PostgreSQL database beside the test database, dropped afterwards."""
    base = sa.engine.make_url(db.engine.url)
    name = f"{base.database}_migrations"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_migrations_match_models_and_go_down_and_up(postgres_scratch_url):
    flask_db(postgres_scratch_url, "upgrade")
    assert schema_drift(postgres_scratch_url) == []
    flask_db(postgres_scratch_url, "downgrade", "base")
    engine = sa.create_engine(postgres_scratch_url)
    with engine.connect() as connection:
        leftover = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert leftover == set()
    flask_db(postgres_scratch_url, "upgrade")
    assert schema_drift(postgres_scratch_url) == []


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_sqlite_migrations_match_models(tmp_path):
    """SQLite cannot reflect the PostgreSQL-only full-text expression index; all else is compared."""
    url = f"sqlite:///{tmp_path / 'sokoni.db'}"
    flask_db(url, "upgrade")
    assert schema_drift(url) == []
