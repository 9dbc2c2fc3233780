"""Request and response bodies of the review endpoints."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from app.core.fields import NOT_BLANK
from app.reviews.models import MAX_BODY_LENGTH
from app.reviews.services import SORTS

RATING = ma.validate.Range(min=1, max=5)


def _text(max_length: int) -> list[ma.validate.Validator]:
    """Non-blank text of at most ``max_length`` characters."""
    return [ma.validate.Length(min=1, max=max_length), NOT_BLANK]


class ReviewCreateSchema(ma.Schema):
    rating = ma.fields.Integer(required=True, strict=True, validate=RATING)
    title = ma.fields.String(required=True, validate=_text(200))
    body = ma.fields.String(required=True, validate=_text(MAX_BODY_LENGTH))


class ReviewUpdateSchema(ma.Schema):
    rating = ma.fields.Integer(strict=True, validate=RATING)
    title = ma.fields.String(validate=_text(200))
    body = ma.fields.String(validate=_text(MAX_BODY_LENGTH))


class ReviewQuerySchema(ma.Schema):
    sort = ma.fields.String(load_default="newest", validate=ma.validate.OneOf(list(SORTS)))
    rating = ma.fields.Integer(validate=RATING, metadata={"description": "Only reviews with these stars"})
    verified = ma.fields.Boolean(metadata={"description": "Only (or no) verified purchases"})


class ModerationQuerySchema(ma.Schema):
    hidden = ma.fields.Boolean()
    product = ma.fields.String(validate=ma.validate.Length(min=1, max=220), metadata={"description": "Slug"})


class HideSchema(ma.Schema):
    reason = ma.fields.String(
        required=True, validate=_text(500), metadata={"description": "Shown to the author"}
    )


class ReviewAuthorSchema(ma.Schema):
    name = ma.fields.Method("public_name", metadata={"type": "string", "example": "Chidi O."})

    def public_name(self, user: Any) -> str:
        """First name and initial: enough to feel human, never an e-mail address."""
        full_name = (user.profile.full_name or "").split() if user.profile else []
        if not full_name:
            return "A Sokoni customer"
        initial = f" {full_name[-1][0]}." if len(full_name) > 1 else ""
        return full_name[0] + initial


class ReviewProductSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()


class ProductReviewSchema(ma.Schema):
    id = ma.fields.Integer()
    product = ma.fields.Nested(ReviewProductSchema)
    author = ma.fields.Nested(ReviewAuthorSchema)
    rating = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    verified_purchase = ma.fields.Boolean(metadata={"description": "The author received this product"})
    helpful_count = ma.fields.Integer()
    is_hidden = ma.fields.Boolean()
    hidden_reason = ma.fields.String(allow_none=True, metadata={"description": "Why staff hid it"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
