"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.auth.passwords import MAX_LENGTH, MIN_LENGTH
from app.core.fields import CountryCode, CurrencyCode, PhoneNumber
from app.core.permissions import Role


def Password(min_length: int = 1, **kwargs) -> ma.fields.String:  # noqa: N802 - reads like a field class
    """A required, write-only password field (the full policy lives in the service)."""
    return ma.fields.String(
        required=True, validate=ma.validate.Length(min=min_length, max=MAX_LENGTH), load_only=True, **kwargs
    )


def NewPassword() -> ma.fields.String:  # noqa: N802
    """A password being chosen: its length rule is documented in the schema."""
    return Password(
        min_length=MIN_LENGTH,
        metadata={"description": f"At least {MIN_LENGTH} characters; not common, not built from the e-mail"},
    )


def Email() -> ma.fields.Email:  # noqa: N802
    """A required e-mail address of at most 254 characters (RFC 5321)."""
    return ma.fields.Email(required=True, validate=ma.validate.Length(max=254))


class ProfileSchema(ma.Schema):
    full_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    phone = PhoneNumber(allow_none=True)
    country = CountryCode(allow_none=True)
    preferred_currency = CurrencyCode(allow_none=True)


class RegisterSchema(ma.Schema):
    email = Email()
    password = NewPassword()
    full_name = ma.fields.String(validate=ma.validate.Length(max=200))
    phone = PhoneNumber()
    country = CountryCode()
    preferred_currency = CurrencyCode()


class LoginSchema(ma.Schema):
    email = Email()
    password = Password()


class TokenPairSchema(ma.Schema):
    access = ma.fields.String(required=True)
    refresh = ma.fields.String(required=True)
    token_type = ma.fields.Constant("Bearer", dump_only=True)
    expires_in = ma.fields.Integer(metadata={"description": "Seconds the access token lives"})


class RefreshSchema(ma.Schema):
    refresh = ma.fields.String(
        validate=ma.validate.Length(min=1, max=4096),
        metadata={"description": "The refresh token; or send it as the bearer token"},
    )


class LogoutSchema(ma.Schema):
    refresh = ma.fields.String(validate=ma.validate.Length(min=1, max=4096))


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.Email(dump_only=True)
    role = ma.fields.String(dump_only=True)
    is_active = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)
    profile = ma.fields.Nested(ProfileSchema, dump_only=True)


class PasswordChangeSchema(ma.Schema):
    current_password = Password()
    new_password = NewPassword()


class PasswordResetRequestSchema(ma.Schema):
    email = Email()


class PasswordResetConfirmSchema(ma.Schema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024))
    new_password = NewPassword()


class UserCreateSchema(RegisterSchema):
    role = ma.fields.String(required=True, validate=ma.validate.OneOf([r.value for r in Role]))


class UserUpdateSchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf([r.value for r in Role]))
    is_active = ma.fields.Boolean()


class UserQuerySchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf([r.value for r in Role]))
    email = ma.fields.String(validate=ma.validate.Length(max=254))
