"""Demo delivery data: zones, couriers and bus-station pickup points in Nigeria, Kenya,
Ghana and Uganda, and international express for the rest of the world.

Idempotent: a zone is found by name, a method by zone and name, a station by country,
city and name; only missing ones are created, so staff edits survive a second run.
Rates are in minor units (NGN, KES, GHS, USD: 2 decimals; UGX: none).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.delivery.models import BusStation, BusStationFee, ShippingMethod, ShippingRate, ShippingZone
from app.extensions import db

# (max grams or None, amount) per currency.
Bands = dict[str, list[tuple[int | None, int]]]

ZONES: list[dict[str, Any]] = [
    {"name": "Nigeria", "countries": ["NG"]},
    {"name": "Lagos metro", "countries": ["NG"], "cities": ["Lagos", "Ikeja", "Lekki"]},
    {"name": "Kenya", "countries": ["KE"]},
    {"name": "Nairobi metro", "countries": ["KE"], "cities": ["Nairobi"]},
    {"name": "Ghana", "countries": ["GH"]},
    {"name": "Uganda", "countries": ["UG"]},
    {"name": "Rest of world", "countries": []},
]

DHL_USD: Bands = {"USD": [(500, 2500), (2000, 4500), (10000, 9000), (None, 18000)]}

METHODS: list[dict[str, Any]] = [
    {
        "zone": "Nigeria",
        "name": "Standard delivery",
        "carrier": "GIG Logistics",
        "days": (3, 5),
        "free_above": {"NGN": 5_000_000},  # ₦50,000
        "rates": {"NGN": [(2000, 250_000), (5000, 450_000), (20000, 900_000), (None, 1_500_000)]},
    },
    {
        "zone": "Nigeria",
        "name": "Express",
        "carrier": "DHL Express",
        "days": (1, 2),
        "rates": {"NGN": [(2000, 700_000), (10000, 1_500_000), (None, 3_000_000)], **DHL_USD},
    },
    {
        "zone": "Lagos metro",
        "name": "Same-day dispatch rider",
        "carrier": "GIG Logistics",
        "days": (0, 1),
        "free_above": {"NGN": 3_000_000},
        "rates": {"NGN": [(5000, 150_000), (20000, 300_000)]},
    },
    {
        "zone": "Kenya",
        "name": "Standard delivery",
        "carrier": "Sendy",
        "days": (2, 4),
        "free_above": {"KES": 500_000},  # KSh 5,000
        "rates": {"KES": [(2000, 35_000), (10000, 75_000), (None, 150_000)]},
    },
    {
        "zone": "Kenya",
        "name": "Express",
        "carrier": "DHL Express",
        "days": (1, 2),
        "rates": {"KES": [(2000, 120_000), (10000, 250_000), (None, 450_000)], **DHL_USD},
    },
    {
        "zone": "Nairobi metro",
        "name": "Same-day",
        "carrier": "Sendy",
        "days": (0, 1),
        "rates": {"KES": [(5000, 25_000), (20000, 45_000)]},
    },
    {
        "zone": "Ghana",
        "name": "Standard delivery",
        "carrier": "GIG Logistics",
        "days": (2, 4),
        "free_above": {"GHS": 80_000},  # GH₵800
        "rates": {"GHS": [(2000, 3_000), (10000, 6_000), (None, 12_000)]},
    },
    {
        "zone": "Ghana",
        "name": "Express",
        "carrier": "DHL Express",
        "days": (1, 2),
        "rates": {"GHS": [(2000, 15_000), (10000, 30_000), (None, 55_000)], **DHL_USD},
    },
    {
        "zone": "Uganda",
        "name": "Standard delivery",
        "carrier": "Posta Uganda EMS",
        "days": (2, 5),
        "free_above": {"UGX": 300_000},  # USh 300,000 (no minor unit)
        "rates": {"UGX": [(2000, 10_000), (10000, 20_000), (None, 40_000)]},
    },
    {
        "zone": "Uganda",
        "name": "Express",
        "carrier": "DHL Express",
        "days": (1, 3),
        "rates": {"UGX": [(2000, 60_000), (10000, 120_000), (None, 220_000)], **DHL_USD},
    },
    {
        "zone": "Rest of world",
        "name": "International express",
        "carrier": "DHL Express",
        "days": (3, 7),
        "rates": DHL_USD,
    },
]

STATIONS: list[dict[str, Any]] = [
    {
        "name": "Jibowu Motor Park",
        "operator": "GUO Transport",
        "city": "Lagos",
        "region": "Lagos",
        "country": "NG",
        "address": "Ikorodu Road, Jibowu, Yaba",
        "landmark": "Beside the Jibowu BRT terminal",
        "phone": "+2348031234567",
        "opening_hours": "Mon-Sun 06:00-20:00",
        "holding_days": 7,
        "fees": {"NGN": 100_000},  # ₦1,000
    },
    {
        "name": "Utako Motor Park",
        "operator": "ABC Transport",
        "city": "Abuja",
        "region": "Federal Capital Territory",
        "country": "NG",
        "address": "Obafemi Awolowo Way, Utako",
        "landmark": "Opposite Jabi Lake Mall road junction",
        "phone": "+2348051234567",
        "opening_hours": "Mon-Sat 06:00-19:00",
        "holding_days": 7,
        "fees": {"NGN": 100_000},
    },
    {
        "name": "Machakos Country Bus Station",
        "operator": "Easy Coach",
        "city": "Nairobi",
        "region": "Nairobi County",
        "country": "KE",
        "address": "Landhies Road",
        "landmark": "Near Muthurwa Market",
        "phone": "+254712345678",
        "opening_hours": "Mon-Sun 05:30-21:00",
        "holding_days": 5,
        "fees": {"KES": 20_000},  # KSh 200
    },
    {
        "name": "Kaneshie Station",
        "operator": "VIP Jeoun",
        "city": "Accra",
        "region": "Greater Accra",
        "country": "GH",
        "address": "Winneba Road, Kaneshie",
        "landmark": "Next to Kaneshie Market complex",
        "phone": "+233244123456",
        "opening_hours": "Mon-Sat 06:00-19:00",
        "holding_days": 5,
        "fees": {"GHS": 1_500},  # GH₵15
    },
    {
        "name": "Namayiba Bus Park",
        "operator": "Link Bus",
        "city": "Kampala",
        "region": "Central",
        "country": "UG",
        "address": "Namayiba Road, off Ben Kiwanuka Street",
        "landmark": "Behind the Old Taxi Park",
        "phone": "+256772123456",
        "opening_hours": "Mon-Sun 06:00-20:00",
        "holding_days": 5,
        "fees": {"UGX": 5_000},
    },
]


def seed_delivery() -> dict[str, int]:
    """Create the missing demo zones, methods and stations; returns how many of each were new."""
    created = {"zones": 0, "methods": 0, "bus stations": 0}
    zones = {zone.name: zone for zone in db.session.scalars(sa.select(ShippingZone))}
    for spec in ZONES:
        if spec["name"] not in zones:
            zones[spec["name"]] = ShippingZone(
                name=spec["name"], countries=spec["countries"], regions=[], cities=spec.get("cities", [])
            )
            db.session.add(zones[spec["name"]])
            created["zones"] += 1
    db.session.flush()
    existing = {
        tuple(row) for row in db.session.execute(sa.select(ShippingMethod.zone_id, ShippingMethod.name))
    }
    for spec in METHODS:
        zone = zones[spec["zone"]]
        if (zone.id, spec["name"]) not in existing:
            db.session.add(_method(zone, spec))
            created["methods"] += 1
    stations = {
        tuple(row)
        for row in db.session.execute(sa.select(BusStation.country, BusStation.city, BusStation.name))
    }
    for spec in STATIONS:
        if (spec["country"], spec["city"], spec["name"]) not in stations:
            db.session.add(_station(spec))
            created["bus stations"] += 1
    db.session.commit()
    return created


def _method(zone: ShippingZone, spec: dict[str, Any]) -> ShippingMethod:
    min_days, max_days = spec["days"]
    return ShippingMethod(
        zone=zone,
        name=spec["name"],
        carrier=spec["carrier"],
        description=f"{spec['carrier']}, {min_days}-{max_days} working days",
        min_days=min_days,
        max_days=max_days,
        free_above=spec.get("free_above", {}),
        is_active=True,
        rates=[
            ShippingRate(currency=currency, max_weight_grams=grams, amount=amount)
            for currency, bands in spec["rates"].items()
            for grams, amount in bands
        ],
    )


def _station(spec: dict[str, Any]) -> BusStation:
    fields = {key: value for key, value in spec.items() if key != "fees"}
    fees = [BusStationFee(currency=c, amount=a) for c, a in spec["fees"].items()]
    return BusStation(**fields, is_active=True, fees=fees)
