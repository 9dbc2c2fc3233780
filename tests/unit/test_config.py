"""Configuration refuses to run production unsafely."""

from __future__ import annotations

import pytest

from config import DEV_SECRET_KEY, Production, config_from_env, database_url

SAFE = {
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://shop@db/sokoni",
    "REDIS_URL": "redis://cache:6379/0",
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET_KEY": "j" * 40,
}


def test_production_accepts_real_settings():
    Production.validate(SAFE)


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY}, "SECRET_KEY"),
        ({"JWT_SECRET_KEY": ""}, "JWT_SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "DATABASE_URL"),
    ],
)
def test_production_refuses_unsafe_settings(override, complaint):
    with pytest.raises(RuntimeError, match=complaint):
        Production.validate({**SAFE, **override})


def test_create_app_refuses_production_with_default_secrets():
    from app import create_app

    with pytest.raises(RuntimeError, match="Production configuration refused"):
        create_app(Production, SECRET_KEY=DEV_SECRET_KEY)


def test_postgres_urls_use_psycopg2():
    assert database_url("postgres://u@h/d") == "postgresql+psycopg2://u@h/d"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg2://u@h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_config_is_chosen_by_name(monkeypatch):
    monkeypatch.setenv("SOKONI_CONFIG", "production")
    assert config_from_env() is Production
    monkeypatch.setenv("SOKONI_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="Unknown SOKONI_CONFIG"):
        config_from_env()
