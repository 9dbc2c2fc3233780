"""Configuration classes, chosen by ``SOKONI_CONFIG`` (or ``FLASK_ENV``).

Every value comes from the environment (or a ``.env`` file loaded by python-dotenv),
so the same code runs on a laptop, in CI and in production. ``Production`` refuses to
start with a missing or default secret: a shop must never sign tokens with a key that is
published in this repository.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

#: Secrets that ship in this repository for development; production must override them.
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"
DEV_JWT_SECRET_KEY = "dev-only-jwt-secret-key-never-use-in-production"
INSECURE_DEFAULT_SECRETS = frozenset({"", DEV_SECRET_KEY, DEV_JWT_SECRET_KEY, "change-me"})


def env(name: str, default: str = "") -> str:
    """Read one setting from the environment, stripped of surrounding blanks."""
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int) -> int:
    """Read an integer setting; a malformed value is a start-up error, not a silent default."""
    raw = env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean setting written as 1/0, true/false, yes/no or on/off."""
    raw = env(name).lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def env_rates(name: str, default: str) -> dict[str, int]:
    """Read ``NG:7.5,KE:16`` as basis points per country: ``{"NG": 750, "KE": 1600}``."""
    rates = {}
    for item in env_list(name, default):
        country, _, percent = item.partition(":")
        try:
            rates[country.strip().upper()] = round(float(percent) * 100)
        except ValueError as exc:
            raise RuntimeError(f"{name}: {item!r} is not COUNTRY:PERCENT") from exc
    return rates


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated list, dropping empty items."""
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def database_url(raw: str) -> str:
    """Pin PostgreSQL URLs to psycopg2 (SQLAlchemy 2.1 would otherwise pick psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg2://" + raw[len(prefix) :]
    return raw


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = env("SECRET_KEY", DEV_SECRET_KEY)
    JWT_SECRET_KEY = env("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY)

    # Database: an SQLite file in instance/ unless DATABASE_URL says otherwise.
    SQLALCHEMY_DATABASE_URI = (
        database_url(env("DATABASE_URL")) or f"sqlite:///{BASE_DIR / 'instance' / 'sokoni.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection unused this long is pinged before use (see app/core/db_pool.py).
    DB_PING_IDLE_SECONDS = float(env("DB_PING_IDLE_SECONDS", "1"))
    # The checkout's statements as server-side prepared statements on PostgreSQL (see
    # app/core/prepared_statements.py); off behind a pooler in transaction mode (PgBouncer).
    DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
    SQLALCHEMY_RECORD_QUERIES = False

    # Redis backs the cache, the token blocklist, rate limits and the job queues.
    # Empty means "embedded": an in-process Redis stand-in and jobs run inline.
    REDIS_URL = env("REDIS_URL")
    REDIS_SOCKET_TIMEOUT = float(env("REDIS_SOCKET_TIMEOUT", "0.5"))
    JOBS_ASYNC: bool | None = None  # None: asynchronous exactly when REDIS_URL is set
    RQ_QUEUES = ["high", "default", "low"]

    CACHE_TYPE = "RedisCache"
    CACHE_DEFAULT_TIMEOUT = env_int("CACHE_DEFAULT_TIMEOUT", 300)
    CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "sokoni:cache:")

    # Requests
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
    TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

    # JWT: short-lived access tokens, rotating refresh tokens.
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=env_int("JWT_REFRESH_DAYS", 14))
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "message"
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)  # KiB
    PASSWORD_RESET_MAX_AGE = env_int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_RESET_URL = env("PASSWORD_RESET_URL", "http://127.0.0.1:8000/reset-password?token={token}")

    # Idempotency-Key: how long an unfinished request holds its key, and how long keys live.
    IDEMPOTENCY_LOCK_SECONDS = env_int("IDEMPOTENCY_LOCK_SECONDS", 60)
    IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)

    # Rate limits (Flask-Limiter syntax); storage follows REDIS_URL.
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN_PER_IP = env("RATELIMIT_LOGIN_PER_IP", "20/minute")
    RATELIMIT_LOGIN_PER_EMAIL = env("RATELIMIT_LOGIN_PER_EMAIL", "5/minute")
    RATELIMIT_SENSITIVE = env("RATELIMIT_SENSITIVE", "10/minute")

    # E-mail: "console" logs the message; "smtp" sends it.
    MAIL_BACKEND = env("MAIL_BACKEND", "console")
    MAIL_DEFAULT_SENDER = env("MAIL_DEFAULT_SENDER", "Sokoni <no-reply@sokoni.test>")
    SMTP_HOST = env("SMTP_HOST", "localhost")
    SMTP_PORT = env_int("SMTP_PORT", 587)
    SMTP_USERNAME = env("SMTP_USERNAME")
    SMTP_PASSWORD = env("SMTP_PASSWORD")
    SMTP_USE_TLS = env_bool("SMTP_USE_TLS", True)

    # Cart: the most of one variant a cart may hold.
    CART_MAX_QUANTITY = env_int("CART_MAX_QUANTITY", 99)

    # Orders: VAT per country (percent) and whether catalog prices already include it;
    # minutes an unpaid order holds its stock (hours for bus-station pickup orders).
    VAT_RATES_BP = env_rates("VAT_RATES", "NG:7.5,KE:16,GH:15,UG:18,ZA:15,RW:18,TZ:18")
    PRICES_INCLUDE_TAX = env_bool("PRICES_INCLUDE_TAX", True)
    ORDER_PAYMENT_WINDOW_MINUTES = env_int("ORDER_PAYMENT_WINDOW_MINUTES", 30)
    ORDER_PICKUP_PAYMENT_WINDOW_HOURS = env_int("ORDER_PICKUP_PAYMENT_WINDOW_HOURS", 24)
    ORDER_NUMBER_PREFIX = env("ORDER_NUMBER_PREFIX", "SK")

    # Shop defaults
    DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", "NGN")
    DEFAULT_COUNTRY = env("DEFAULT_COUNTRY", "NG")

    # Catalog: response caching (seconds) and display rules. Writes invalidate at once;
    # the TTLs only bound how long an unused entry occupies Redis.
    CATALOG_CACHE_ENABLED = env_bool("CATALOG_CACHE_ENABLED", True)
    CATALOG_CACHE_TTL_PRODUCTS = env_int("CATALOG_CACHE_TTL_PRODUCTS", 600)
    CATALOG_CACHE_TTL_CATEGORIES = env_int("CATALOG_CACHE_TTL_CATEGORIES", 900)
    CATALOG_CACHE_TTL_PROMOTIONS = env_int("CATALOG_CACHE_TTL_PROMOTIONS", 300)
    CATALOG_CACHE_TTL_COLLECTIONS = env_int("CATALOG_CACHE_TTL_COLLECTIONS", 300)
    CATALOG_CACHE_LOCK_SECONDS = env_int("CATALOG_CACHE_LOCK_SECONDS", 10)  # one recompute per key
    CATALOG_CACHE_WAIT_SECONDS = float(env("CATALOG_CACHE_WAIT_SECONDS", "2"))  # others wait this long
    CATALOG_CACHE_RETRY_SECONDS = env_int("CATALOG_CACHE_RETRY_SECONDS", 15)  # bypass after a Redis error
    # Each process keeps recent entries and the generations it last read, trusting the
    # generations this long: other processes' writes show after at most this delay (this
    # process's own at once); 0 asks Redis on every request. Entries kept up to this size.
    CATALOG_CACHE_LOCAL_SECONDS = float(env("CATALOG_CACHE_LOCAL_SECONDS", "1"))
    CATALOG_CACHE_LOCAL_MB = env_int("CATALOG_CACHE_LOCAL_MB", 4)
    # Browsers and CDNs may reuse a response this long; then they revalidate with the ETag.
    CATALOG_HTTP_MAX_AGE = env_int("CATALOG_HTTP_MAX_AGE", 30)
    CATALOG_LOW_STOCK_THRESHOLD = env_int("CATALOG_LOW_STOCK_THRESHOLD", 5)
    CATALOG_COLLECTION_SIZE = env_int("CATALOG_COLLECTION_SIZE", 12)

    # --- Payments: gateways (app/payments/gateways) -------------------------------------
    # A gateway is offered only when it is named here AND every setting it requires is set.
    PAYMENTS_ENABLED_GATEWAYS = env_list(
        "PAYMENTS_ENABLED_GATEWAYS", "stripe,paystack,flutterwave,mtn_momo,pay_on_pickup"
    )
    # JSON list of {"gateway", "currencies"?, "countries"?, "methods"?}; empty: the built-in rules.
    PAYMENTS_ROUTING_RULES = env("PAYMENTS_ROUTING_RULES")
    PAYMENTS_HTTP_TIMEOUT = float(env("PAYMENTS_HTTP_TIMEOUT", "15"))  # seconds per provider call
    STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
    STRIPE_BASE_URL = env("STRIPE_BASE_URL", "https://api.stripe.com")
    STRIPE_MAX_NETWORK_RETRIES = env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
    PAYSTACK_SECRET_KEY = env("PAYSTACK_SECRET_KEY")
    PAYSTACK_BASE_URL = env("PAYSTACK_BASE_URL", "https://api.paystack.co")
    FLUTTERWAVE_SECRET_KEY = env("FLUTTERWAVE_SECRET_KEY")
    FLUTTERWAVE_WEBHOOK_HASH = env("FLUTTERWAVE_WEBHOOK_HASH")
    FLUTTERWAVE_WEBHOOK_SIGNATURE = env("FLUTTERWAVE_WEBHOOK_SIGNATURE", "verif-hash")  # or "hmac"
    FLUTTERWAVE_BASE_URL = env("FLUTTERWAVE_BASE_URL", "https://api.flutterwave.com")
    MOMO_BASE_URL = env("MOMO_BASE_URL", "https://sandbox.momodeveloper.mtn.com")
    MOMO_TARGET_ENVIRONMENT = env("MOMO_TARGET_ENVIRONMENT", "sandbox")
    MOMO_COLLECTION_SUBSCRIPTION_KEY = env("MOMO_COLLECTION_SUBSCRIPTION_KEY")
    MOMO_COLLECTION_API_USER = env("MOMO_COLLECTION_API_USER")
    MOMO_COLLECTION_API_KEY = env("MOMO_COLLECTION_API_KEY")
    MOMO_DISBURSEMENT_SUBSCRIPTION_KEY = env("MOMO_DISBURSEMENT_SUBSCRIPTION_KEY")
    MOMO_DISBURSEMENT_API_USER = env("MOMO_DISBURSEMENT_API_USER")
    MOMO_DISBURSEMENT_API_KEY = env("MOMO_DISBURSEMENT_API_KEY")
    SANDBOX_WEBHOOK_SECRET = env("SANDBOX_WEBHOOK_SECRET")
    SANDBOX_PAGE_URL = env("SANDBOX_PAGE_URL", "/api/payments/sandbox/{reference}/")
    # Base URL providers call back (MoMo, M-Pesa callbacks); empty: the URL of the request.
    PAYMENTS_PUBLIC_URL = env("PAYMENTS_PUBLIC_URL")
    # Reconciliation: poll payments pending this long; expire those pending this long.
    PAYMENTS_RECONCILE_AFTER_MINUTES = env_int("PAYMENTS_RECONCILE_AFTER_MINUTES", 15)
    PAYMENTS_PENDING_EXPIRY_MINUTES = env_int("PAYMENTS_PENDING_EXPIRY_MINUTES", 1440)
    # Fraud: scores at which a payment is held for review or blocked, and the rules' limits.
    PAYMENTS_FRAUD_REVIEW_SCORE = env_int("PAYMENTS_FRAUD_REVIEW_SCORE", 50)
    PAYMENTS_FRAUD_BLOCK_SCORE = env_int("PAYMENTS_FRAUD_BLOCK_SCORE", 80)
    PAYMENTS_FRAUD_VELOCITY_WINDOW_MINUTES = env_int("PAYMENTS_FRAUD_VELOCITY_WINDOW_MINUTES", 60)
    PAYMENTS_FRAUD_VELOCITY_LIMIT = env_int("PAYMENTS_FRAUD_VELOCITY_LIMIT", 5)
    PAYMENTS_FRAUD_AMOUNT_FACTOR = env_int("PAYMENTS_FRAUD_AMOUNT_FACTOR", 5)
    PAYMENTS_FRAUD_MAX_FAILURES = env_int("PAYMENTS_FRAUD_MAX_FAILURES", 3)
    PAYMENTS_FRAUD_COUNTRY_HEADER = env("PAYMENTS_FRAUD_COUNTRY_HEADER", "CF-IPCountry")
    PAYMENTS_FRAUD_DISPOSABLE_DOMAINS = env_list("PAYMENTS_FRAUD_DISPOSABLE_DOMAINS")
    # --- end of Payments ----------------------------------------------------------------

    # Wishlist, reviews and support
    WISHLIST_MAX_ITEMS = env_int("WISHLIST_MAX_ITEMS", 200)  # a wishlist is a list, not a catalog copy
    SUPPORT_EMAIL = env("SUPPORT_EMAIL", "support@sokoni.test")  # contact form and new tickets go here
    RATELIMIT_CONTACT = env("RATELIMIT_CONTACT", "5/hour")  # contact-form messages per client IP
    SUPPORT_REOPEN_DAYS = env_int("SUPPORT_REOPEN_DAYS", 14)  # a resolved ticket may be reopened this long
    SUPPORT_FAQ_CACHE_SECONDS = env_int("SUPPORT_FAQ_CACHE_SECONDS", 3600)  # staff edits clear it at once

    # Staff analytics (app/analytics): computed from the live tables, cached per parameters.
    REPORTING_CURRENCY = env("REPORTING_CURRENCY", "USD")  # every currency is also shown converted to it
    ANALYTICS_CACHE_SECONDS = env_int("ANALYTICS_CACHE_SECONDS", 600)  # a report is this stale at most
    ANALYTICS_DEFAULT_DAYS = env_int("ANALYTICS_DEFAULT_DAYS", 30)  # range when from/to are not given
    ANALYTICS_MAX_DAYS = env_int("ANALYTICS_MAX_DAYS", 731)  # longest range a report may cover

    # OpenAPI (flask-smorest); Swagger UI assets are served by Sokoni itself.
    API_TITLE = "Sokoni API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "api/openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "swagger/"
    OPENAPI_SWAGGER_UI_URL = "/swagger/assets/"
    OPENAPI_SWAGGER_UI_CONFIG = {"persistAuthorization": True}

    # Operator console (/admin/): times shown in the shop's IANA time zone; a login lasts
    # ADMIN_SESSION_HOURS in a cookie that is HttpOnly, SameSite=Lax, limited to /admin and
    # Secure whenever SESSION_COOKIE_SECURE is on (always in production).
    SHOP_TIMEZONE = env("SHOP_TIMEZONE", "Africa/Lagos")
    ADMIN_SESSION_HOURS = env_int("ADMIN_SESSION_HOURS", 8)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=ADMIN_SESSION_HOURS)
    SESSION_COOKIE_NAME = "sokoni_console"
    SESSION_COOKIE_PATH = "/admin"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    RATELIMIT_ADMIN_LOGIN = env("RATELIMIT_ADMIN_LOGIN", "10/minute")  # per IP and per e-mail

    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    LOG_JSON = env_bool("LOG_JSON", False)
    SENTRY_DSN = env("SENTRY_DSN")

    @staticmethod
    def validate(settings: Mapping[str, Any]) -> None:
        """Raise ``RuntimeError`` when ``settings`` cannot run safely; nothing to check by default."""


class Development(Config):
    """The default: runs with no services at all."""

    ENV_NAME = "development"
    DEBUG = False
    # Payments: the sandbox (no keys, approve/decline page) is on by default only here.
    PAYMENTS_ENABLED_GATEWAYS = env_list(
        "PAYMENTS_ENABLED_GATEWAYS", "sandbox,stripe,paystack,flutterwave,mtn_momo,pay_on_pickup"
    )
    SANDBOX_WEBHOOK_SECRET = env("SANDBOX_WEBHOOK_SECRET", "dev-only-sandbox-webhook-secret")


class Testing(Config):
    """The test suite: PostgreSQL and Redis when ``TEST_*`` URLs are given, else embedded."""

    ENV_NAME = "testing"
    TESTING = True
    SQLALCHEMY_DATABASE_URI = database_url(env("TEST_DATABASE_URL")) or "sqlite://"
    REDIS_URL = env("TEST_REDIS_URL")
    JOBS_ASYNC = False
    CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    MAIL_BACKEND = "memory"
    # Cheap hashing keeps the suite fast; production keeps the RFC 9106 defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    RATELIMIT_LOGIN_PER_IP = "50/minute"
    RATELIMIT_LOGIN_PER_EMAIL = "5/minute"


class Production(Config):
    """PostgreSQL, Redis and real secrets are mandatory; logs are JSON."""

    ENV_NAME = "production"
    LOG_JSON = env_bool("LOG_JSON", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_size": env_int("DB_POOL_SIZE", 10),
        "max_overflow": env_int("DB_MAX_OVERFLOW", 10),
    }

    @staticmethod
    def validate(settings: Mapping[str, Any]) -> None:
        problems = []
        if not str(settings.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
            problems.append("DATABASE_URL must point to PostgreSQL (postgresql://...)")
        if not settings.get("REDIS_URL"):
            problems.append("REDIS_URL must be set (redis://...)")
        for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
            value = settings.get(name) or ""
            if value in INSECURE_DEFAULT_SECRETS or len(value) < 32:
                problems.append(f"{name} must be set to a random value of at least 32 characters")
        if problems:
            raise RuntimeError("Production configuration refused: " + "; ".join(problems))


CONFIGS: dict[str, type[Config]] = {
    "development": Development,
    "testing": Testing,
    "production": Production,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by SOKONI_CONFIG (or FLASK_ENV), default Development."""
    name = (env("SOKONI_CONFIG") or env("FLASK_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"Unknown SOKONI_CONFIG {name!r}; choose one of {sorted(CONFIGS)}") from exc
