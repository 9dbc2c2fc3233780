"""Sokoni: the application factory."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.admin import init_admin
from app.auth.sessions import register_jwt_callbacks
from app.cli import register_cli
from app.core.db_pool import ping_when_idle
from app.core.errors import register_error_handlers
from app.core.http import register_http_hooks
from app.core.logging import configure_logging
from app.core.nul_guard import document_no_nul, register_nul_guard
from app.core.prepared_statements import prepare_opted_in
from app.core.redis_client import init_redis
from app.core.swagger import register_swagger_assets
from app.extensions import api, cache, cors, db, jwt, limiter, migrate
from config import Config, config_from_env

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

#: Domain blueprints, in the order they appear in the OpenAPI document.
BLUEPRINTS = (
    "app.health.routes",
    "app.auth.routes",
    "app.products.routes",
    "app.cart.routes",
    "app.delivery.routes",
    "app.orders.routes",
    "app.payments.routes.payments",
    "app.payments.routes.webhooks",
    "app.payments.routes.refunds",
    "app.payments.routes.admin",
    "app.payments.routes.sandbox",
    "app.wishlist.routes",
    "app.reviews.routes",
    "app.support.faq_routes",
    "app.support.routes",
    "app.analytics.routes",
)


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build a configured app: extensions, blueprints, error handlers and CLI commands.

    ``overrides`` replace single settings (tests use it to switch features on and off).
    """
    config = config or config_from_env()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    app.config.update(overrides)
    config.validate(app.config)

    configure_logging(app)
    _init_sentry(app)
    _init_extensions(app)
    for module_name in BLUEPRINTS:
        api.register_blueprint(import_module(module_name).blp)
    register_http_hooks(app)
    register_nul_guard(app)
    register_error_handlers(app)
    register_cli(app)
    if count := app.config["TRUSTED_PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def _init_extensions(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["DB_PING_IDLE_SECONDS"])
        if app.config["DB_PREPARED_STATEMENTS"]:
            prepare_opted_in(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    redis_client = init_redis(app)
    app.config["CACHE_REDIS_HOST"] = redis_client  # cachelib accepts a client object as "host"
    cache.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    jwt.init_app(app)
    register_jwt_callbacks(app)
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": app.config["CORS_ALLOWED_ORIGINS"]}},
        expose_headers=["X-Request-ID", "X-Pagination", "X-Cart-Token", "ETag"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Cart-Token", "If-None-Match"],
        max_age=600,
    )
    api.init_app(app)
    # Before any blueprint is registered: schemas are converted as they are documented.
    api.ma_plugin.converter.add_attribute_function(document_no_nul)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    register_swagger_assets(app)
    init_admin(app)


def _init_sentry(app: Flask) -> None:
    """Report errors to Sentry when ``SENTRY_DSN`` is set; optional, off by default."""
    if dsn := app.config.get("SENTRY_DSN"):
        import sentry_sdk

        sentry_sdk.init(dsn=dsn, environment=app.config["ENV_NAME"], send_default_pii=False)
