"""Request and response bodies of the cart endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.fields import CurrencyCode
from app.core.schemas import MoneySchema


class AddItemSchema(ma.Schema):
    variant_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    quantity = ma.fields.Integer(load_default=1, strict=True, validate=ma.validate.Range(min=1, max=999))
    currency = CurrencyCode(metadata={"description": "Only when the cart is created; default: profile's"})


class UpdateItemSchema(ma.Schema):
    quantity = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=999))


class CouponSchema(ma.Schema):
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
