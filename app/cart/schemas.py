"""Request and response bodies of the cart endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import CurrencyCode
from app.core.schemas import MoneySchema

AMOUNTS = ma.fields.Dict(
    keys=CurrencyCode(),
    values=ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=10**15)),
    metadata={"description": 'Minor units per ISO 4217 currency, e.g. {"NGN": 50000}'},
)


class AddItemSchema(ma.Schema):
    variant_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    quantity = ma.fields.Integer(load_default=1, strict=True, validate=ma.validate.Range(min=1, max=999))
    currency = CurrencyCode(metadata={"description": "Only when the cart is created; default: profile's"})


class UpdateItemSchema(ma.Schema):
    quantity = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=999))


class ApplyCouponSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))


class CartQuerySchema(ma.Schema):
    currency = CurrencyCode(metadata={"description": "Currency of an empty cart; default: profile's"})


class CartProductSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    image = ma.fields.Dict(allow_none=True)


class CartItemSchema(ma.Schema):
    id = ma.fields.Integer()
    variant_id = ma.fields.Integer()
    sku = ma.fields.String()
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    product = ma.fields.Nested(CartProductSchema)
    quantity = ma.fields.Integer()
    unit_price = ma.fields.Nested(MoneySchema, metadata={"description": "Saved when the item was added"})
    current_price = ma.fields.Nested(MoneySchema, allow_none=True)
    price_changed = ma.fields.Boolean()
    line_total = ma.fields.Nested(MoneySchema)
    stock_status = ma.fields.String()


class CartCouponSchema(ma.Schema):
    code = ma.fields.String()
    description = ma.fields.String()
    problem = ma.fields.String(allow_none=True, metadata={"description": "Why it does not apply now"})


class CartSchema(ma.Schema):
    id = ma.fields.Integer(allow_none=True)
    currency = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(CartItemSchema))
    item_count = ma.fields.Integer()
    coupon = ma.fields.Nested(CartCouponSchema, allow_none=True)
    subtotal = ma.fields.Nested(MoneySchema)
    discount = ma.fields.Nested(MoneySchema)
    total = ma.fields.Nested(MoneySchema)
    price_changed = ma.fields.Boolean()


COUPON_CODE = [ma.validate.Length(min=3, max=40), ma.validate.Regexp(r"^[A-Za-z0-9_-]+$")]
COUPON_KINDS = ma.validate.OneOf(["percentage", "fixed"])
IDS = {"type": "array", "items": {"type": "integer"}}


class CouponUpdateSchema(ma.Schema):
    """Staff: a code with a percentage (``percent_off``) or fixed amounts per currency."""

    code = ma.fields.String(validate=COUPON_CODE)
    description = ma.fields.String(validate=ma.validate.Length(max=200))
    kind = ma.fields.String(validate=COUPON_KINDS)
    percent_off = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=100))
    amounts_off = AMOUNTS
    min_subtotals = AMOUNTS
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    usage_limit = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1))
    per_user_limit = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1))
    is_active = ma.fields.Boolean()
    product_ids = ma.fields.List(ma.fields.Integer(strict=True), validate=ma.validate.Length(max=500))
    category_ids = ma.fields.List(ma.fields.Integer(strict=True), validate=ma.validate.Length(max=500))


class CouponCreateSchema(CouponUpdateSchema):
    code = ma.fields.String(required=True, validate=COUPON_CODE)
    kind = ma.fields.String(required=True, validate=COUPON_KINDS)


class CouponQuerySchema(ma.Schema):
    active = ma.fields.Boolean()


class CouponSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    percent_off = ma.fields.Integer(allow_none=True)
    amounts_off = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    min_subtotals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    starts_at = ma.fields.DateTime(allow_none=True)
    ends_at = ma.fields.DateTime(allow_none=True)
    usage_limit = ma.fields.Integer(allow_none=True)
    per_user_limit = ma.fields.Integer(allow_none=True)
    used_count = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    product_ids = ma.fields.Function(lambda c: [p.id for p in c.products], metadata=IDS)
    category_ids = ma.fields.Function(lambda c: [k.id for k in c.categories], metadata=IDS)
