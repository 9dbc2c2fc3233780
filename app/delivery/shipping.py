"""Where each shipping method delivers and what it costs.

Zones are few (tens, not thousands), so applicability is decided in Python over all
zones loaded in one query: the same rules on every database, and no JSON operators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import NotFoundError, ValidationError
from app.core.money import Money
from app.delivery.models import ShippingMethod, ShippingRate, ShippingZone
from app.delivery.persistence import assign, find, is_valid_id, transaction
from app.extensions import db

ZONE_FIELDS = ("name", "countries", "regions", "cities")
ZONE_TAKEN = "A shipping zone with this name exists."
METHOD_TAKEN = "The zone already has a method with this name."
METHOD_FIELDS = ("name", "carrier", "description", "min_days", "max_days", "free_above", "is_active")


# ---- where methods deliver ------------------------------------------------------------


def _folded(value: str | None) -> str:
    return (value or "").strip().casefold()


def zone_covers(zone: ShippingZone, country: str, region: str | None, city: str | None) -> bool:
    """True when ``zone`` names the country and, if it narrows them, the region and city."""
    if country not in zone.countries:
        return False
    if zone.regions and _folded(region) not in {_folded(r) for r in zone.regions}:
        return False
    return not zone.cities or _folded(city) in {_folded(c) for c in zone.cities}


def applicable_zone_ids(country: str, region: str | None = None, city: str | None = None) -> set[int]:
    """Zones delivering to the destination; the rest-of-world zones when no zone names the country."""
    zones = db.session.scalars(sa.select(ShippingZone)).all()
    covering = {zone.id for zone in zones if zone_covers(zone, country, region, city)}
    if any(country in zone.countries for zone in zones):
        return covering
    return {zone.id for zone in zones if not zone.countries}


def applicable_shipping_methods(
    country: str, region: str | None = None, city: str | None = None
) -> list[ShippingMethod]:
    """Active methods delivering to the destination, fastest first, with zone and rates loaded."""
    zone_ids = applicable_zone_ids(country, region, city)
    if not zone_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ShippingMethod)
            .where(ShippingMethod.zone_id.in_(zone_ids), ShippingMethod.is_active)
            .options(joinedload(ShippingMethod.zone), selectinload(ShippingMethod.rates))
            .order_by(
                ShippingMethod.min_days, ShippingMethod.max_days, ShippingMethod.name, ShippingMethod.id
            )
        )
    )


def get_shipping_method(
    method_id: int, *, country: str, region: str | None = None, city: str | None = None
) -> ShippingMethod:
    """An active method for checkout: 404 when unknown or inactive, 422 when it does not
    deliver to the destination (a client cannot pick Nairobi couriers for Lagos)."""
    method = (
        db.session.scalar(
            sa.select(ShippingMethod)
            .where(ShippingMethod.id == method_id, ShippingMethod.is_active)
            .options(joinedload(ShippingMethod.zone), selectinload(ShippingMethod.rates))
        )
        if is_valid_id(method_id)
        else None
    )
    if method is None:
        raise NotFoundError("No such shipping method.")
    if method.zone_id not in applicable_zone_ids(country, region, city):
        raise ValidationError(
            "This shipping method does not deliver to that address.",
            details={"shipping_method_id": ["Does not deliver to this destination."]},
        )
    return method


# ---- what it costs --------------------------------------------------------------------


def rate_band(method: ShippingMethod, currency: str, weight_grams: int) -> ShippingRate | None:
    """The lightest band of ``currency`` that holds the parcel, or None."""
    bands = sorted(
        (rate for rate in method.rates if rate.currency == currency),
        key=lambda rate: (rate.max_weight_grams is None, rate.max_weight_grams or 0),
    )
    return next((r for r in bands if r.max_weight_grams is None or weight_grams <= r.max_weight_grams), None)


def free_threshold(method: ShippingMethod, currency: str) -> Money | None:
    """The subtotal from which the method is free in ``currency``; None: never free in it."""
    amount = (method.free_above or {}).get(currency)
    return None if amount is None else Money(amount, currency)


def quote_shipping(method: ShippingMethod, currency: str, weight_grams: int, subtotal_minor: int) -> Money:
    """What shipping costs for this parcel and order subtotal (same currency).

    Free when the subtotal reaches the method's threshold in that currency; but a parcel
    no weight band holds cannot travel by this method at all, free or not (422).
    """
    band = rate_band(method, currency, weight_grams)
    if band is None:
        raise ValidationError(
            f"{method.name} has no rate in {currency} for a parcel of {weight_grams} g.",
            details={"shipping_method_id": [f"Not available in {currency} for this weight."]},
        )
    threshold = free_threshold(method, currency)
    if threshold is not None and subtotal_minor >= threshold.amount:
        return Money(0, currency)
    return Money(band.amount, currency)


def shipping_quotes(
    country: str,
    region: str | None = None,
    city: str | None = None,
    currency: str | None = None,
    weight_grams: int = 0,
    subtotal: int = 0,
) -> list[dict[str, Any]]:
    """The methods a customer can choose for this destination and parcel, cheapest first.

    Methods that cannot carry the parcel in ``currency`` are left out rather than
    listed without a price.
    """
    currency = currency or current_app.config["DEFAULT_CURRENCY"]
    quotes = []
    for method in applicable_shipping_methods(country, region, city):
        if rate_band(method, currency, weight_grams) is None:
            continue
        price = quote_shipping(method, currency, weight_grams, subtotal)
        threshold = free_threshold(method, currency)
        quotes.append(
            {
                "id": method.id,
                "name": method.name,
                "carrier": method.carrier,
                "description": method.description,
                "zone": method.zone,
                "min_days": method.min_days,
                "max_days": method.max_days,
                "price": price.to_dict(),
                "is_free": price.amount == 0,
                "free_above": threshold.to_dict() if threshold else None,
            }
        )
    return sorted(quotes, key=lambda quote: quote["price"]["amount"])


# ---- staff: zones ---------------------------------------------------------------------


def list_zones() -> list[ShippingZone]:
    """Every zone with every method (active or not) and its rates: three queries."""
    return list(
        db.session.scalars(
            sa.select(ShippingZone)
            .options(selectinload(ShippingZone.methods).selectinload(ShippingMethod.rates))
            .order_by(ShippingZone.name)
        )
    )


def get_zone(zone_id: int) -> ShippingZone:
    zone = find(ShippingZone, zone_id)
    if zone is None:
        raise NotFoundError("No such shipping zone.")
    return zone


def create_zone(data: Mapping[str, Any]) -> ShippingZone:
    zone = ShippingZone(countries=[], regions=[], cities=[])
    with transaction(ZONE_TAKEN):
        assign(zone, data, ZONE_FIELDS)
        db.session.add(zone)
    return zone


def update_zone(zone_id: int, changes: Mapping[str, Any]) -> ShippingZone:
    zone = get_zone(zone_id)
    with transaction(ZONE_TAKEN):
        assign(zone, changes, ZONE_FIELDS)
    return zone


def delete_zone(zone_id: int) -> None:
    """Delete a zone and its methods (orders keep their own copy of what they paid)."""
    zone = get_zone(zone_id)
    with transaction("The zone changed at the same moment; try again."):
        db.session.delete(zone)


# ---- staff: methods -------------------------------------------------------------------


def get_method(method_id: int) -> ShippingMethod:
    method = find(ShippingMethod, method_id)
    if method is None:
        raise NotFoundError("No such shipping method.")
    return method


def create_method(data: Mapping[str, Any]) -> ShippingMethod:
    _check_days(data["min_days"], data["max_days"])
    zone = _zone_for(data["zone_id"])
    with transaction(METHOD_TAKEN):
        method = ShippingMethod(zone=zone, description="", free_above={}, is_active=True)
        assign(method, data, METHOD_FIELDS)
        method.rates = _rates(data.get("rates", ()))
        db.session.add(method)
    return method


def update_method(method_id: int, changes: Mapping[str, Any]) -> ShippingMethod:
    """Change a method; ``rates`` replaces all its rates."""
    method = get_method(method_id)
    _check_days(changes.get("min_days", method.min_days), changes.get("max_days", method.max_days))
    zone = _zone_for(changes["zone_id"]) if "zone_id" in changes else method.zone
    with transaction(METHOD_TAKEN):
        method.zone = zone
        assign(method, changes, METHOD_FIELDS)
        if "rates" in changes:
            method.rates.clear()
            db.session.flush()  # old bands go before new ones take their (currency, weight) keys
            method.rates.extend(_rates(changes["rates"]))
    return method


def delete_method(method_id: int) -> None:
    method = get_method(method_id)
    with transaction("The method is still in use; deactivate it instead."):
        db.session.delete(method)


def _zone_for(zone_id: int) -> ShippingZone:
    zone = find(ShippingZone, zone_id)
    if zone is None:
        raise ValidationError("No such shipping zone.", details={"zone_id": ["No such shipping zone."]})
    return zone


def _check_days(min_days: int, max_days: int) -> None:
    if min_days > max_days:
        raise ValidationError(
            "The estimate ends before it starts.", details={"max_days": ["Must be at least min_days."]}
        )


def _rates(rates: Iterable[Mapping[str, Any]]) -> list[ShippingRate]:
    return [
        ShippingRate(currency=r["currency"], max_weight_grams=r.get("max_weight_grams"), amount=r["amount"])
        for r in rates
    ]
