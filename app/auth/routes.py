"""Auth endpoints: thin adapters from HTTP to ``app.auth.services``."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_jwt_extended import current_user, get_jwt
from flask_limiter.util import get_remote_address

from app.auth import schemas, services
from app.core.api import Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.extensions import limiter

blp = Blueprint("auth", __name__, url_prefix="/api", description="Accounts, tokens and passwords")


def _email_key() -> str:
    """Rate-limit key: the e-mail in the body (so one account is not brute-forced from many IPs)."""
    data = request.get_json(silent=True)
    email = data.get("email") if isinstance(data, dict) else None
    if isinstance(email, str) and email.strip():
        return "email:" + services.normalise_email(email)[:254]
    return "ip:" + (get_remote_address() or "unknown")


def _login_limit_ip() -> str:
    return current_app.config["RATELIMIT_LOGIN_PER_IP"]


def _login_limit_email() -> str:
    return current_app.config["RATELIMIT_LOGIN_PER_EMAIL"]


def _sensitive_limit() -> str:
    return current_app.config["RATELIMIT_SENSITIVE"]


login_rate_limits = [
    limiter.limit(_login_limit_ip, scope="login-ip"),
    limiter.limit(_login_limit_email, key_func=_email_key, scope="login-email"),
]


@blp.route("/auth/register/")
class Register(MethodView):
    decorators = [limiter.limit(_sensitive_limit, scope="register")]

    @blp.arguments(schemas.RegisterSchema)
    @blp.response(201, schemas.UserSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data):
        """Create a customer account."""
        return services.register(**data)


@blp.route("/auth/login/")
class Login(MethodView):
    decorators = login_rate_limits

    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "X-Cart-Token",
                "required": False,
                "schema": {"type": "string", "maxLength": 128},
                "description": "A guest cart to merge into the account's cart",
            }
        ]
    )
    @blp.arguments(schemas.LoginSchema)
    @blp.response(200, schemas.TokenPairSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data):
        """Exchange credentials for tokens; a guest cart sent as ``X-Cart-Token`` is merged."""
        return services.login(data["email"], data["password"], cart_token=request.headers.get("X-Cart-Token"))


@blp.route("/auth/token/refresh/")
class TokenRefresh(MethodView):
    @blp.arguments(schemas.RefreshSchema, required=False)
    @blp.response(200, schemas.TokenPairSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, data):
        """Rotate a refresh token (body ``refresh`` or bearer): the old one stops working."""
        token = data.get("refresh") or _bearer_token()
        return services.refresh_session(token)


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@blp.route("/auth/logout/")
class Logout(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.LogoutSchema, required=False)
    @blp.response(204)
    def post(self, data):
        """Revoke this session's access and refresh tokens."""
        services.logout(get_jwt(), data.get("refresh"))


@blp.route("/auth/me/")
class Me(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.UserSchema)
    def get(self):
        """The caller's account and profile."""
        return current_user

    @blp.login_required()
    @blp.arguments(schemas.ProfileSchema, required=False)
    @blp.response(200, schemas.UserSchema)
    def patch(self, data):
        """Update the caller's profile."""
        return services.update_profile(current_user, data)


@blp.route("/auth/password/change/")
class PasswordChange(MethodView):
    @blp.login_required()
    @blp.arguments(schemas.PasswordChangeSchema)
    @blp.response(200, schemas.TokenPairSchema)
    def post(self, data):
        """Change the password; every other session ends, new tokens are returned for this one."""
        return services.change_password(current_user, data["current_password"], data["new_password"])


@blp.route("/auth/password/reset/")
class PasswordReset(MethodView):
    decorators = [
        limiter.limit(_sensitive_limit, scope="reset-ip"),
        limiter.limit(_sensitive_limit, key_func=_email_key, scope="reset-email"),
    ]

    @blp.arguments(schemas.PasswordResetRequestSchema)
    @blp.response(202)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data):
        """E-mail a single-use reset link; the answer is the same whether the account exists or not."""
        services.request_password_reset(data["email"])


@blp.route("/auth/password/reset/confirm/")
class PasswordResetConfirm(MethodView):
    decorators = [limiter.limit(_sensitive_limit, scope="reset-confirm")]

    @blp.arguments(schemas.PasswordResetConfirmSchema)
    @blp.response(204)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, data):
        """Set a new password with a reset token; every session of the account ends."""
        services.reset_password(data["token"], data["new_password"])


@blp.route("/admin/users/")
class Users(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.UserQuerySchema, location="query")
    @blp.response(200, schemas.UserSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self, query):
        """Staff: list accounts, filtered by role or e-mail."""
        return services.list_users(**query)

    @blp.login_required(Role.ADMIN)
    @blp.arguments(schemas.UserCreateSchema)
    @blp.response(201, schemas.UserSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Admin: create an account of any role (the only way to make staff)."""
        role = data.pop("role")
        email, password = data.pop("email"), data.pop("password")
        return services.create_user(email, password, role=role, profile=data)


@blp.route("/admin/users/<int:user_id>/")
class UserDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.UserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id):
        """Staff: one account."""
        return services.get_user(user_id)

    @blp.login_required(Role.ADMIN)
    @blp.arguments(schemas.UserUpdateSchema)
    @blp.response(200, schemas.UserSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data, user_id):
        """Admin: change a role or (de)activate an account, effective at once."""
        return services.update_user(user_id, data)
