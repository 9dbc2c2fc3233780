"""The console's login and logout pages, and its own static assets (charts).

Not a Flask-Admin view: the login page must be reachable by someone who is not signed in,
while every Flask-Admin view refuses them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_admin.form import SecureForm
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app.admin.formatting import format_time
from app.admin.security import current_staff, sign_in, sign_out
from app.auth import services as auth_services
from app.core.errors import AuthenticationError
from app.core.permissions import Role, has_role
from app.extensions import limiter

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

#: The one message for every failure, so the page reveals neither accounts nor roles.
LOGIN_FAILED = "E-mail or password is incorrect, or this account cannot use the console."


class LoginForm(SecureForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    next = StringField()


class LogoutForm(SecureForm):
    """Logging out is a POST with a CSRF token, so another site cannot sign an operator out."""


def _login_limit() -> str:
    return current_app.config["RATELIMIT_ADMIN_LOGIN"]


def _email_key() -> str:
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"console-email:{email}" if email else f"console-ip:{get_remote_address()}"


def safe_next(target: str | None) -> str:
    """Only a path inside the console: a login link must not send an operator elsewhere."""
    console = url_for("admin.index")
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith(console):
        return console
    return target


@blp.route("/login/", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], scope="console-login-ip")
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key, scope="console-login-email")
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET" and current_staff() is not None:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(request.form, next=request.args.get("next", ""))
    error = None
    if request.method == "POST":
        if form.validate():
            try:
                user = auth_services.authenticate(form.email.data, form.password.data)
            except AuthenticationError:
                user = None
            if user is not None and has_role(user, Role.STAFF):
                sign_in(user)
                return redirect(safe_next(form.next.data))
            error = LOGIN_FAILED
        elif form.csrf_token.errors:
            error = "The form expired; please sign in again."
        else:
            error = LOGIN_FAILED
    status = 400 if error else 200
    return render_template("console/login.html", form=form, error=error), status


@blp.route("/logout/", methods=["POST"])
def logout() -> Response:
    if LogoutForm(request.form).validate():
        sign_out()
    return redirect(url_for("console.login"))


@blp.errorhandler(429)
def too_many_attempts(_error: Exception) -> tuple[str, int]:
    """The login page is read by a person: answer with a page, not the API's JSON envelope."""
    return render_template("console/too_many.html"), 429


@blp.app_context_processor
def console_context() -> dict:
    """The logout form (with its token) for the console's navigation bar."""
    if not request.path.startswith("/admin"):
        return {}
    return {"console_user": current_staff, "logout_form": LogoutForm, "shop_time": format_time}
