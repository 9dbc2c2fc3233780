"""Account rules: registration, login, sessions, profiles, passwords and staff accounts.

Plain functions, callable from routes, CLI commands and jobs alike; each one owns its
transaction and raises ``AppError`` subclasses, never HTTP exceptions.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import current_app
from flask_jwt_extended import decode_token
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from jwt import ExpiredSignatureError, InvalidTokenError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import passwords
from app.auth.models import Profile, User
from app.auth.sessions import (
    TokenPair,
    claim_refresh_token,
    issue_tokens,
    load_active_user,
    revoke_session,
    revoke_token,
)
from app.auth.signals import user_logged_in
from app.core.errors import (
    AuthenticationError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    ValidationError,
)
from app.core.mail import send_mail
from app.core.permissions import Role
from app.extensions import db

log = logging.getLogger(__name__)

_RESET_SALT = "sokoni.password-reset"
PROFILE_FIELDS = ("full_name", "phone", "country", "preferred_currency")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def create_user(
    email: str,
    password: str,
    *,
    role: str = Role.CUSTOMER,
    profile: Mapping[str, Any] | None = None,
) -> User:
    """Create an account after checking the password policy; 409 if the e-mail is taken."""
    email = normalise_email(email)
    passwords.check_policy(password, email=email)
    if find_user_by_email(email) is not None:
        raise ConflictError("An account with this e-mail already exists.", code=ErrorCode.EMAIL_TAKEN)
    user = User(email=email, password_hash=passwords.hash_password(password), role=Role(role).value)
    user.profile = Profile(**{key: value for key, value in (profile or {}).items() if key in PROFILE_FIELDS})
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent registration took the e-mail first
        db.session.rollback()
        raise ConflictError(
            "An account with this e-mail already exists.", code=ErrorCode.EMAIL_TAKEN
        ) from exc
    return user


def register(email: str, password: str, **profile: Any) -> User:
    """Self-service sign-up: always a customer."""
    return create_user(email, password, role=Role.CUSTOMER, profile=profile)


def authenticate(email: str, password: str) -> User:
    """The user these credentials belong to; one error for every failure, to reveal nothing."""
    user = find_user_by_email(email)
    if not passwords.verify_password(user.password_hash if user else None, password) or not user.is_active:
        raise AuthenticationError("E-mail or password is incorrect.", code=ErrorCode.INVALID_CREDENTIALS)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def login(email: str, password: str, cart_token: str | None = None) -> TokenPair:
    """Tokens for valid credentials; subscribers (the cart) hear of the login."""
    user = authenticate(email, password)
    user_logged_in.send(current_app._get_current_object(), user=user, cart_token=cart_token)
    return issue_tokens(user)


def refresh_session(refresh_token: str) -> TokenPair:
    """Rotate a refresh token: the presented one dies, a new pair in the same session is born."""
    payload = _decode(refresh_token)
    if payload.get("type") != "refresh":
        raise AuthenticationError("A refresh token is required.", code=ErrorCode.INVALID_TOKEN)
    user = load_active_user(payload)
    if user is None:
        raise AuthenticationError(
            "The account is inactive or the token is stale.", code=ErrorCode.INVALID_TOKEN
        )
    claim_refresh_token(payload)
    return issue_tokens(user, session_id=payload["sid"])


def logout(access_payload: Mapping[str, Any], refresh_token: str | None = None) -> None:
    """Revoke the caller's session (access and refresh), and a refresh token they hand in."""
    revoke_token(dict(access_payload))
    revoke_session(dict(access_payload))
    if refresh_token:
        payload = _decode(refresh_token)
        if payload.get("sub") == access_payload.get("sub") and "sid" in payload:
            revoke_session(payload)


def _decode(token: str) -> dict[str, Any]:
    try:
        return decode_token(token)
    except ExpiredSignatureError as exc:
        raise AuthenticationError("The token has expired.", code=ErrorCode.TOKEN_EXPIRED) from exc
    except InvalidTokenError as exc:
        raise AuthenticationError("The token is invalid.", code=ErrorCode.INVALID_TOKEN) from exc


def update_profile(user: User, changes: Mapping[str, Any]) -> User:
    for key, value in changes.items():
        if key in PROFILE_FIELDS:
            setattr(user.profile, key, value)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> TokenPair:
    """Set a new password, end every other session, and return tokens for this one."""
    if not passwords.verify_password(user.password_hash, current_password):
        raise ValidationError(
            "The current password is incorrect.",
            code=ErrorCode.INVALID_CREDENTIALS,
            details={"current_password": ["Incorrect password."]},
        )
    passwords.check_policy(new_password, email=user.email, field="new_password")
    _set_password(user, new_password)
    return issue_tokens(user)


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.token_epoch += 1
    db.session.commit()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _hash_fingerprint(user: User) -> str:
    """Changes whenever the password does, which makes a reset token single-use."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"uid": user.id, "fp": _hash_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the account exists; the caller learns nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        log.info("Password reset asked for an unknown or inactive account")
        return
    link = current_app.config["PASSWORD_RESET_URL"].format(token=make_reset_token(user))
    send_mail(
        user.email,
        "Reset your Sokoni password",
        f"Someone asked to reset the password of this account.\n\nReset it here: {link}\n\n"
        "The link works once and expires in an hour. If it was not you, ignore this e-mail.",
    )


def reset_password(token: str, new_password: str) -> None:
    """Spend a reset token: set the password and end every session of the account."""
    invalid = ValidationError(
        "The reset link is invalid, used or expired.",
        code=ErrorCode.INVALID_TOKEN,
        details={"token": ["Invalid, used or expired."]},
    )
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature) as exc:
        raise invalid from exc
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("fp") != _hash_fingerprint(user):
        raise invalid
    passwords.check_policy(new_password, email=user.email, field="new_password")
    _set_password(user, new_password)


def list_users(role: str | None = None, email: str | None = None):
    """A query of accounts for staff, newest first; paginated by the caller."""
    query = select(User).order_by(User.id.desc())
    if role:
        query = query.where(User.role == role)
    if email:
        query = query.where(User.email.contains(normalise_email(email)))
    return query


def update_user(user_id: int, changes: Mapping[str, Any]) -> User:
    """Admin: change someone's role or active flag; effective on their next request."""
    user = get_user(user_id)
    if "role" in changes:
        user.role = Role(changes["role"]).value
    if "is_active" in changes:
        user.is_active = changes["is_active"]
    db.session.commit()
    return user
