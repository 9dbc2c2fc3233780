"""Request and response bodies of the catalog endpoints.

Money is always ``{"amount": <minor units>, "currency": "NGN"}``; list filters take
prices in minor units of the requested currency too.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList

from app.core.fields import CurrencyCode
from app.core.schemas import MoneySchema
from app.products.listing import CARD_FIELDS, SORTS

SLUG = ma.validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Lower-case letters, digits and dashes.")
SKU = ma.validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="Letters, digits, dots, dashes, underscores.")
MAX_AMOUNT = 10**15  # minor units; far beyond any price, well inside BIGINT
MAX_POSITION = 10**6
COLLECTION_KINDS = ("manual", "newest", "best_sellers", "top_rated")


def Slug(**kwargs: Any) -> ma.fields.String:  # noqa: N802 - reads like the field class it builds
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=100), SLUG], **kwargs)


def Count(*, upper: int, **kwargs: Any) -> ma.fields.Integer:  # noqa: N802
    """A JSON integer from 0 to ``upper``: ``"3"`` and ``3.0`` are refused, not coerced."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=upper), **kwargs)


class Flag(ma.fields.Boolean):
    """A JSON boolean; ``"yes"``, ``1`` or ``0`` are refused rather than guessed at."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def Name(**kwargs: Any) -> ma.fields.String:  # noqa: N802
    return ma.fields.String(validate=ma.validate.Length(min=1, max=kwargs.pop("max", 120)), **kwargs)


# ---- shared output pieces -------------------------------------------------------------


class RefSchema(ma.Schema):
    """A link to a category, product or tag by id, slug and name."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()


class ImageSchema(ma.Schema):
    url = ma.fields.Url(required=True, validate=ma.validate.Length(max=500))
    alt_text = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    position = Count(upper=MAX_POSITION, load_default=0)


class CardImageSchema(ma.Schema):
    url = ma.fields.String()
    alt_text = ma.fields.String()


class RatingSchema(ma.Schema):
    average = ma.fields.Float()
    count = ma.fields.Integer()


class RatingSummarySchema(RatingSchema):
    histogram = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(["1", "2", "3", "4", "5"])),
        values=ma.fields.Integer(),
        metadata={"description": 'Visible reviews per star: {"1": 0, "2": 1, "3": 4, "4": 9, "5": 20}'},
    )


class TagSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = Slug()
    name = Name(required=True, max=80)


class TagUpdateSchema(TagSchema):
    name = Name(max=80)


# ---- products -------------------------------------------------------------------------


class ProductCardSchema(ma.Schema):
    """A product in a list: enough for a tile, nothing more (see ``fields=``)."""

    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    brand = ma.fields.String(allow_none=True)
    category = ma.fields.Nested(RefSchema, allow_none=True)
    image = ma.fields.Nested(CardImageSchema, allow_none=True)
    price = ma.fields.Nested(
        MoneySchema, allow_none=True, metadata={"description": "Lowest price, promotions applied"}
    )
    compare_at = ma.fields.Nested(MoneySchema, allow_none=True, metadata={"description": "Before promotion"})
    on_sale = ma.fields.Boolean()
    in_stock = ma.fields.Boolean()
    rating = ma.fields.Nested(RatingSchema)
    tags = ma.fields.List(ma.fields.String())


class CurrencyQuerySchema(ma.Schema):
    currency = CurrencyCode(metadata={"description": "ISO 4217; defaults to the shop's currency"})


class ProductListQuerySchema(CurrencyQuerySchema):
    q = ma.fields.String(validate=ma.validate.Length(min=1, max=200), metadata={"description": "Search"})
    category = Slug(metadata={"description": "Category slug; includes its descendants"})
    tag = Slug()
    brand = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    min_price = ma.fields.Integer(validate=ma.validate.Range(min=0, max=MAX_AMOUNT))
    max_price = ma.fields.Integer(validate=ma.validate.Range(min=0, max=MAX_AMOUNT))
    in_stock = ma.fields.Boolean()
    sort = ma.fields.String(validate=ma.validate.OneOf(SORTS), metadata={"description": "Default: newest"})
    fields = DelimitedList(
        ma.fields.String(validate=ma.validate.OneOf(CARD_FIELDS)),
        metadata={"description": "Comma-separated card fields to return, e.g. slug,name,price"},
    )


class VariantSchema(ma.Schema):
    id = ma.fields.Integer()
    sku = ma.fields.String()
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    weight_grams = ma.fields.Integer()
    price = ma.fields.Nested(MoneySchema, allow_none=True)
    compare_at = ma.fields.Nested(MoneySchema, allow_none=True)
    prices = ma.fields.List(ma.fields.Nested(MoneySchema), metadata={"description": "Staff: list prices"})
    stock_status = ma.fields.String(metadata={"description": "in_stock, low_stock or out_of_stock"})
    stock_on_hand = ma.fields.Integer(metadata={"description": "Staff only"})
    is_active = ma.fields.Boolean(metadata={"description": "Staff only"})


class ProductDetailSchema(ProductCardSchema):
    description = ma.fields.String()
    images = ma.fields.List(ma.fields.Nested(ImageSchema))
    attributes = ma.fields.Dict(keys=ma.fields.String())
    tags = ma.fields.List(ma.fields.Nested(TagSchema))
    rating = ma.fields.Nested(RatingSummarySchema)
    variants = ma.fields.List(ma.fields.Nested(VariantSchema))
    promotion = ma.fields.Dict(allow_none=True, metadata={"description": "The promotion priced in"})
    is_active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class PriceInSchema(ma.Schema):
    currency = CurrencyCode(required=True)
    amount = ma.fields.Integer(
        required=True,
        strict=True,  # 1.5 is refused, never rounded: amounts are minor units
        validate=ma.validate.Range(min=0, max=MAX_AMOUNT),
    )


def _unique_currencies(prices: list[dict[str, Any]]) -> None:
    currencies = [price["currency"] for price in prices]
    if len(currencies) != len(set(currencies)):
        raise ma.ValidationError("One price per currency.")


class VariantUpdateSchema(ma.Schema):
    sku = ma.fields.String(validate=[ma.validate.Length(min=1, max=64), SKU])
    options = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
        values=ma.fields.String(validate=ma.validate.Length(max=80)),
    )
    weight_grams = Count(upper=10**7)
    stock_on_hand = Count(upper=10**9)
    is_active = Flag()
    position = Count(upper=MAX_POSITION)
    prices = ma.fields.List(
        ma.fields.Nested(PriceInSchema),
        validate=_unique_currencies,
        metadata={"description": "Replaces every price of the variant"},
    )


class VariantCreateSchema(VariantUpdateSchema):
    sku = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=64), SKU])


class ProductUpdateSchema(ma.Schema):
    name = Name(max=200)
    slug = Slug(metadata={"description": "Generated from the name when omitted; then stable"})
    description = ma.fields.String(validate=ma.validate.Length(max=20_000))
    brand = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=100))
    category = Slug(allow_none=True)
    tags = ma.fields.List(Slug(), metadata={"description": "Tag slugs; replaces the tags"})
    images = ma.fields.List(ma.fields.Nested(ImageSchema), metadata={"description": "Replaces the images"})
    attributes = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=60)),
        values=ma.fields.String(validate=ma.validate.Length(max=500)),
    )
    is_active = Flag()


class ProductCreateSchema(ProductUpdateSchema):
    name = Name(required=True, max=200)
    variants = ma.fields.List(ma.fields.Nested(VariantCreateSchema), load_default=list)


# ---- categories -----------------------------------------------------------------------


class CategoryUpdateSchema(ma.Schema):
    name = Name()
    slug = Slug()
    parent = Slug(allow_none=True, metadata={"description": "Parent category slug; null for a root"})
    description = ma.fields.String(validate=ma.validate.Length(max=5000))
    position = Count(upper=MAX_POSITION)
    is_active = Flag()


class CategoryCreateSchema(CategoryUpdateSchema):
    name = Name(required=True)


class CategorySchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    position = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    parent = ma.fields.String(allow_none=True, metadata={"description": "Parent slug"})
    children = ma.fields.List(ma.fields.Nested(lambda: CategorySchema()))


# ---- promotions and collections -------------------------------------------------------


class PromotionUpdateSchema(ma.Schema):
    name = Name()
    description = ma.fields.String(validate=ma.validate.Length(max=5000))
    kind = ma.fields.String(validate=ma.validate.OneOf(("percentage", "fixed")))
    percent_off = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(min=1, max=100))
    amounts_off = ma.fields.Dict(
        keys=CurrencyCode(),
        values=ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_AMOUNT)),
        metadata={"description": "Fixed promotions: currency → minor units off"},
    )
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    is_active = Flag()
    products = ma.fields.List(Slug(), metadata={"description": "Product slugs"})
    categories = ma.fields.List(Slug(), metadata={"description": "Category slugs (with descendants)"})


class PromotionCreateSchema(PromotionUpdateSchema):
    name = Name(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(("percentage", "fixed")))
    starts_at = ma.fields.AwareDateTime(required=True)


class PromotionSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    percent_off = ma.fields.Integer(allow_none=True)
    amounts_off = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime(allow_none=True)
    is_active = ma.fields.Boolean()
    products = ma.fields.Pluck(RefSchema, "slug", many=True)
    categories = ma.fields.Pluck(RefSchema, "slug", many=True)


class PromotionQuerySchema(ma.Schema):
    status = ma.fields.String(
        load_default="running",
        validate=ma.validate.OneOf(("running", "scheduled", "all")),
        metadata={"description": "Staff only: scheduled or all (including ended)"},
    )


class CollectionUpdateSchema(ma.Schema):
    name = Name()
    slug = Slug()
    description = ma.fields.String(validate=ma.validate.Length(max=5000))
    kind = ma.fields.String(validate=ma.validate.OneOf(COLLECTION_KINDS))
    position = Count(upper=MAX_POSITION)
    is_active = Flag()
    products = ma.fields.List(Slug(), metadata={"description": "Manual collections: ordered slugs"})


class CollectionCreateSchema(CollectionUpdateSchema):
    name = Name(required=True)


class CollectionSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String()
    kind = ma.fields.String()
    position = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    products = ma.fields.List(ma.fields.Nested(ProductCardSchema))


class CacheStatsSchema(ma.Schema):
    enabled = ma.fields.Boolean()
    available = ma.fields.Boolean(metadata={"description": "False while Redis is failing"})
    hits = ma.fields.Integer()
    misses = ma.fields.Integer()
    hit_rate = ma.fields.Float(allow_none=True)
    generations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
