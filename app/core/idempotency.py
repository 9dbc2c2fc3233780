"""``Idempotency-Key`` for the POSTs that create orders, payments and refunds.

A retried request must have exactly one effect. The first request with a key claims it
by inserting a row (unique per caller and key) in a transaction of its own; its 2xx
response is stored and replayed to every retry with the same body. The same key with
another body is a 409; a retry arriving while the first is still running is a 409 too
(try again shortly). A failed request releases its key, since services roll back and
nothing happened. Services that create something also store the key on what they create,
under a unique constraint, so even a crash between their commit and the response being
stored cannot produce a second order or payment.

A view may leave its writes uncommitted (checkout does): its response is then stored in
the same transaction and committed with them, one commit instead of two, and what it
wrote never exists without the response a retry replays. What must wait for that commit
(jobs) is deferred with ``transactions.after_commit``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_jwt_extended import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import AppError, ConflictError, ErrorCode
from app.core.models import UTCDateTime, utcnow
from app.core.prepared_statements import prepared
from app.core.transactions import commit, commit_keeping, rollback
from app.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class IdempotencyKey(db.Model):
    """One claimed key: who, for which endpoint and body, and the response to replay."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH), nullable=False)
    endpoint: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    request_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[Any | None] = mapped_column(sa.JSON)
    created_at: Mapped[Any] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("scope", "key"),
        sa.Index("ix_idempotency_keys_created_at", "created_at"),
    )


class IdempotencyKeyRequired(AppError):
    """400, as the IETF Idempotency-Key draft says for a required header that is missing."""

    status = 400
    code = ErrorCode.IDEMPOTENCY_KEY_REQUIRED
    message = f"This request needs an {HEADER} header (a unique value per operation, e.g. a UUID)."


def _scope() -> str:
    return f"user:{current_user.id}"


def _fingerprint() -> str:
    """Hash of the endpoint and the body, with JSON key order and spacing ignored."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


#: Claims, records and releases are single-row Core statements on the table, built once
#: with their values bound by name: no unit of work, no synchronising of loaded objects (no
#: key is loaded then), no statement built and keyed for SQLAlchemy's cache per request.
_KEYS: sa.Table = IdempotencyKey.__table__
_CLAIM = prepared(sa.insert(_KEYS))
_THIS_KEY = sa.and_(_KEYS.c.scope == sa.bindparam("this_scope"), _KEYS.c.key == sa.bindparam("this_key"))
_RECORD = prepared(sa.update(_KEYS).where(_THIS_KEY))
_RELEASE = prepared(sa.delete(_KEYS).where(_THIS_KEY))


def _this_key(scope: str, key: str) -> dict[str, str]:
    """The values of ``_THIS_KEY`` (the columns' own names are taken by INSERT and UPDATE)."""
    return {"this_scope": scope, "this_key": key}


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Insert the key; ``None`` when claimed now, else the existing row (in its own transaction).

    The claim's transaction writes nothing but the key, so what the request loaded before
    it (the signed-in user) is kept rather than read again by the view.
    """
    loaded = list(db.session.identity_map.values())
    claim = {"scope": scope, "key": key, "endpoint": request.path, "request_hash": fingerprint}
    try:
        db.session.execute(_CLAIM, claim)
        commit_keeping(loaded)
        return None
    except IntegrityError:
        db.session.rollback()
    return db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )


def _stale(row: IdempotencyKey) -> bool:
    """An unfinished claim older than this is from a crashed request: it may be retried."""
    timeout = timedelta(seconds=current_app.config["IDEMPOTENCY_LOCK_SECONDS"])
    return row.response_status is None and row.created_at < utcnow() - timeout


def _existing_outcome(row: IdempotencyKey, fingerprint: str) -> Response | None:
    if row.request_hash != fingerprint:
        raise ConflictError(
            f"This {HEADER} was already used with another request.", code=ErrorCode.IDEMPOTENCY_KEY_REUSED
        )
    if row.response_status is not None:
        response = current_app.response_class(
            json.dumps(row.response_body), status=row.response_status, mimetype="application/json"
        )
        response.headers[REPLAY_HEADER] = "true"
        return response
    if _stale(row):
        row.created_at = utcnow()
        db.session.commit()
        return None
    raise ConflictError(
        "A request with this key is still being processed; retry shortly.",
        code=ErrorCode.IDEMPOTENCY_IN_PROGRESS,
        headers={"Retry-After": "1"},
    )


def _release(scope: str, key: str) -> None:
    """Undo what the view left uncommitted, then free the key."""
    rollback()
    db.session.execute(_RELEASE, _this_key(scope, key))
    db.session.commit()


def _record(scope: str, key: str, response: Response) -> None:
    """Store the response, committing it with whatever the view left uncommitted."""
    outcome = {"response_status": response.status_code, "response_body": response.get_json(silent=True)}
    db.session.execute(_RECORD, _this_key(scope, key) | outcome)
    commit()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a view replay-safe; place it under ``login_required`` and above ``arguments``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER, "").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise IdempotencyKeyRequired()
        scope, fingerprint = _scope(), _fingerprint()
        existing = _claim(scope, key, fingerprint)
        if existing is not None and (replay := _existing_outcome(existing, fingerprint)) is not None:
            return replay
        try:
            response = current_app.make_response(view(*args, **kwargs))
            succeeded = response.status_code < 300
            if succeeded:
                # Under the try, as the view: if the commit fails nothing was written, and
                # if a deferred job fails after it, the created row is found by its key.
                _record(scope, key, response)
        except BaseException:
            _release(scope, key)
            raise
        if not succeeded:
            _release(scope, key)
        return response

    return wrapper


def purge_expired_keys() -> int:
    """Forget keys older than ``IDEMPOTENCY_TTL_HOURS`` (a periodic job); returns how many."""
    cutoff = utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_TTL_HOURS"])
    deleted = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
    db.session.commit()
    return deleted
