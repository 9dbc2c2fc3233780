"""Request and response bodies of the delivery endpoints.

Money is ``{"amount": <minor units>, "currency": "NGN"}`` as everywhere in the API; the
catalog's money schemas are reused so the OpenAPI document has one ``Money``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma

from app.core.fields import CountryCode, CurrencyCode, PhoneNumber
from app.delivery.persistence import MAX_ID
from app.products.schemas import MAX_AMOUNT, MoneySchema

MAX_WEIGHT_GRAMS = 10**7  # 10 tonnes: far beyond any parcel
MAX_DAYS = 365


def Text(max_length: int, **kwargs: Any) -> ma.fields.String:  # noqa: N802 - reads like a field class
    """A non-empty string of at most ``max_length`` characters."""
    return ma.fields.String(validate=ma.validate.Length(min=1, max=max_length), **kwargs)


def OptionalText(max_length: int, **kwargs: Any) -> ma.fields.String:  # noqa: N802
    """An optional string; an empty one is stored as null."""
    return _EmptyIsNull(allow_none=True, validate=ma.validate.Length(max=max_length), **kwargs)


class _EmptyIsNull(ma.fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str | None:
        return super()._deserialize(value, attr, data, **kwargs) or None

    def _validate(self, value: str | None) -> None:
        if value is not None:  # an empty string turned into null has nothing left to check
            super()._validate(value)


def Int(minimum: int, maximum: int, **kwargs: Any) -> ma.fields.Integer:  # noqa: N802
    """A JSON integer in [minimum, maximum]; ``2.0`` or ``"2"`` is refused, not truncated."""
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=minimum, max=maximum), **kwargs)


class Bool(ma.fields.Boolean):
    """A JSON ``true`` or ``false``; ``0``, ``1`` or ``"yes"`` in a body is a mistake, not a flag."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class MoneyInSchema(ma.Schema):
    """An amount in one currency's minor units (a fee, a threshold)."""

    currency = CurrencyCode(required=True)
    amount = Int(0, MAX_AMOUNT, required=True, metadata={"description": "Minor units (kobo, cents)"})


def one_per_currency() -> Callable[[list[dict[str, Any]]], None]:
    """Two fees (or thresholds) in one currency would leave the price ambiguous: 422."""
    return _unique(lambda item: item["currency"], "One amount per currency.")


def _unique(key: Callable[[dict[str, Any]], Any], message: str) -> Callable[[list[dict[str, Any]]], None]:
    """A list validator refusing two items with the same ``key``."""

    def validate(items: list[dict[str, Any]]) -> None:
        keys = [key(item) for item in items]
        if len(keys) != len(set(keys)):
            raise ma.ValidationError(message)

    return validate


# ---- addresses ------------------------------------------------------------------------


class Degrees(ma.fields.Float):
    """A JSON number of degrees (a quoted ``"6.5"`` is refused, like any string)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class CoordinatesSchema(ma.Schema):
    """GPS position of the doorstep; both numbers or none (send ``null`` to clear)."""

    latitude = Degrees(required=True, validate=ma.validate.Range(min=-90, max=90))
    longitude = Degrees(required=True, validate=ma.validate.Range(min=-180, max=180))


class AddressUpdateSchema(ma.Schema):
    recipient_name = Text(200)
    phone = PhoneNumber()
    line1 = Text(200)
    line2 = OptionalText(200)
    city = Text(100)
    region = OptionalText(100, metadata={"description": "State, county or region"})
    country = CountryCode()
    postal_code = OptionalText(20)
    landmark = OptionalText(255, metadata={"example": "Opposite the Total filling station"})
    coordinates = ma.fields.Nested(CoordinatesSchema, allow_none=True)
    is_default = Bool(metadata={"description": "Make it the default (others stop being)"})


class AddressCreateSchema(AddressUpdateSchema):
    recipient_name = Text(200, required=True)
    phone = PhoneNumber(required=True)
    line1 = Text(200, required=True)
    city = Text(100, required=True)
    country = CountryCode(required=True)


class AddressSchema(ma.Schema):
    id = ma.fields.Integer()
    recipient_name = ma.fields.String()
    phone = ma.fields.String()
    line1 = ma.fields.String()
    line2 = ma.fields.String(allow_none=True)
    city = ma.fields.String()
    region = ma.fields.String(allow_none=True)
    country = ma.fields.String()
    postal_code = ma.fields.String(allow_none=True)
    landmark = ma.fields.String(allow_none=True)
    coordinates = ma.fields.Nested(CoordinatesSchema, allow_none=True)
    is_default = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


# ---- shipping zones and methods -------------------------------------------------------


class ZoneRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()


class ShippingQuerySchema(ma.Schema):
    country = CountryCode(required=True, metadata={"description": "Destination, ISO 3166-1 alpha-2"})
    region = ma.fields.String(validate=ma.validate.Length(max=100))
    city = ma.fields.String(validate=ma.validate.Length(max=100))
    currency = CurrencyCode(metadata={"description": "ISO 4217; defaults to the shop's currency"})
    weight_grams = ma.fields.Integer(
        load_default=0,
        validate=ma.validate.Range(min=0, max=MAX_WEIGHT_GRAMS),
        metadata={"description": "Parcel"},
    )
    subtotal = ma.fields.Integer(
        load_default=0,
        validate=ma.validate.Range(min=0, max=MAX_AMOUNT),
        metadata={"description": "Order subtotal in minor units of ``currency`` (free shipping)"},
    )


class ShippingQuoteSchema(ma.Schema):
    """A method that delivers to the destination, priced for this parcel."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    carrier = ma.fields.String()
    description = ma.fields.String()
    zone = ma.fields.Nested(ZoneRefSchema)
    min_days = ma.fields.Integer()
    max_days = ma.fields.Integer()
    price = ma.fields.Nested(MoneySchema)
    is_free = ma.fields.Boolean()
    free_above = ma.fields.Nested(
        MoneySchema, allow_none=True, metadata={"description": "Free from this subtotal"}
    )


class ShippingRateSchema(ma.Schema):
    currency = CurrencyCode(required=True)
    max_weight_grams = Int(
        1,
        MAX_WEIGHT_GRAMS,
        load_default=None,
        allow_none=True,
        metadata={"description": "Heaviest parcel of this band; null: no upper bound"},
    )
    amount = Int(0, MAX_AMOUNT, required=True)


class ShippingMethodUpdateSchema(ma.Schema):
    zone_id = Int(1, MAX_ID)
    name = Text(120)
    carrier = Text(120)
    description = ma.fields.String(validate=ma.validate.Length(max=2000))
    min_days = Int(0, MAX_DAYS)
    max_days = Int(0, MAX_DAYS)
    free_above = ma.fields.List(
        ma.fields.Nested(MoneyInSchema),
        validate=one_per_currency(),
        metadata={"description": "Subtotal per currency from which shipping is free; replaces them all"},
    )
    is_active = Bool()
    rates = ma.fields.List(
        ma.fields.Nested(ShippingRateSchema),
        validate=_unique(lambda r: (r["currency"], r["max_weight_grams"]), "One rate per currency and band."),
        metadata={"description": "Weight bands per currency; replaces every rate of the method"},
    )

    @ma.post_load
    def _thresholds_by_currency(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "free_above" in data:
            data["free_above"] = {item["currency"]: item["amount"] for item in data["free_above"]}
        return data


class ShippingMethodCreateSchema(ShippingMethodUpdateSchema):
    zone_id = Int(1, MAX_ID, required=True)
    name = Text(120, required=True)
    carrier = Text(120, required=True)
    min_days = Int(0, MAX_DAYS, required=True)
    max_days = Int(0, MAX_DAYS, required=True)


class ZoneMethodSchema(ma.Schema):
    """Staff view of a method inside its zone: every rate and threshold."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    carrier = ma.fields.String()
    description = ma.fields.String()
    min_days = ma.fields.Integer()
    max_days = ma.fields.Integer()
    free_above = ma.fields.List(ma.fields.Nested(MoneySchema), attribute="free_thresholds")
    is_active = ma.fields.Boolean()
    rates = ma.fields.List(ma.fields.Nested(ShippingRateSchema))


class ShippingMethodSchema(ZoneMethodSchema):
    """Staff view of a method on its own, naming its zone."""

    zone = ma.fields.Nested(ZoneRefSchema)


class ShippingZoneUpdateSchema(ma.Schema):
    name = Text(120)
    countries = ma.fields.List(
        CountryCode(),
        metadata={"description": "Empty: the rest of the world (countries no other zone names)"},
    )
    regions = ma.fields.List(Text(100), metadata={"description": "Optional: only these regions"})
    cities = ma.fields.List(Text(100), metadata={"description": "Optional: only these cities"})

    @ma.post_load
    def _without_repeats(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """A place named twice is still one place: keep the first mention."""
        for key in ("countries", "regions", "cities"):
            if key in data:
                data[key] = list(dict.fromkeys(data[key]))
        return data


class ShippingZoneCreateSchema(ShippingZoneUpdateSchema):
    name = Text(120, required=True)


class ShippingZoneSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    countries = ma.fields.List(ma.fields.String())
    regions = ma.fields.List(ma.fields.String())
    cities = ma.fields.List(ma.fields.String())
    methods = ma.fields.List(ma.fields.Nested(ZoneMethodSchema))


# ---- bus stations ---------------------------------------------------------------------


class BusStationQuerySchema(ma.Schema):
    country = CountryCode()
    city = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"description": "Any case"})
    currency = CurrencyCode(metadata={"description": "Only stations that take parcels paid in it"})


class StaffBusStationQuerySchema(BusStationQuerySchema):
    is_active = ma.fields.Boolean()


class BusStationUpdateSchema(ma.Schema):
    name = Text(200)
    operator = Text(120, metadata={"description": "Bus company or agent", "example": "GUO Transport"})
    city = Text(100)
    region = OptionalText(100)
    country = CountryCode()
    address = Text(255)
    landmark = OptionalText(255)
    phone = PhoneNumber(allow_none=True)
    opening_hours = ma.fields.String(
        validate=ma.validate.Length(max=200), metadata={"example": "Mon-Sat 07:00-19:00"}
    )
    holding_days = Int(
        1,
        90,
        metadata={"description": "Days a parcel waits for collection"},
    )
    is_active = Bool()
    fees = ma.fields.List(
        ma.fields.Nested(MoneyInSchema),
        validate=one_per_currency(),
        metadata={"description": "Pickup fee per currency; replaces every fee of the station"},
    )


class BusStationCreateSchema(BusStationUpdateSchema):
    name = Text(200, required=True)
    operator = Text(120, required=True, metadata={"example": "GUO Transport"})
    city = Text(100, required=True)
    country = CountryCode(required=True)
    address = Text(255, required=True)


class BusStationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    operator = ma.fields.String()
    city = ma.fields.String()
    region = ma.fields.String(allow_none=True)
    country = ma.fields.String()
    address = ma.fields.String()
    landmark = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    opening_hours = ma.fields.String()
    holding_days = ma.fields.Integer()
    is_active = ma.fields.Boolean()
    fees = ma.fields.List(ma.fields.Nested(MoneySchema), metadata={"description": "Pickup fee per currency"})
