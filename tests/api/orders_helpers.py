"""Shared set-up for the order tests: a shopper with a filled cart and a way to check out."""

from __future__ import annotations

import uuid

from tests.factories import AddressFactory, BusStationFactory, ShippingMethodFactory, ShippingZoneFactory


def add_to_cart(client, headers, variant_id, quantity=1, **extra):
    response = client.post(
        "/api/cart/items/", json={"variant_id": variant_id, "quantity": quantity, **extra}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response


def checkout(client, headers, body, key=None):
    return client.post(
        "/api/orders/", json=body, headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex}
    )


def courier(country="NG", currency="NGN", bands=((2000, 150_000), (None, 400_000)), **fields):
    zone = ShippingZoneFactory(countries=[country])
    return ShippingMethodFactory(zone=zone, rates={currency: list(bands)}, **fields)


def address_for(user, **fields):
    return AddressFactory(user=user, **fields)


def station(**fields):
    return BusStationFactory(fees=fields.pop("fees", {"NGN": 100_000}), **fields)
