"""Orders as clients see them: money as ``{amount, currency}`` objects, history in order."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.core.schemas import shown_options
from app.orders.models import Order


def order_view(order: Order, collection_code: str | None = None) -> dict[str, Any]:
    currency = order.currency

    def money(amount: int) -> dict[str, Any]:
        # What ``Money.to_dict`` gives, without validating the stored currency once per amount.
        return {"amount": amount, "currency": currency}

    return {
        "number": order.number,
        "status": order.status,
        "currency": order.currency,
        "items": [
            {
                "product_name": item.product_name,
                "product_slug": item.product_slug,
                "sku": item.sku,
                "options": item.options,
                "quantity": item.quantity,
                "unit_price": money(item.unit_price),
                "total": money(item.total),
            }
            for item in order.items
        ],
        "subtotal": money(order.subtotal),
        "discount": money(order.discount),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "total": money(order.total),
        "tax_rate": str(Decimal(order.tax_rate_bp) / 100),
        "prices_include_tax": order.prices_include_tax,
        "coupon_code": order.coupon_code,
        "delivery": {
            "type": order.delivery_type,
            "address": order.address,
            "bus_station": order.bus_station,
            "shipping_method": order.shipping_method_name,
        },
        "note": order.note,
        "expires_at": order.expires_at,
        "created_at": order.created_at,
        "history": [
            {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor_role": event.actor_role,
                "note": event.note,
                "created_at": event.created_at,
            }
            for event in order.events
        ],
        "collection_code": collection_code,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def sent_order_view(order: Order, collection_code: str | None = None) -> dict[str, Any]:
    """``order_view`` exactly as ``OrderSchema`` dumps it (times in ISO 8601, option values
    as text), so that checkout, the busiest order write, sends it without a dump."""
    view = order_view(order, collection_code)
    view["expires_at"], view["created_at"] = _iso(view["expires_at"]), _iso(view["created_at"])
    for event in view["history"]:
        event["created_at"] = _iso(event["created_at"])
    for item in view["items"]:
        item["options"] = shown_options(item["options"])
    return view
