"""Query parameters and responses of the analytics endpoints."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import marshmallow as ma
from flask import current_app

from app.analytics.periods import DateRange, Interval
from app.core.models import utcnow
from app.core.money import is_known_currency
from app.core.schemas import MoneySchema

#: Dates outside these years are typing mistakes, not reports.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class RangeQuerySchema(ma.Schema):
    """``from`` and ``to``: UTC calendar days, both included; loaded as ``days``.

    Without them the report covers the last ``ANALYTICS_DEFAULT_DAYS`` days up to today (UTC).
    """

    start = ma.fields.Date(
        data_key="from",
        validate=ma.validate.Range(min=EARLIEST, max=LATEST),
        metadata={"description": "First UTC day included (default: ANALYTICS_DEFAULT_DAYS ago)"},
    )
    end = ma.fields.Date(
        data_key="to",
        validate=ma.validate.Range(min=EARLIEST, max=LATEST),
        metadata={"description": "Last UTC day included (default: today)"},
    )

    @ma.post_load
    def to_range(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """Fill the defaults and check the range: ``from`` ≤ ``to``, at most ``ANALYTICS_MAX_DAYS``."""
        config = current_app.config
        end = data.pop("end", None) or utcnow().date()
        start = data.pop("start", None) or end - timedelta(days=config["ANALYTICS_DEFAULT_DAYS"] - 1)
        if start > end:
            raise ma.ValidationError("from must not be after to.", "from")
        if (end - start).days >= config["ANALYTICS_MAX_DAYS"]:
            raise ma.ValidationError(f"A report covers at most {config['ANALYTICS_MAX_DAYS']} days.", "from")
        return {**data, "days": DateRange(start, end)}


class CurrencyQueryMixin(ma.Schema):
    currency = ma.fields.String(
        validate=ma.validate.Regexp("^[A-Z]{3}$"),
        metadata={"description": "ISO 4217 reporting currency (default: REPORTING_CURRENCY)"},
    )

    @ma.validates("currency")
    def known(self, value: str, **_kwargs: Any) -> None:
        if not is_known_currency(value):
            raise ma.ValidationError("Not an ISO 4217 currency.")


class SummaryQuerySchema(RangeQuerySchema, CurrencyQueryMixin):
    pass


class SalesQuerySchema(RangeQuerySchema):
    interval = ma.fields.Enum(Interval, by_value=True, load_default=Interval.DAY)


class TopProductsQuerySchema(RangeQuerySchema, CurrencyQueryMixin):
    by = ma.fields.String(load_default="units", validate=ma.validate.OneOf(["units", "revenue"]))
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=100))


class LowStockQuerySchema(ma.Schema):
    threshold = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=1_000_000),
        metadata={
            "description": "Units on hand at or below which a variant is listed "
            "(default: CATALOG_LOW_STOCK_THRESHOLD)"
        },
    )
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


# ---- responses ------------------------------------------------------------------------


class RangeSchema(ma.Schema):
    start = ma.fields.Date(required=True, data_key="from")
    end = ma.fields.Date(required=True, data_key="to")


class FiguresSchema(ma.Schema):
    currency = ma.fields.String(required=True)
    gross = ma.fields.Nested(MoneySchema, required=True)
    refunds = ma.fields.Nested(MoneySchema, required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True, metadata={"description": "gross - refunds"})
    average_order_value = ma.fields.Nested(MoneySchema, required=True)


class CurrencyFiguresSchema(FiguresSchema):
    orders = ma.fields.Integer(
        required=True, metadata={"description": "Sales (paid orders, refunded ones included)"}
    )


class SummarySchema(RangeSchema):
    orders = ma.fields.Integer(required=True)
    carts = ma.fields.Integer(required=True, metadata={"description": "Carts created in the range"})
    conversion = ma.fields.Float(
        required=True, allow_none=True, metadata={"description": "orders / carts; null without carts"}
    )
    new_customers = ma.fields.Integer(required=True)
    currencies = ma.fields.List(ma.fields.Nested(CurrencyFiguresSchema), required=True)
    converted = ma.fields.Nested(
        FiguresSchema,
        required=True,
        allow_none=True,
        metadata={"description": "All currencies in the reporting one; null when a rate is missing"},
    )


class PointSchema(ma.Schema):
    period = ma.fields.Date(required=True, metadata={"description": "First day of the bucket"})
    orders = ma.fields.Integer(required=True)
    revenue = ma.fields.Nested(MoneySchema, required=True)


class SeriesSchema(ma.Schema):
    currency = ma.fields.String(required=True)
    points = ma.fields.List(ma.fields.Nested(PointSchema), required=True)


class SalesSchema(RangeSchema):
    interval = ma.fields.String(required=True, validate=ma.validate.OneOf([i.value for i in Interval]))
    series = ma.fields.List(ma.fields.Nested(SeriesSchema), required=True)


class TopProductSchema(ma.Schema):
    product_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    units = ma.fields.Integer(required=True)
    revenue = ma.fields.List(ma.fields.Nested(MoneySchema), required=True)
    converted_revenue = ma.fields.Nested(MoneySchema, required=True, allow_none=True)


class TopProductsSchema(RangeSchema):
    by = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    products = ma.fields.List(ma.fields.Nested(TopProductSchema), required=True)


class GatewayMethodSchema(ma.Schema):
    gateway = ma.fields.String(required=True)
    method = ma.fields.String(required=True, allow_none=True)
    attempts = ma.fields.Integer(required=True)
    succeeded = ma.fields.Integer(required=True)
    open = ma.fields.Integer(
        required=True, metadata={"description": "Still pending: neither success nor failure"}
    )
    success_rate = ma.fields.Float(
        required=True, allow_none=True, metadata={"description": "succeeded / (attempts - open)"}
    )
    volume = ma.fields.List(ma.fields.Nested(MoneySchema), required=True)
    median_seconds_to_success = ma.fields.Float(required=True, allow_none=True)


class GatewayRefundsSchema(ma.Schema):
    gateway = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)
    amount = ma.fields.List(ma.fields.Nested(MoneySchema), required=True)


class PaymentsSchema(RangeSchema):
    methods = ma.fields.List(ma.fields.Nested(GatewayMethodSchema), required=True)
    refunds = ma.fields.List(ma.fields.Nested(GatewayRefundsSchema), required=True)


class LowStockVariantSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    sku = ma.fields.String(required=True)
    product = ma.fields.String(required=True)
    stock = ma.fields.Integer(required=True)


class LowStockSchema(ma.Schema):
    threshold = ma.fields.Integer(required=True)
    variants = ma.fields.List(ma.fields.Nested(LowStockVariantSchema), required=True)
