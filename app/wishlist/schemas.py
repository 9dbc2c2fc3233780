"""Request and response bodies of the wishlist endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.api import MAX_ID
from app.core.fields import CurrencyCode
from app.core.schemas import MoneySchema
from app.products.schemas import CardImageSchema


def RowId(**kwargs) -> ma.fields.Integer:  # noqa: N802 - reads like the field class it builds
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class WishlistAddSchema(ma.Schema):
    product_id = RowId(required=True)
    variant_id = RowId(metadata={"description": "Wish for one variant (size, colour) in particular"})


class MoveToCartSchema(ma.Schema):
    quantity = ma.fields.Integer(load_default=1, strict=True, validate=ma.validate.Range(min=1, max=999))
    variant_id = RowId(
        metadata={"description": "Needed when the item names no variant and the product has several"}
    )


class WishlistQuerySchema(ma.Schema):
    currency = CurrencyCode(metadata={"description": "ISO 4217; default: the profile's, else the shop's"})


class WishlistProductSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    image = ma.fields.Nested(CardImageSchema, allow_none=True)


class WishlistVariantSchema(ma.Schema):
    id = ma.fields.Integer()
    sku = ma.fields.String()
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class WishlistPromotionSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    ends_at = ma.fields.DateTime(allow_none=True)


class WishlistItemSchema(ma.Schema):
    product_id = ma.fields.Integer()
    variant_id = ma.fields.Integer(allow_none=True)
    added_at = ma.fields.DateTime()
    product = ma.fields.Nested(WishlistProductSchema)
    variant = ma.fields.Nested(WishlistVariantSchema, allow_none=True)
    price = ma.fields.Nested(
        MoneySchema, allow_none=True, metadata={"description": "Now, promotions applied; null if not sold"}
    )
    compare_at = ma.fields.Nested(MoneySchema, allow_none=True, metadata={"description": "Before promotion"})
    on_sale = ma.fields.Boolean()
    promotion = ma.fields.Nested(WishlistPromotionSchema, allow_none=True)
    stock_status = ma.fields.String(
        validate=ma.validate.OneOf(["in_stock", "low_stock", "out_of_stock", "unavailable"])
    )
    available = ma.fields.Boolean(metadata={"description": "Can be bought now"})
