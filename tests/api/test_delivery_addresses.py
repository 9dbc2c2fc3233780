"""Address book: validation of real-world identifiers, the default address, and BOLA."""

from __future__ import annotations

import pytest

from tests.factories import AddressFactory, UserFactory

URL = "/api/addresses/"

VALID = {
    "recipient_name": "Chioma Okafor",
    "phone": "+234 803 123 4567",
    "line1": "12 Adeola Odeku Street",
    "line2": "Flat 3",
    "city": "Lagos",
    "region": "Lagos",
    "country": "ng",
    "landmark": "Opposite the Total filling station",
    "coordinates": {"latitude": 6.4281, "longitude": 3.4219},
}


@pytest.fixture
def headers(customer, auth_headers):
    return auth_headers(customer)


def test_create_normalises_phone_and_country_and_makes_the_first_address_default(client, headers):
    response = client.post(URL, json=VALID, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["phone"] == "+2348031234567"
    assert body["country"] == "NG"
    assert body["coordinates"] == {"latitude": 6.4281, "longitude": 3.4219}
    assert body["postal_code"] is None
    assert body["is_default"] is True


def test_list_shows_the_default_first(client, headers):
    first = client.post(URL, json=VALID, headers=headers).json
    second = client.post(URL, json={**VALID, "line1": "4 Ring Road"}, headers=headers).json
    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json] == [first["id"], second["id"]]
    assert '"total": 2' in listed.headers["X-Pagination"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "08031234567"),  # national format: which country?
        ("phone", "+2341"),
        ("phone", "+1 555 000 0000"),  # shaped right, but no such number
        ("country", "XX"),
        ("country", "NGA"),
        ("recipient_name", ""),
        ("coordinates", {"latitude": 91, "longitude": 3.4}),
        ("coordinates", {"latitude": -90.5, "longitude": 3.4}),
        ("coordinates", {"latitude": 6.4, "longitude": 180.01}),
        ("coordinates", {"latitude": 6.4}),  # both or neither
        ("coordinates", {"latitude": "NaN", "longitude": 3.4}),
        ("coordinates", {"latitude": "6.4", "longitude": 3.4}),
        ("is_default", 1),
    ],
)
def test_invalid_identifiers_and_positions_are_422(client, headers, field, value):
    response = client.post(URL, json={**VALID, field: value}, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["details"]["json"]


@pytest.mark.parametrize("missing", ["recipient_name", "phone", "line1", "city", "country"])
def test_required_fields(client, headers, missing):
    body = {key: value for key, value in VALID.items() if key != missing}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422
    assert missing in response.json["error"]["details"]["json"]


def test_an_address_needs_no_postcode_region_or_gps(client, headers):
    body = {k: VALID[k] for k in ("recipient_name", "phone", "line1", "city", "country")}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 201
    assert response.json["coordinates"] is None
    assert response.json["region"] is None


def test_patch_changes_fields_and_clears_coordinates(client, headers):
    created = client.post(URL, json=VALID, headers=headers).json
    response = client.patch(
        f"{URL}{created['id']}/", json={"city": "Ikeja", "coordinates": None, "landmark": ""}, headers=headers
    )
    assert response.status_code == 200
    assert response.json["city"] == "Ikeja"
    assert response.json["coordinates"] is None
    assert response.json["landmark"] is None
    assert response.json["line1"] == VALID["line1"]


def test_one_default_at_a_time_and_deleting_it_promotes_the_newest(client, headers):
    a = client.post(URL, json=VALID, headers=headers).json
    b = client.post(URL, json={**VALID, "line1": "B"}, headers=headers).json
    c = client.post(URL, json={**VALID, "line1": "C", "is_default": True}, headers=headers).json
    defaults = {x["id"]: x["is_default"] for x in client.get(URL, headers=headers).json}
    assert defaults == {a["id"]: False, b["id"]: False, c["id"]: True}

    assert client.patch(f"{URL}{a['id']}/", json={"is_default": True}, headers=headers).json["is_default"]
    assert client.delete(f"{URL}{a['id']}/", headers=headers).status_code == 204
    defaults = {x["id"]: x["is_default"] for x in client.get(URL, headers=headers).json}
    assert defaults == {b["id"]: False, c["id"]: True}


def test_anonymous_callers_get_401(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=VALID).status_code == 401


# ---- BOLA: another user's address does not exist for you ------------------------------


@pytest.fixture
def alice():
    return UserFactory(email="alice@example.com")


@pytest.fixture
def alice_address(alice):
    return AddressFactory(user=alice)


@pytest.fixture
def bob_headers(auth_headers):
    return auth_headers(UserFactory(email="bob@example.com"))


def test_another_users_address_is_404_for_get_patch_and_delete(client, alice_address, bob_headers):
    url = f"{URL}{alice_address.id}/"
    for response in (
        client.get(url, headers=bob_headers),
        client.patch(url, json={"city": "Abuja"}, headers=bob_headers),
        client.patch(url, json={"is_default": True}, headers=bob_headers),
        client.delete(url, headers=bob_headers),
    ):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert alice_address.city == "Lagos"


def test_lists_never_show_another_users_addresses(client, alice, alice_address, bob_headers):
    AddressFactory.create_batch(3, user=alice)
    assert client.get(URL, headers=bob_headers).json == []
    mine = client.post(URL, json=VALID, headers=bob_headers).json
    assert [a["id"] for a in client.get(URL, headers=bob_headers).json] == [mine["id"]]


@pytest.mark.parametrize("address_id", [999_999, 2**31, 10**30])
def test_a_missing_or_impossible_address_is_404_like_anothers(client, headers, address_id):
    assert client.get(f"{URL}{address_id}/", headers=headers).status_code == 404
    assert client.delete(f"{URL}{address_id}/", headers=headers).status_code == 404


def test_listing_costs_the_same_queries_for_1_or_20_addresses(client, customer, headers, count_queries):
    AddressFactory(user=customer)
    with count_queries() as one:
        assert len(client.get(URL + "?page_size=50", headers=headers).json) == 1
    AddressFactory.create_batch(19, user=customer)
    with count_queries() as twenty:
        assert len(client.get(URL + "?page_size=50", headers=headers).json) == 20
    assert twenty.count == one.count <= 4
