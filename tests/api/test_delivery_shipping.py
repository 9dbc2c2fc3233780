"""Shipping methods: the public price list for a destination and parcel, and staff writes."""

from __future__ import annotations

import pytest

from app.delivery.models import ShippingRate
from app.extensions import db
from tests.factories import ShippingMethodFactory, ShippingZoneFactory

URL = "/api/shipping-methods/"
ZONES = "/api/shipping-zones/"


@pytest.fixture
def nigeria():
    zone = ShippingZoneFactory(name="Nigeria", countries=["NG"])
    lagos = ShippingZoneFactory(name="Lagos", countries=["NG"], cities=["Lagos"])
    standard = ShippingMethodFactory(
        zone=zone,
        name="Standard",
        carrier="GIG Logistics",
        rates={"NGN": [(2000, 250_000), (None, 900_000)], "USD": [(None, 1_500)]},
        free_above={"NGN": 5_000_000},
    )
    express = ShippingMethodFactory(
        zone=zone,
        name="Express",
        carrier="DHL Express",
        min_days=1,
        max_days=2,
        rates={"NGN": [(5000, 700_000)]},
    )
    same_day = ShippingMethodFactory(
        zone=lagos, name="Same day", min_days=0, max_days=1, rates={"NGN": [(None, 150_000)]}
    )
    return {"standard": standard.id, "express": express.id, "same_day": same_day.id}


def test_lists_methods_for_the_destination_cheapest_first_with_their_price(client, nigeria):
    response = client.get(URL, query_string={"country": "ng", "city": "Lagos", "currency": "NGN"})
    assert response.status_code == 200
    quotes = response.json
    assert [q["id"] for q in quotes] == [nigeria["same_day"], nigeria["standard"], nigeria["express"]]
    standard = quotes[1]
    assert standard["price"] == {"amount": 250_000, "currency": "NGN"}
    assert standard["free_above"] == {"amount": 5_000_000, "currency": "NGN"}
    assert standard["is_free"] is False
    assert standard["zone"]["name"] == "Nigeria"
    assert (standard["carrier"], standard["min_days"], standard["max_days"]) == ("GIG Logistics", 2, 4)


def test_heavier_parcels_take_heavier_bands_and_unpriceable_methods_are_left_out(client, nigeria):
    quotes = client.get(URL, query_string={"country": "NG", "city": "Abuja", "weight_grams": 6000}).json
    assert [(q["id"], q["price"]["amount"]) for q in quotes] == [(nigeria["standard"], 900_000)]


def test_the_subtotal_unlocks_free_shipping(client, nigeria):
    quotes = client.get(URL, query_string={"country": "NG", "currency": "NGN", "subtotal": 5_000_000}).json
    standard = next(q for q in quotes if q["id"] == nigeria["standard"])
    assert standard["price"] == {"amount": 0, "currency": "NGN"}
    assert standard["is_free"] is True
    assert quotes[0]["id"] == nigeria["standard"]  # free is cheapest


def test_other_currencies_show_only_methods_priced_in_them(client, nigeria):
    quotes = client.get(URL, query_string={"country": "NG", "currency": "usd"}).json
    assert [(q["id"], q["price"]) for q in quotes] == [
        (nigeria["standard"], {"amount": 1_500, "currency": "USD"})
    ]
    assert quotes[0]["free_above"] is None


def test_the_shop_currency_is_the_default(client, app, nigeria):
    quotes = client.get(URL, query_string={"country": "NG"}).json
    assert {q["price"]["currency"] for q in quotes} == {app.config["DEFAULT_CURRENCY"]}


def test_another_country_sees_none_of_them(client, nigeria):
    assert client.get(URL, query_string={"country": "KE"}).json == []


@pytest.mark.parametrize(
    "query",
    [{}, {"country": "XX"}, {"country": "NG", "weight_grams": -1}, {"country": "NG", "currency": "ABC"}],
)
def test_bad_queries_are_422(client, query):
    response = client.get(URL, query_string=query)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_the_price_list_costs_the_same_queries_for_any_number_of_methods(client, count_queries):
    zone = ShippingZoneFactory(countries=["NG"])
    ShippingMethodFactory(zone=zone, rates={"NGN": [(None, 100)]})
    with count_queries() as one:
        assert len(client.get(URL, query_string={"country": "NG", "currency": "NGN"}).json) == 1
    for _ in range(9):
        ShippingMethodFactory(
            zone=ShippingZoneFactory(countries=["NG"]), rates={"NGN": [(1000, 50), (None, 100)]}
        )
    with count_queries() as ten:
        assert len(client.get(URL, query_string={"country": "NG", "currency": "NGN"}).json) == 10
    assert ten.count == one.count <= 3


# ---- staff ----------------------------------------------------------------------------

NEW_METHOD = {
    "name": "Express",
    "carrier": "DHL Express",
    "min_days": 1,
    "max_days": 2,
    "free_above": [{"currency": "ngn", "amount": 10_000_000}],
    "rates": [
        {"currency": "NGN", "max_weight_grams": 2000, "amount": 700_000},
        {"currency": "NGN", "max_weight_grams": None, "amount": 1_500_000},
        {"currency": "UGX", "amount": 60_000},
    ],
}


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


def test_staff_create_a_zone_and_a_method_with_rates_then_see_them(client, staff_headers):
    zone = client.post(ZONES, json={"name": "Uganda", "countries": ["ug"]}, headers=staff_headers)
    assert zone.status_code == 201, zone.json
    assert zone.json["countries"] == ["UG"]
    created = client.post(URL, json={**NEW_METHOD, "zone_id": zone.json["id"]}, headers=staff_headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert body["zone"] == {"id": zone.json["id"], "name": "Uganda"}
    assert body["free_above"] == [{"amount": 10_000_000, "currency": "NGN"}]
    assert body["rates"] == [
        {"currency": "NGN", "max_weight_grams": 2000, "amount": 700_000},
        {"currency": "NGN", "max_weight_grams": None, "amount": 1_500_000},
        {"currency": "UGX", "max_weight_grams": None, "amount": 60_000},
    ]
    zones = client.get(ZONES, headers=staff_headers).json
    assert zones[0]["methods"][0]["rates"] == body["rates"]
    quotes = client.get(URL, query_string={"country": "UG", "currency": "UGX", "weight_grams": 50_000}).json
    assert quotes[0]["price"] == {"amount": 60_000, "currency": "UGX"}


def test_staff_replace_rates_and_deactivate_a_method(client, staff_headers, nigeria):
    url = f"{URL}{nigeria['standard']}/"
    response = client.patch(
        url,
        json={"rates": [{"currency": "NGN", "max_weight_grams": 2000, "amount": 1}]},
        headers=staff_headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["rates"] == [{"currency": "NGN", "max_weight_grams": 2000, "amount": 1}]
    assert db.session.query(ShippingRate).filter_by(method_id=nigeria["standard"]).count() == 1
    assert client.patch(url, json={"is_active": False}, headers=staff_headers).status_code == 200
    quotes = client.get(URL, query_string={"country": "NG", "currency": "NGN"}).json
    assert nigeria["standard"] not in [q["id"] for q in quotes]
    assert client.get(url, headers=staff_headers).json["is_active"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"min_days": 5, "max_days": 2}, "max_days"),
        ({"min_days": 9}, "max_days"),  # beyond the stored max_days of 4
        ({"zone_id": 999_999}, "zone_id"),
    ],
)
def test_staff_writes_are_checked_against_the_stored_method(client, staff_headers, nigeria, change, field):
    response = client.patch(f"{URL}{nigeria['standard']}/", json=change, headers=staff_headers)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]


@pytest.mark.parametrize(
    "rates",
    [
        [{"currency": "NGN", "amount": 1}, {"currency": "NGN", "amount": 2}],  # two open bands
        [{"currency": "NGN", "amount": -1}],
        [{"currency": "NGN", "max_weight_grams": 0, "amount": 1}],
        [{"currency": "XYZ", "amount": 1}],
        [{"currency": "NGN", "amount": 2.5}],  # minor units are whole numbers
        [{"currency": "NGN", "amount": "100"}],
    ],
)
def test_bad_rates_are_422(client, staff_headers, nigeria, rates):
    response = client.patch(f"{URL}{nigeria['standard']}/", json={"rates": rates}, headers=staff_headers)
    assert response.status_code == 422


def test_duplicate_names_are_409(client, staff_headers, nigeria):
    assert client.post(ZONES, json={"name": "Nigeria"}, headers=staff_headers).status_code == 409
    lagos = client.post(ZONES, json={"name": "Lagos again"}, headers=staff_headers).json
    assert (
        client.patch(f"{ZONES}{lagos['id']}/", json={"name": "Nigeria"}, headers=staff_headers).status_code
        == 409
    )
    zone_id = client.get(f"{URL}{nigeria['standard']}/", headers=staff_headers).json["zone"]["id"]
    response = client.post(URL, json={**NEW_METHOD, "zone_id": zone_id}, headers=staff_headers)
    assert response.status_code == 409
    # a rename and new rates at once: the clash surfaces while the old rates are replaced
    rename = {"name": "Standard", "rates": [{"currency": "NGN", "amount": 1}]}
    response = client.patch(f"{URL}{nigeria['express']}/", json=rename, headers=staff_headers)
    assert response.status_code == 409
    assert client.get(f"{URL}{nigeria['express']}/", headers=staff_headers).json["name"] == "Express"


def test_a_zone_names_each_place_once(client, staff_headers):
    body = {"name": "West Africa", "countries": ["NG", "gh", "ng"], "cities": ["Accra", "Accra"]}
    zone = client.post(ZONES, json=body, headers=staff_headers).json
    assert (zone["countries"], zone["cities"]) == (["NG", "GH"], ["Accra"])


def test_impossible_ids_are_404(client, staff_headers):
    for url in (f"{URL}{2**31}/", f"{ZONES}{10**30}/"):
        assert client.get(url, headers=staff_headers).status_code == 404
    response = client.post(URL, json={**NEW_METHOD, "zone_id": 2**40}, headers=staff_headers)
    assert response.status_code == 422


def test_deleting_a_zone_deletes_its_methods_and_rates(client, staff_headers, nigeria):
    zone_id = client.get(f"{URL}{nigeria['standard']}/", headers=staff_headers).json["zone"]["id"]
    assert client.delete(f"{ZONES}{zone_id}/", headers=staff_headers).status_code == 204
    assert client.get(f"{URL}{nigeria['standard']}/", headers=staff_headers).status_code == 404
    assert db.session.query(ShippingRate).filter_by(method_id=nigeria["standard"]).count() == 0
    assert client.delete(f"{URL}{nigeria['same_day']}/", headers=staff_headers).status_code == 204


def test_staff_zone_list_costs_three_queries_whatever_its_size(client, staff_headers, count_queries):
    for _ in range(5):
        ShippingMethodFactory(rates={"NGN": [(None, 100)]})
    with count_queries() as counter:
        assert len(client.get(ZONES, headers=staff_headers).json) == 5
    ShippingMethodFactory.create_batch(5, rates={"NGN": [(1000, 50), (None, 100)]})
    with count_queries() as bigger:
        assert len(client.get(ZONES, headers=staff_headers).json) == 10
    assert bigger.count == counter.count


def test_customers_cannot_write_or_see_staff_views(client, customer, auth_headers, nigeria):
    headers = auth_headers(customer)
    method = f"{URL}{nigeria['standard']}/"
    for response in (
        client.post(ZONES, json={"name": "X"}, headers=headers),
        client.get(ZONES, headers=headers),
        client.patch(f"{ZONES}1/", json={"name": "X"}, headers=headers),
        client.delete(f"{ZONES}1/", headers=headers),
        client.post(URL, json={**NEW_METHOD, "zone_id": 1}, headers=headers),
        client.get(method, headers=headers),
        client.patch(method, json={"is_active": False}, headers=headers),
        client.delete(method, headers=headers),
    ):
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    assert client.post(ZONES, json={"name": "X"}).status_code == 401
