"""Bus-station pickup points: the public list by city, and staff writes."""

from __future__ import annotations

import pytest

from tests.factories import BusStationFactory

URL = "/api/bus-stations/"
STAFF_URL = "/api/admin/bus-stations/"


@pytest.fixture
def stations():
    return {
        "jibowu": BusStationFactory(name="Jibowu Motor Park", city="Lagos", fees={"NGN": 100_000}).id,
        "ojota": BusStationFactory(
            name="Ojota Motor Park", city="Lagos", fees={"NGN": 80_000, "USD": 100}
        ).id,
        "utako": BusStationFactory(name="Utako Motor Park", city="Abuja", fees={"NGN": 100_000}).id,
        "closed": BusStationFactory(name="Old Oshodi Park", city="Lagos", is_active=False).id,
        "nairobi": BusStationFactory(
            name="Machakos Country Bus Station", city="Nairobi", country="KE", fees={"KES": 20_000}
        ).id,
    }


def _ids(response):
    assert response.status_code == 200, response.json
    return [station["id"] for station in response.json]


def test_lists_active_stations_of_a_city_in_any_case_with_fees(client, stations):
    response = client.get(URL, query_string={"city": "LAGOS"})
    assert _ids(response) == [stations["jibowu"], stations["ojota"]]
    ojota = response.json[1]
    assert ojota["fees"] == [{"amount": 80_000, "currency": "NGN"}, {"amount": 100, "currency": "USD"}]
    assert (ojota["operator"], ojota["holding_days"], ojota["country"]) == ("GUO Transport", 7, "NG")


def test_filters_by_country_and_by_the_currency_of_the_fee(client, stations):
    assert _ids(client.get(URL, query_string={"country": "ke"})) == [stations["nairobi"]]
    assert _ids(client.get(URL, query_string={"currency": "USD"})) == [stations["ojota"]]
    assert len(_ids(client.get(URL))) == 4


def test_an_inactive_or_impossible_station_is_404_to_the_public(client, stations):
    assert client.get(f"{URL}{stations['jibowu']}/").json["name"] == "Jibowu Motor Park"
    assert client.get(f"{URL}{stations['closed']}/").status_code == 404
    assert client.get(f"{URL}{10**25}/").status_code == 404


def test_listing_costs_the_same_queries_for_1_or_20_stations(client, count_queries):
    BusStationFactory(fees={"NGN": 1})
    with count_queries() as one:
        assert len(_ids(client.get(URL, query_string={"page_size": 50}))) == 1
    BusStationFactory.create_batch(19, fees={"NGN": 1, "USD": 1})
    with count_queries() as twenty:
        assert len(_ids(client.get(URL, query_string={"page_size": 50}))) == 20
    assert twenty.count == one.count <= 3


# ---- staff ----------------------------------------------------------------------------

NEW = {
    "name": "Kaneshie Station",
    "operator": "VIP Jeoun",
    "city": "Accra",
    "region": "Greater Accra",
    "country": "gh",
    "address": "Winneba Road, Kaneshie",
    "landmark": "Next to Kaneshie Market",
    "phone": "+233 24 412 3456",
    "opening_hours": "Mon-Sat 06:00-19:00",
    "holding_days": 5,
    "fees": [{"currency": "GHS", "amount": 1_500}],
}


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


def test_staff_create_update_and_delete_a_station(client, staff_headers):
    created = client.post(URL, json=NEW, headers=staff_headers)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["country"], body["phone"]) == ("GH", "+233244123456")
    assert body["fees"] == [{"amount": 1_500, "currency": "GHS"}]
    url = f"{URL}{body['id']}/"

    changed = client.patch(
        url,
        json={"fees": [{"currency": "GHS", "amount": 2_000}, {"currency": "USD", "amount": 150}]},
        headers=staff_headers,
    )
    assert changed.json["fees"] == [{"amount": 2_000, "currency": "GHS"}, {"amount": 150, "currency": "USD"}]
    assert client.patch(url, json={"is_active": False}, headers=staff_headers).json["is_active"] is False
    assert client.get(url).status_code == 404
    assert _ids(client.get(STAFF_URL, query_string={"is_active": False}, headers=staff_headers)) == [
        body["id"]
    ]

    assert client.delete(url, headers=staff_headers).status_code == 204
    assert client.get(STAFF_URL, headers=staff_headers).json == []


def test_a_second_station_of_the_same_name_in_a_city_is_409(client, staff_headers):
    assert client.post(URL, json=NEW, headers=staff_headers).status_code == 201
    assert client.post(URL, json={**NEW, "city": "Accra"}, headers=staff_headers).status_code == 409
    kumasi = client.post(URL, json={**NEW, "city": "Kumasi"}, headers=staff_headers).json
    moved = {"city": "Accra", "fees": [{"currency": "GHS", "amount": 1}]}
    assert client.patch(f"{URL}{kumasi['id']}/", json=moved, headers=staff_headers).status_code == 409
    assert client.get(f"{URL}{kumasi['id']}/").json["city"] == "Kumasi"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "0244123456"),
        ("country", "Ghana"),
        ("holding_days", 0),
        ("holding_days", 91),
        ("fees", [{"currency": "GHS", "amount": 1}, {"currency": "GHS", "amount": 2}]),
        ("fees", [{"currency": "GHS", "amount": -1}]),
        ("fees", [{"currency": "GHS", "amount": 15.5}]),
        ("holding_days", 7.0),
    ],
)
def test_invalid_stations_are_422(client, staff_headers, field, value):
    response = client.post(URL, json={**NEW, field: value}, headers=staff_headers)
    assert response.status_code == 422
    assert field in response.json["error"]["details"]["json"]


def test_customers_cannot_manage_stations(client, customer, auth_headers, stations):
    headers = auth_headers(customer)
    url = f"{URL}{stations['jibowu']}/"
    for response in (
        client.post(URL, json=NEW, headers=headers),
        client.patch(url, json={"is_active": False}, headers=headers),
        client.delete(url, headers=headers),
        client.get(STAFF_URL, headers=headers),
    ):
        assert response.status_code == 403
    assert client.get(url).json["is_active"] is True
