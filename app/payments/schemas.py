"""Request and response bodies of the payment, refund and admin endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import CountryCode, CurrencyCode, PhoneNumber
from app.core.schemas import MoneySchema
from app.payments.gateways.base import PaymentMethod
from app.payments.models import PaymentStatus

METHODS = [method.value for method in PaymentMethod]
#: An absolute http(s) URL; the same rule validates requests and is published in the spec.
RETURN_URL = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/?#&=+-]*)?$"


class GatewayQuerySchema(ma.Schema):
    currency = CurrencyCode(required=True)
    country = CountryCode()
    method = ma.fields.String(validate=ma.validate.OneOf(METHODS))


class GatewaySchema(ma.Schema):
    id = ma.fields.String(metadata={"example": "paystack"})
    name = ma.fields.String()
    methods = ma.fields.List(ma.fields.String())


class PaymentCreateSchema(ma.Schema):
    order = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=20))
    gateway = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    method = ma.fields.String(validate=ma.validate.OneOf(METHODS))
    return_url = ma.fields.String(
        validate=[ma.validate.Length(max=1000), ma.validate.Regexp(RETURN_URL, error="Not an http(s) URL.")],
        metadata={"pattern": RETURN_URL, "description": "Where a hosted page sends the customer back"},
    )
    phone = PhoneNumber()  # the payer's phone, for mobile money


class FallbackSchema(ma.Schema):
    from_ = ma.fields.String(
        data_key="from", attribute="from", metadata={"description": "The gateway that failed"}
    )
    reason = ma.fields.String()


class RefundSchema(ma.Schema):
    reference = ma.fields.String()
    payment = ma.fields.String()
    status = ma.fields.String()
    amount = ma.fields.Nested(MoneySchema)
    reason = ma.fields.String()
    failure_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class PaymentSchema(ma.Schema):
    reference = ma.fields.String()
    order = ma.fields.String(metadata={"description": "The order number"})
    status = ma.fields.String(metadata={"enum": [s.value for s in PaymentStatus]})
    gateway = ma.fields.String()
    method = ma.fields.String(allow_none=True)
    amount = ma.fields.Nested(MoneySchema)
    refunded = ma.fields.Nested(MoneySchema)
    authorization_url = ma.fields.String(allow_none=True, metadata={"description": "Open it to pay"})
    client_secret = ma.fields.String(allow_none=True, metadata={"description": "For a card form (Stripe)"})
    instructions = ma.fields.String(allow_none=True, metadata={"description": "E.g. approve on your phone"})
    failure_reason = ma.fields.String(allow_none=True)
    under_review = ma.fields.Boolean()
    fallback = ma.fields.Nested(FallbackSchema, allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class RefundCreateSchema(ma.Schema):
    amount = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=1),
        metadata={"description": "Minor units; default: everything still refundable"},
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class TransactionSchema(ma.Schema):
    kind = ma.fields.String()
    gateway = ma.fields.String()
    outcome = ma.fields.String()
    request_summary = ma.fields.Dict()
    response_status = ma.fields.String(allow_none=True)
    latency_ms = ma.fields.Integer(allow_none=True)
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class FraudSchema(ma.Schema):
    score = ma.fields.Integer()
    decision = ma.fields.String()
    reasons = ma.fields.List(ma.fields.Dict())


class AdminPaymentSchema(PaymentSchema):
    customer = ma.fields.String(metadata={"description": "The customer's e-mail"})
    provider_reference = ma.fields.String(allow_none=True)
    flagged_for_review = ma.fields.Boolean()
    review_reason = ma.fields.String(allow_none=True)
    fell_back_from = ma.fields.String(allow_none=True)
    fraud = ma.fields.Nested(FraudSchema, allow_none=True)
    refunds = ma.fields.List(ma.fields.Nested(RefundSchema))
    transactions = ma.fields.List(ma.fields.Nested(TransactionSchema))


class AdminPaymentQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in PaymentStatus]))
    gateway = ma.fields.String(validate=ma.validate.Length(max=40))
    flagged = ma.fields.Boolean()
    order = ma.fields.String(validate=ma.validate.Length(max=20))
    email = ma.fields.String(validate=ma.validate.Length(max=254))
    created_from = ma.fields.AwareDateTime(default_timezone=None)
    created_to = ma.fields.AwareDateTime(default_timezone=None)


class ReviewSchema(ma.Schema):
    approve = ma.fields.Boolean(
        required=True, metadata={"description": "true: send it to its gateway; false: cancel it"}
    )
