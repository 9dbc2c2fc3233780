"""Request and response bodies of the order endpoints."""

from __future__ import annotations

import marshmallow as ma

from app.core.schemas import MoneySchema
from app.orders.states import OrderStatus

STATUSES = [status.value for status in OrderStatus]


class CheckoutSchema(ma.Schema):
    """Deliver to one of the caller's addresses (with a shipping method) or a bus station."""

    address_id = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))
    bus_station_id = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))
    shipping_method_id = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))
    note = ma.fields.String(validate=ma.validate.Length(max=500))

    @ma.validates_schema
    def one_destination(self, data, **_kwargs) -> None:
        if ("address_id" in data) == ("bus_station_id" in data):
            raise ma.ValidationError("Give exactly one of address_id and bus_station_id.", "_schema")


class OrderQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    delivery_type = ma.fields.String(validate=ma.validate.OneOf(["address", "bus_station"]))
    created_from = ma.fields.AwareDateTime(default_timezone=None)
    created_to = ma.fields.AwareDateTime(default_timezone=None)
    email = ma.fields.String(validate=ma.validate.Length(max=254), metadata={"description": "Staff only"})
    all = ma.fields.Boolean(
        load_default=False, metadata={"description": "Staff: every customer's orders, not only your own"}
    )


class CancelSchema(ma.Schema):
    reason = ma.fields.String(validate=ma.validate.Length(max=500))


class StatusChangeSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    note = ma.fields.String(validate=ma.validate.Length(max=500))


class CollectionCodeSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=4, max=12))


class OrderItemSchema(ma.Schema):
    product_name = ma.fields.String()
    product_slug = ma.fields.String()
    sku = ma.fields.String()
    options = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    quantity = ma.fields.Integer()
    unit_price = ma.fields.Nested(MoneySchema)
    total = ma.fields.Nested(MoneySchema)


class OrderEventSchema(ma.Schema):
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    actor_role = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class DeliverySchema(ma.Schema):
    type = ma.fields.String(metadata={"description": "address or bus_station"})
    address = ma.fields.Dict(allow_none=True)
    bus_station = ma.fields.Dict(allow_none=True)
    shipping_method = ma.fields.String(allow_none=True)


class OrderSchema(ma.Schema):
    number = ma.fields.String()
    status = ma.fields.String()
    currency = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(OrderItemSchema))
    subtotal = ma.fields.Nested(MoneySchema)
    discount = ma.fields.Nested(MoneySchema)
    shipping = ma.fields.Nested(MoneySchema)
    tax = ma.fields.Nested(MoneySchema)
    total = ma.fields.Nested(MoneySchema)
    tax_rate = ma.fields.String(metadata={"description": "VAT percent, e.g. 7.5"})
    prices_include_tax = ma.fields.Boolean()
    coupon_code = ma.fields.String(allow_none=True)
    delivery = ma.fields.Nested(DeliverySchema)
    note = ma.fields.String(allow_none=True)
    expires_at = ma.fields.DateTime(allow_none=True, metadata={"description": "Unpaid orders expire then"})
    created_at = ma.fields.DateTime()
    history = ma.fields.List(ma.fields.Nested(OrderEventSchema))
    collection_code = ma.fields.String(
        allow_none=True, metadata={"description": "Pickup orders: shown once, in the checkout response"}
    )
