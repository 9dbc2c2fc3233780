"""The demo delivery data: idempotent, valid, and quotable in each market's currency."""

from __future__ import annotations

import phonenumbers
import pytest

from app.core.money import Money
from app.delivery import services
from app.delivery.models import BusStation, ShippingMethod, ShippingZone
from app.delivery.seed import METHODS, STATIONS, ZONES, seed_delivery
from app.extensions import db


def test_seeding_twice_creates_everything_once(app):
    assert seed_delivery() == {"zones": len(ZONES), "methods": len(METHODS), "bus stations": len(STATIONS)}
    assert seed_delivery() == {"zones": 0, "methods": 0, "bus stations": 0}
    assert db.session.query(ShippingZone).count() == len(ZONES)
    assert db.session.query(ShippingMethod).count() == len(METHODS)
    assert db.session.query(BusStation).count() == len(STATIONS)


def test_a_second_run_keeps_staff_edits(app):
    seed_delivery()
    station = db.session.query(BusStation).filter_by(name="Jibowu Motor Park").one()
    station.holding_days = 3
    db.session.commit()
    seed_delivery()
    assert db.session.query(BusStation).filter_by(name="Jibowu Motor Park").one().holding_days == 3


def test_station_phones_are_valid_e164():
    for station in STATIONS:
        number = phonenumbers.parse(station["phone"])
        assert phonenumbers.is_valid_number(number), station["name"]
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == station["phone"]


@pytest.mark.parametrize(
    ("country", "city", "currency"),
    [
        ("NG", "Lagos", "NGN"),
        ("NG", "Kano", "NGN"),
        ("KE", "Nairobi", "KES"),
        ("GH", "Accra", "GHS"),
        ("UG", "Kampala", "UGX"),
        ("ZA", "Cape Town", "USD"),
    ],
)
def test_every_market_gets_a_quote_and_a_pickup_point_or_courier(app, country, city, currency):
    seed_delivery()
    quotes = services.shipping_quotes(country, city=city, currency=currency, weight_grams=1500)
    assert quotes, f"no shipping to {city}"
    assert all(quote["price"]["currency"] == currency for quote in quotes)


def test_seeded_stations_price_pickup_in_their_local_currency(app):
    seed_delivery()
    kampala = db.session.query(BusStation).filter_by(city="Kampala").one()
    assert services.bus_station_fee(kampala, "UGX") == Money(5_000, "UGX")
    assert services.get_active_bus_station(kampala.id) is kampala
