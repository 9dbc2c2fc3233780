"""Request and response bodies of the support endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.api import MAX_ID
from app.core.fields import NOT_BLANK, StrictBoolean
from app.support.states import TicketCategory, TicketPriority, TicketStatus

SLUG = ma.validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Lower-case letters, digits and dashes.")
MAX_MESSAGE = 5000


def Text(max_length: int, **kwargs) -> ma.fields.String:  # noqa: N802
    """Non-blank text of at most ``max_length`` characters."""
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=max_length), NOT_BLANK], **kwargs)


def Choice(values: type, **kwargs) -> ma.fields.String:  # noqa: N802
    return ma.fields.String(validate=ma.validate.OneOf([v.value for v in values]), **kwargs)


def RowId(*, strict: bool = True, **kwargs) -> ma.fields.Integer:  # noqa: N802
    """A row id: strict in JSON bodies, parsed from text in query strings."""
    return ma.fields.Integer(strict=strict, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


# ---- FAQ ------------------------------------------------------------------------------


class FaqSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    category = ma.fields.String(
        required=True, validate=[ma.validate.Length(min=1, max=80), SLUG], metadata={"description": "Slug"}
    )
    question = Text(300, required=True)
    answer = Text(10_000, required=True)
    position = ma.fields.Integer(strict=True, load_default=0, validate=ma.validate.Range(min=0, max=10_000))
    is_published = StrictBoolean(load_default=True)


class FaqUpdateSchema(FaqSchema):
    category = ma.fields.String(validate=[ma.validate.Length(min=1, max=80), SLUG])
    question = Text(300)
    answer = Text(10_000)
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))
    is_published = StrictBoolean()


class FaqStaffSchema(FaqSchema):
    category = ma.fields.String(attribute="category.slug", dump_only=True)


class PublicFaqSchema(ma.Schema):
    id = ma.fields.Integer()
    question = ma.fields.String()
    answer = ma.fields.String()


class FaqSectionSchema(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    faqs = ma.fields.List(ma.fields.Nested(PublicFaqSchema))


class FaqQuerySchema(ma.Schema):
    category = ma.fields.String(validate=[ma.validate.Length(min=1, max=80), SLUG])


class FaqCategorySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=80), SLUG])
    name = Text(120, required=True)
    position = ma.fields.Integer(strict=True, load_default=0, validate=ma.validate.Range(min=0, max=10_000))


class FaqCategoryUpdateSchema(FaqCategorySchema):
    slug = ma.fields.String(validate=[ma.validate.Length(min=1, max=80), SLUG])
    name = Text(120)
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10_000))


# ---- contact --------------------------------------------------------------------------


class ContactSchema(ma.Schema):
    name = Text(120, required=True)
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    subject = Text(200, required=True)
    message = Text(MAX_MESSAGE, required=True)


class ContactReceiptSchema(ma.Schema):
    id = ma.fields.Integer()
    received_at = ma.fields.DateTime(attribute="created_at")


# ---- tickets --------------------------------------------------------------------------


class TicketCreateSchema(ma.Schema):
    subject = Text(200, required=True)
    category = Choice(TicketCategory, required=True)
    message = Text(MAX_MESSAGE, required=True)
    order = ma.fields.String(
        validate=ma.validate.Length(min=1, max=20), metadata={"description": "One of your order numbers"}
    )
    payment = ma.fields.String(
        validate=ma.validate.Length(min=1, max=40), metadata={"description": "One of your payment references"}
    )


class TicketQuerySchema(ma.Schema):
    status = Choice(TicketStatus)
    priority = Choice(TicketPriority)
    category = Choice(TicketCategory)
    assignee_id = RowId(strict=False, metadata={"description": "Staff: tickets assigned to this user"})
    unassigned = ma.fields.Boolean(metadata={"description": "Staff: tickets nobody is assigned to"})


class TicketReplySchema(ma.Schema):
    body = Text(MAX_MESSAGE, required=True)


class TicketStatusChangeSchema(ma.Schema):
    status = Choice(TicketStatus, required=True)


class TicketAssignSchema(ma.Schema):
    assignee_id = RowId(required=True, allow_none=True, metadata={"description": "null: unassign"})


class TicketTriageSchema(ma.Schema):
    priority = Choice(TicketPriority)
    category = Choice(TicketCategory)


class TicketPersonSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class TicketCustomerSchema(TicketPersonSchema):
    email = ma.fields.String()


class TicketAuthorSchema(ma.Schema):
    name = ma.fields.String()
    role = ma.fields.String(validate=ma.validate.OneOf(["customer", "staff"]))


class TicketMessageSchema(ma.Schema):
    id = ma.fields.Integer()
    author = ma.fields.Nested(TicketAuthorSchema)
    body = ma.fields.String()
    is_internal = ma.fields.Boolean(metadata={"description": "Staff-only note (never sent to customers)"})
    created_at = ma.fields.DateTime()


class TicketSchema(ma.Schema):
    id = ma.fields.Integer()
    subject = ma.fields.String()
    category = Choice(TicketCategory)
    priority = Choice(TicketPriority)
    status = Choice(TicketStatus)
    order = ma.fields.String(allow_none=True, metadata={"description": "Order number"})
    payment = ma.fields.String(allow_none=True, metadata={"description": "Payment reference"})
    customer = ma.fields.Nested(TicketCustomerSchema)
    assignee = ma.fields.Nested(TicketPersonSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    resolved_at = ma.fields.DateTime(allow_none=True)


class TicketDetailSchema(TicketSchema):
    messages = ma.fields.List(ma.fields.Nested(TicketMessageSchema))
