"""Bus stations: where customers collect parcels, and what collecting costs."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.core.errors import NotFoundError, ValidationError
from app.core.money import Money
from app.core.prepared_statements import prepared
from app.delivery.models import BusStation, BusStationFee
from app.delivery.persistence import assign, is_valid_id, transaction
from app.extensions import db

STATION_FIELDS = (
    "name",
    "operator",
    "city",
    "region",
    "country",
    "address",
    "landmark",
    "phone",
    "opening_hours",
    "holding_days",
    "is_active",
)
DUPLICATE = "A station with this name already exists in that city."


def list_bus_stations(
    country: str | None = None,
    city: str | None = None,
    currency: str | None = None,
    is_active: bool | None = True,
) -> sa.Select:
    """Stations by country and city (any case), ordered for a picker; paginated by the caller.

    With ``currency``, only stations that take a fee in it: a cart in GHS cannot be
    collected where pickup is priced in NGN only. Fees are loaded in one extra query.
    """
    query = sa.select(BusStation).options(selectinload(BusStation.fees))
    if is_active is not None:
        query = query.where(BusStation.is_active.is_(is_active))
    if country:
        query = query.where(BusStation.country == country)
    if city:
        query = query.where(sa.func.lower(BusStation.city) == city.strip().lower())
    if currency:
        query = query.where(BusStation.fees.any(BusStationFee.currency == currency))
    return query.order_by(BusStation.country, BusStation.city, BusStation.name, BusStation.id)


@functools.cache
def _station_statement() -> sa.Select:
    """Built once, the id bound by name: every pickup checkout runs it, and building the
    select with its loader option (as ``session.get`` with options does) cost more CPU
    than running it."""
    return prepared(
        sa.select(BusStation)
        .where(BusStation.id == sa.bindparam("station_id"))
        .options(joinedload(BusStation.fees))
    )


def get_bus_station(station_id: int) -> BusStation:
    """Staff: any station, active or not.

    Every caller reads its fees (to show them, or to price a pickup at checkout): they are
    joined rather than loaded by a second query.
    """
    station = None
    if is_valid_id(station_id):
        rows = db.session.execute(_station_statement(), {"station_id": station_id})
        station = rows.unique().scalar_one_or_none()
    if station is None:
        raise NotFoundError("No such bus station.")
    return station


def get_active_bus_station(station_id: int) -> BusStation:
    """A station a customer may choose; an inactive one is a 404 like a missing one."""
    station = get_bus_station(station_id)
    if not station.is_active:
        raise NotFoundError("No such bus station.")
    return station


def bus_station_fee(station: BusStation, currency: str) -> Money:
    """The pickup fee in ``currency``; 422 when the station does not take that currency."""
    fee = next((f for f in station.fees if f.currency == currency), None)
    if fee is None:
        raise ValidationError(
            f"{station.name} has no pickup fee in {currency}.",
            details={"bus_station_id": [f"Pickup is not available in {currency} here."]},
        )
    return Money(fee.amount, currency)


def create_bus_station(data: Mapping[str, Any]) -> BusStation:
    station = BusStation(opening_hours="", holding_days=7, is_active=True)
    with transaction(DUPLICATE):
        assign(station, data, STATION_FIELDS)
        station.fees = _fees(data.get("fees", ()))
        db.session.add(station)
    return station


def update_bus_station(station_id: int, changes: Mapping[str, Any]) -> BusStation:
    """Change a station; ``fees`` replaces all its fees."""
    station = get_bus_station(station_id)
    with transaction(DUPLICATE):
        assign(station, changes, STATION_FIELDS)
        if "fees" in changes:
            station.fees.clear()
            db.session.flush()  # old fees go before new ones take their currency
            station.fees.extend(_fees(changes["fees"]))
    return station


def delete_bus_station(station_id: int) -> None:
    """Delete a station; deactivate it instead while parcels may still wait there."""
    station = get_bus_station(station_id)
    with transaction("The station is still in use; deactivate it instead."):
        db.session.delete(station)


def _fees(fees: Iterable[Mapping[str, Any]]) -> list[BusStationFee]:
    return [BusStationFee(currency=f["currency"], amount=f["amount"]) for f in fees]
