"""JWT sessions: issuing token pairs, rotation, revocation and the request-time checks.

Every pair shares a session id (``sid``). Logging out revokes the session, which kills
the access and refresh tokens together. A refresh token is single-use: rotating it marks
its ``jti`` as used with an atomic ``SET NX``, so two racing refreshes cannot both win,
and presenting a used one again revokes the whole session (OAuth 2.0 Security BCP:
refresh-token reuse means theft). Password changes bump ``User.token_epoch``, which
every token carries as ``ep``; a mismatch is refused.
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_jwt_extended import create_access_token, create_refresh_token

from app.auth.models import User
from app.core.errors import AuthenticationError, ErrorCode, error_response
from app.core.prepared_statements import prepared
from app.core.redis_client import get_redis
from app.extensions import db, jwt

_PREFIX = "sokoni:revoked:"
ROTATED = b"rotated"
REVOKED = b"revoked"


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int  # seconds of life of the access token


def issue_tokens(user: User, session_id: str | None = None) -> TokenPair:
    """A fresh access/refresh pair for ``user`` in a (new or continuing) session."""
    claims = {"sid": session_id or uuid.uuid4().hex, "ep": user.token_epoch}
    identity = str(user.id)
    lifetime = current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]
    return TokenPair(
        access=create_access_token(identity, additional_claims=claims),
        refresh=create_refresh_token(identity, additional_claims=claims),
        expires_in=int(lifetime.total_seconds()),
    )


def _ttl(payload: dict[str, Any]) -> int:
    """Seconds until ``payload`` expires anyway; the blocklist need not remember longer."""
    return max(int(payload["exp"] - time.time()), 1)


def revoke_session(payload: dict[str, Any]) -> None:
    """Revoke every token of the session ``payload`` belongs to, until its refresh expires."""
    ttl = int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds())
    get_redis().set(_PREFIX + "sid:" + payload["sid"], REVOKED, ex=ttl)


def revoke_token(payload: dict[str, Any]) -> None:
    get_redis().set(_PREFIX + payload["jti"], REVOKED, ex=_ttl(payload))


def claim_refresh_token(payload: dict[str, Any]) -> None:
    """Mark a refresh token used, exactly once; a second use revokes its session."""
    redis = get_redis()
    if redis.exists(_PREFIX + "sid:" + payload["sid"]):
        raise AuthenticationError("The session has ended.", code=ErrorCode.TOKEN_REVOKED)
    if redis.set(_PREFIX + payload["jti"], ROTATED, nx=True, ex=_ttl(payload)):
        return
    revoke_session(payload)
    raise AuthenticationError("This refresh token was already used.", code=ErrorCode.TOKEN_REVOKED)


def is_revoked(payload: dict[str, Any]) -> bool:
    redis = get_redis()
    keys = [_PREFIX + payload["jti"]]
    if "sid" in payload:
        keys.append(_PREFIX + "sid:" + payload["sid"])
    return redis.exists(*keys) > 0


@functools.cache
def _user_statement() -> sa.Select:
    """Built once: every authenticated request runs it, and ``Session.get`` builds and keys
    a new select for each identity it misses (a new session per request always misses)."""
    return prepared(sa.select(User).where(User.id == sa.bindparam("user_id")))


def load_active_user(payload: dict[str, Any]) -> User | None:
    """The token's user if still active and the token is of the user's current epoch."""
    try:
        user_id = int(payload["sub"])
    except (KeyError, TypeError, ValueError):
        return None
    user = db.session.scalars(_user_statement(), {"user_id": user_id}).first()
    if user is None or not user.is_active or payload.get("ep") != user.token_epoch:
        return None
    return user


def _unauthorized(code: ErrorCode, message: str):
    return error_response(401, code, message, headers={"WWW-Authenticate": "Bearer"})


def register_jwt_callbacks(app: Flask) -> None:
    """Wire flask-jwt-extended to the blocklist, the user loader and our error envelope."""

    jwt.token_in_blocklist_loader(lambda _header, payload: is_revoked(payload))
    jwt.user_lookup_loader(lambda _header, payload: load_active_user(payload))

    @jwt.unauthorized_loader
    def missing_token(reason: str):
        return _unauthorized(ErrorCode.AUTHENTICATION_REQUIRED, "A bearer token is required.")

    @jwt.invalid_token_loader
    def invalid_token(reason: str):
        return _unauthorized(ErrorCode.INVALID_TOKEN, f"The token is invalid: {reason}.")

    @jwt.expired_token_loader
    def expired_token(_header, _payload):
        return _unauthorized(ErrorCode.TOKEN_EXPIRED, "The token has expired.")

    @jwt.revoked_token_loader
    def revoked_token(_header, _payload):
        return _unauthorized(ErrorCode.TOKEN_REVOKED, "The token has been revoked.")

    @jwt.user_lookup_error_loader
    def unknown_user(_header, _payload):
        return _unauthorized(ErrorCode.INVALID_TOKEN, "The account is inactive or the token is stale.")

    @jwt.token_verification_failed_loader
    def failed_verification(_header, _payload):
        return _unauthorized(ErrorCode.INVALID_TOKEN, "The token could not be verified.")
