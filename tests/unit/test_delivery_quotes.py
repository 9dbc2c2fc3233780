"""Shipping quotes and pickup fees: weight bands, free thresholds, ISO 4217 exponents,
and where each method delivers."""

from __future__ import annotations

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.money import Money
from app.delivery import services
from tests.factories import BusStationFactory, ShippingMethodFactory, ShippingZoneFactory

# ---- weight bands and free thresholds in 2-, 0- and 3-decimal currencies --------------


@pytest.fixture
def method():
    return ShippingMethodFactory(
        rates={
            "NGN": [
                (2000, 250_000),
                (5000, 450_000),
                (None, 1_500_000),
            ],  # ₦2,500.00 / ₦4,500.00 / ₦15,000.00
            "UGX": [(2000, 10_000), (10_000, 20_000)],  # USh 10,000 / 20,000 — no open band
            "KWD": [(1000, 1_250), (None, 4_500)],  # KD 1.250 / 4.500
        },
        free_above={"NGN": 5_000_000, "UGX": 300_000, "KWD": 50_000},  # ₦50,000.00, USh 300,000, KD 50.000
    )


@pytest.mark.parametrize(
    ("currency", "grams", "expected", "major"),
    [
        ("NGN", 0, 250_000, "2500.00"),
        ("NGN", 2000, 250_000, "2500.00"),  # a band includes its upper bound
        ("NGN", 2001, 450_000, "4500.00"),
        ("NGN", 5000, 450_000, "4500.00"),
        ("NGN", 80_000, 1_500_000, "15000.00"),  # the open band takes any weight
        ("UGX", 1500, 10_000, "10000"),
        ("UGX", 10_000, 20_000, "20000"),
        ("KWD", 999, 1_250, "1.250"),
        ("KWD", 1001, 4_500, "4.500"),
    ],
)
def test_the_lightest_band_holding_the_parcel_prices_it(method, currency, grams, expected, major):
    quote = services.quote_shipping(method, currency, grams, subtotal_minor=0)
    assert quote == Money(expected, currency)
    assert str(quote.to_major()) == major


@pytest.mark.parametrize(("currency", "threshold"), [("NGN", 5_000_000), ("UGX", 300_000), ("KWD", 50_000)])
def test_free_from_the_threshold_in_each_currency(method, currency, threshold):
    assert services.quote_shipping(method, currency, 1000, threshold - 1).amount > 0
    assert services.quote_shipping(method, currency, 1000, threshold) == Money(0, currency)
    assert services.quote_shipping(method, currency, 1000, threshold * 10) == Money(0, currency)


def test_a_threshold_in_another_currency_never_makes_shipping_free():
    method = ShippingMethodFactory(rates={"GHS": [(None, 3_000)]}, free_above={"NGN": 1})
    assert services.quote_shipping(method, "GHS", 500, 10**12) == Money(3_000, "GHS")


def test_no_rate_in_the_currency_is_422(method):
    with pytest.raises(ValidationError) as caught:
        services.quote_shipping(method, "KES", 1000, 0)
    assert caught.value.status == 422
    assert "shipping_method_id" in caught.value.details


def test_a_parcel_heavier_than_every_band_is_422_even_when_it_would_ship_free(method):
    with pytest.raises(ValidationError):
        services.quote_shipping(method, "UGX", 10_001, subtotal_minor=10**9)


# ---- where methods deliver ------------------------------------------------------------


@pytest.fixture
def network():
    nigeria = ShippingZoneFactory(name="Nigeria", countries=["NG"])
    lagos = ShippingZoneFactory(name="Lagos", countries=["NG"], cities=["Lagos", "Ikeja"])
    south_west = ShippingZoneFactory(name="South-West", countries=["NG"], regions=["Oyo", "Ogun"])
    world = ShippingZoneFactory(name="Rest of world", countries=[])
    kenya = ShippingZoneFactory(name="Kenya", countries=["KE"])
    methods = {
        "standard": ShippingMethodFactory(zone=nigeria, name="Standard", min_days=3, max_days=5),
        "same_day": ShippingMethodFactory(zone=lagos, name="Same day", min_days=0, max_days=1),
        "regional": ShippingMethodFactory(zone=south_west, name="Regional", min_days=2, max_days=3),
        "retired": ShippingMethodFactory(zone=nigeria, name="Retired", is_active=False),
        "world": ShippingMethodFactory(zone=world, name="DHL", min_days=3, max_days=7),
        "kenya": ShippingMethodFactory(zone=kenya, name="Sendy"),
    }
    return {name: method.id for name, method in methods.items()}


def _applicable(country, region=None, city=None):
    return [m.id for m in services.applicable_shipping_methods(country, region, city)]


def test_a_country_wide_zone_applies_everywhere_in_it_fastest_first(network):
    assert _applicable("NG", "Kano", "Kano") == [network["standard"]]


def test_a_city_zone_adds_its_methods_any_case_and_spacing(network):
    assert _applicable("NG", "Lagos", " lagos ") == [network["same_day"], network["standard"]]
    assert _applicable("NG", None, "IKEJA") == [network["same_day"], network["standard"]]


def test_a_region_zone_applies_in_its_regions_only(network):
    assert _applicable("NG", "oyo", "Ibadan") == [network["regional"], network["standard"]]
    assert network["regional"] not in _applicable("NG", None, "Ibadan")


def test_rest_of_world_covers_only_countries_no_zone_names(network):
    assert _applicable("ZA") == [network["world"]]
    assert _applicable("KE") == [network["kenya"]]
    assert network["world"] not in _applicable("NG")


def test_no_zone_at_all_means_no_methods(app):
    assert services.applicable_shipping_methods("NG") == []


def test_checkout_gets_a_method_only_where_it_delivers(network):
    assert services.get_shipping_method(network["same_day"], country="NG", city="Lagos").name == "Same day"
    with pytest.raises(ValidationError):
        services.get_shipping_method(network["same_day"], country="NG", city="Abuja")
    with pytest.raises(NotFoundError):
        services.get_shipping_method(network["retired"], country="NG")
    with pytest.raises(NotFoundError):
        services.get_shipping_method(999_999, country="NG")


# ---- bus stations ---------------------------------------------------------------------


def test_pickup_fee_per_currency_and_422_without_one():
    station = BusStationFactory(fees={"NGN": 100_000, "USD": 500})
    assert services.bus_station_fee(station, "NGN") == Money(100_000, "NGN")
    assert services.bus_station_fee(station, "USD") == Money(500, "USD")
    with pytest.raises(ValidationError) as caught:
        services.bus_station_fee(station, "KES")
    assert "bus_station_id" in caught.value.details


def test_only_active_stations_can_be_chosen():
    active, closed = BusStationFactory(), BusStationFactory(is_active=False)
    assert services.get_active_bus_station(active.id) is active
    for station_id in (closed.id, 999_999):
        with pytest.raises(NotFoundError):
            services.get_active_bus_station(station_id)
