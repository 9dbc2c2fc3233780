"""Checkout: turn the cart into an order, in one transaction, with exactly one effect.

Stock is reserved with conditional updates, the coupon's use is counted atomically, the
order and its lines are written and the cart is closed — all or nothing: the caller
commits (the ``Idempotency-Key`` wrapper, with the response it stores). A retry with the
same key finds the order already placed (a unique constraint on the user and key)
instead of placing another.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.cart import coupons
from app.cart import services as cart_services
from app.cart.models import Cart, CartStatus
from app.core.errors import AppError, ConflictError, ErrorCode, ValidationError
from app.core.models import utcnow
from app.core.prepared_statements import prepared
from app.delivery import services as delivery
from app.delivery.collection_codes import new_collection_code
from app.extensions import db
from app.orders.models import Order, OrderEvent, OrderItem
from app.orders.states import OrderStatus
from app.orders.totals import Totals, compute_totals
from app.products import inventory


@dataclass(frozen=True)
class Delivery:
    """Where the order goes, what it costs to get there, and the snapshot to store."""

    type: str
    country: str
    shipping: int
    method_id: int | None = None
    method_name: str | None = None
    address: dict[str, Any] | None = None
    station_id: int | None = None
    station: dict[str, Any] | None = None


@dataclass(frozen=True)
class Placed:
    """The outcome: the order, its collection code (pickup only, shown once), and whether
    this call created it (False when an earlier call with the same key did)."""

    order: Order
    collection_code: str | None = None
    created: bool = False


@functools.cache
def _existing_statement() -> sa.Select:
    """Built once (see ``cart.services._open_cart_statement``), the user and key bound by name."""
    return sa.select(Order).where(
        Order.user_id == sa.bindparam("user_id"), Order.idempotency_key == sa.bindparam("key")
    )


def _existing(user: User, key: str) -> Order | None:
    return db.session.scalar(_existing_statement(), {"user_id": user.id, "key": key})


def _open_cart(user: User) -> Cart:
    # Locked: the same cart checked out twice at once (two keys, two tabs) makes one order.
    cart = cart_services.open_cart(cart_services.CartOwner(user=user), lock=True)
    if cart is None or not cart.items:
        raise ValidationError("Your cart is empty.", code=ErrorCode.CART_EMPTY)
    return cart


def _check_prices(cart: Cart, offers: dict[int, inventory.CartOffer]) -> None:
    """Refuse (409) if a price moved since it was added; the cart then shows the new prices."""
    unavailable = [item.variant_id for item in cart.items if not offers[item.variant_id].buyable]
    if unavailable:
        raise ConflictError(
            "Some items are no longer sold; remove them to continue.",
            code=ErrorCode.INSUFFICIENT_STOCK,
            details={"items": [{"variant_id": v, "available": 0} for v in unavailable]},
        )
    changed = []
    for item in cart.items:
        current = offers[item.variant_id].offer.amount
        if current != item.unit_price:
            changed.append({"variant_id": item.variant_id, "was": item.unit_price, "now": current})
            item.unit_price = current
    if changed:
        db.session.commit()
        raise ConflictError(
            "Prices changed since you added these items; review your cart and place the order again.",
            code=ErrorCode.PRICE_CHANGED,
            details={"items": changed},
        )


def _delivery(
    user: User,
    cart: Cart,
    weight_grams: int,
    goods: int,
    address_id: int | None,
    bus_station_id: int | None,
    shipping_method_id: int | None,
) -> Delivery:
    if bus_station_id is not None:
        station = delivery.get_active_bus_station(bus_station_id)
        fee = delivery.bus_station_fee(station, cart.currency)
        snapshot = {
            "id": station.id,
            "name": station.name,
            "operator": station.operator,
            "city": station.city,
            "country": station.country,
            "address": station.address,
            "landmark": station.landmark,
            "phone": station.phone,
            "opening_hours": station.opening_hours,
            "holding_days": station.holding_days,
        }
        return Delivery("bus_station", station.country, fee.amount, station_id=station.id, station=snapshot)
    address = delivery.get_user_address(user, address_id)
    if shipping_method_id is None:
        raise ValidationError(
            "Choose a shipping method for delivery to an address.",
            details={"shipping_method_id": ["Required with address_id."]},
        )
    method = delivery.get_shipping_method(
        shipping_method_id, country=address.country, region=address.region, city=address.city
    )
    price = delivery.quote_shipping(method, cart.currency, weight_grams, goods)
    snapshot = {
        field: getattr(address, field)
        for field in ("recipient_name", "phone", "line1", "line2", "city", "region", "country")
    } | {"postal_code": address.postal_code, "landmark": address.landmark, "coordinates": address.coordinates}
    return Delivery(
        "address",
        address.country,
        price.amount,
        method_id=method.id,
        method_name=method.name,
        address=snapshot,
    )


def _expiry(delivery_type: str):
    config = current_app.config
    if delivery_type == "bus_station":
        return utcnow() + timedelta(hours=config["ORDER_PICKUP_PAYMENT_WINDOW_HOURS"])
    return utcnow() + timedelta(minutes=config["ORDER_PAYMENT_WINDOW_MINUTES"])


def _build_order(
    user: User, cart: Cart, key: str, totals: Totals, where: Delivery, note: str | None
) -> Order:
    """The order as it will be written, timestamps included: it is rendered from this object."""
    now = utcnow()
    return Order(
        user_id=user.id,
        idempotency_key=key,
        status=OrderStatus.PENDING_PAYMENT.value,
        currency=cart.currency,
        subtotal=totals.subtotal,
        discount=totals.discount,
        shipping=totals.shipping,
        tax=totals.tax,
        tax_rate_bp=totals.tax_rate_bp,
        prices_include_tax=totals.prices_include_tax,
        total=totals.total,
        coupon_code=cart.coupon.code if cart.coupon else None,
        delivery_type=where.type,
        shipping_method_id=where.method_id,
        shipping_method_name=where.method_name,
        address=where.address,
        bus_station_id=where.station_id,
        bus_station=where.station,
        country=where.country,
        note=note,
        expires_at=_expiry(where.type),
        created_at=now,
        updated_at=now,
    )


def _add_items(order: Order, cart: Cart, offers: dict[int, inventory.CartOffer]) -> None:
    for item in cart.items:
        offer = offers[item.variant_id]
        order.items.append(
            OrderItem(
                variant_id=offer.variant_id,
                product_id=offer.product_id,
                product_name=offer.product_name,
                product_slug=offer.product_slug,
                sku=offer.sku,
                options=offer.options,
                quantity=item.quantity,
                unit_price=item.unit_price,
                total=item.quantity * item.unit_price,
            )
        )


_ORDERS: sa.Table = Order.__table__
_ITEMS: sa.Table = OrderItem.__table__
_EVENTS: sa.Table = OrderEvent.__table__
_CARTS: sa.Table = Cart.__table__
#: Built once, values bound by name (see ``app.core.idempotency``); ``updated_at`` is set
#: by the columns' ``onupdate`` as a flush would.
_INSERT_ORDER = prepared(sa.insert(_ORDERS).returning(_ORDERS.c.id))
_NUMBER_ORDER = prepared(sa.update(_ORDERS).where(_ORDERS.c.id == sa.bindparam("order_id")))
_INSERT_ITEMS = sa.insert(_ITEMS)
_INSERT_EVENT = prepared(sa.insert(_EVENTS))
_CLOSE_CART = prepared(
    sa.update(_CARTS)
    .where(_CARTS.c.id == sa.bindparam("cart_id"))
    .values(status=CartStatus.CHECKED_OUT.value)
)


def _row(obj: object, table: sa.Table) -> dict[str, Any]:
    """The values ``obj`` was built with, for a Core INSERT into ``table`` (ids excepted)."""
    return {column.key: getattr(obj, column.key) for column in table.columns if column.key != "id"}


def _write(order: Order, cart: Cart) -> None:
    """Insert the order, its lines and first event, number it and close the cart.

    Core statements, not the unit of work: the objects are only rendered afterwards, and
    sorting, flushing and synchronising them cost more CPU than the statements themselves.
    They stay out of the session (transient), so nothing can flush them a second time.
    """
    connection = db.session.connection()  # the session's own, in its transaction
    order.id = connection.execute(_INSERT_ORDER, _row(order, _ORDERS)).scalar_one()
    order.number = f"{current_app.config['ORDER_NUMBER_PREFIX']}-{order.created_at:%y}{order.id:04d}"
    connection.execute(_NUMBER_ORDER, {"order_id": order.id, "number": order.number})
    owned = {"order_id": order.id}
    connection.execute(_INSERT_ITEMS, [_row(item, _ITEMS) | owned for item in order.items])
    (placed,) = order.events
    connection.execute(_INSERT_EVENT, _row(placed, _EVENTS) | owned)
    connection.execute(_CLOSE_CART, {"cart_id": cart.id})


def _reserve(order: Order, offers: dict[int, inventory.CartOffer]) -> None:
    short = inventory.reserve_stock(order.quantities)
    if short:
        wanted = order.quantities
        raise ConflictError(
            "Some items are short of stock; nothing was ordered.",
            code=ErrorCode.INSUFFICIENT_STOCK,
            details={
                "items": [
                    {
                        "variant_id": variant_id,
                        "sku": offers[variant_id].sku,
                        "requested": wanted[variant_id],
                        "available": available,
                    }
                    for variant_id, available in sorted(short.items())
                ]
            },
        )


@dataclass(frozen=True)
class _Draft:
    """A checkout that may go ahead: the locked cart, its offers, and the order to write."""

    cart: Cart
    offers: dict[int, inventory.CartOffer]
    order: Order
    discount: int
    collection_code: str | None


def _draft(
    user: User,
    key: str,
    address_id: int | None,
    bus_station_id: int | None,
    shipping_method_id: int | None,
    note: str | None,
) -> _Draft:
    """Lock and price the cart and build its order; an ``AppError`` if it cannot be placed."""
    cart = _open_cart(user)
    offers = inventory.cart_offers((i.variant_id for i in cart.items), cart.currency)
    _check_prices(cart, offers)
    lines, _ = cart_services.cart_lines(cart, offers)
    subtotal = sum(line.total for line in lines)
    discount = coupons.check_coupon(cart.coupon, lines, cart.currency, user.id) if cart.coupon else 0
    weight = sum(offers[i.variant_id].weight_grams * i.quantity for i in cart.items)
    where = _delivery(user, cart, weight, subtotal - discount, address_id, bus_station_id, shipping_method_id)
    totals = compute_totals(subtotal, discount, where.shipping, where.country)
    order = _build_order(user, cart, key, totals, where, note)
    code = None
    if where.type == "bus_station":
        code, order.collection_code_hash = new_collection_code()
    _add_items(order, cart, offers)
    event = OrderEvent(to_status=order.status, actor_id=user.id, actor_role="customer")
    event.created_at = order.created_at
    order.events.append(event)
    return _Draft(cart, offers, order, discount, code)


def place_order(
    user: User,
    *,
    idempotency_key: str,
    address_id: int | None = None,
    bus_station_id: int | None = None,
    shipping_method_id: int | None = None,
    note: str | None = None,
) -> Placed:
    """Place the user's cart as an order, in a transaction the caller commits (or rolls back).

    A pickup order's collection code is returned only here (only its keyed hash is
    stored); a replay of the same key returns the order without it.

    An order this key placed before is looked for only when this one cannot be placed
    (or its insert collides with it): the key was claimed just now, so such an order is
    one whose claim was purged (``IDEMPOTENCY_TTL_HOURS``) or released by a failure after
    its commit; it is the answer, as it would have been to a lookup made first.
    """
    try:
        draft = _draft(user, idempotency_key, address_id, bus_station_id, shipping_method_id, note)
    except AppError:
        if (existing := _existing(user, idempotency_key)) is not None:
            return Placed(existing)
        raise
    order, cart = draft.order, draft.cart
    try:
        _write(order, cart)
        _reserve(order, draft.offers)
        if cart.coupon:
            coupons.redeem(cart.coupon, user.id, order.id, draft.discount)
    except IntegrityError:  # the same key's twin committed first: that order is the answer
        db.session.rollback()
        if (existing := _existing(user, idempotency_key)) is not None:
            return Placed(existing)
        raise
    return Placed(order, draft.collection_code, created=True)
