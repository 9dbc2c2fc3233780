"""Who may use the console: staff and admins signed in through the console's own login.

The console uses a server-signed session cookie (HttpOnly, SameSite=Lax, Secure in
production, path ``/admin``) rather than the API's bearer tokens, because a browser page
cannot hold a token safely. The user is re-read on every request and the session carries
the account's ``token_epoch``, so deactivating, demoting or changing the password of an
operator locks them out on their next click, exactly like the API.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from app.admin.errors import HtmlErrors
from app.auth.models import User
from app.core.permissions import Role, has_role
from app.extensions import db

SESSION_USER = "console_user"
SESSION_EPOCH = "console_epoch"


def sign_in(user: User) -> None:
    """Start a fresh console session (a new cookie: no session fixation)."""
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.id
    session[SESSION_EPOCH] = user.token_epoch


def sign_out() -> None:
    session.clear()


def current_staff() -> User | None:
    """The signed-in operator, or ``None`` if nobody is, or they may no longer use the console."""
    user_id = session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.token_epoch != session.get(SESSION_EPOCH):
        return None
    return user if has_role(user, Role.STAFF) else None


def login_redirect() -> Response:
    return redirect(url_for("console.login", next=request.full_path.rstrip("?")))


def forbidden() -> tuple[str, int]:
    """A page, not the API's JSON envelope: a person is reading it."""
    return render_template("console/forbidden.html"), 403


class StaffOnly(HtmlErrors):
    """Mixin for Flask-Admin views: staff and admins only; others go to the login page.

    ``required_role`` raised to ``admin`` hides a section from staff entirely: Flask-Admin
    leaves inaccessible views out of the menu, and a typed URL answers 403.
    """

    required_role: str = Role.STAFF

    def is_accessible(self) -> bool:
        user = current_staff()
        return user is not None and has_role(user, self.required_role)

    def inaccessible_callback(self, _name: str, **_kwargs: Any) -> Response:
        if current_staff() is None:
            return login_redirect()
        return forbidden()


class AdminOnly(StaffOnly):
    required_role = Role.ADMIN
