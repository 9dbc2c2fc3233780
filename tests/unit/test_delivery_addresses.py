"""Rules the database enforces too (so racing requests cannot break them), and the
owner-only lookup the orders service relies on."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError, NotFoundError
from app.delivery import services
from app.extensions import db
from tests.factories import AddressFactory, ShippingZoneFactory, UserFactory


def test_the_database_refuses_a_second_default_address(app):
    user = UserFactory()
    AddressFactory(user=user, is_default=True)
    AddressFactory(user=user, is_default=False)
    AddressFactory(is_default=True)  # another user's default is no conflict
    with pytest.raises(IntegrityError):
        AddressFactory(user=user, is_default=True)
    db.session.rollback()


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (0, -181), (6.5, None)])
def test_the_database_refuses_impossible_coordinates(app, latitude, longitude):
    with pytest.raises(IntegrityError):
        AddressFactory(latitude=latitude, longitude=longitude)
    db.session.rollback()


def test_orders_get_only_the_owners_address(app):
    owner, other = UserFactory(), UserFactory()
    address = AddressFactory(user=owner, latitude=6.4281, longitude=3.4219)
    assert services.get_user_address(owner, address.id) is address
    assert address.coordinates == {"latitude": 6.4281, "longitude": 3.4219}
    for user, address_id in ((other, address.id), (owner, 2**31), (owner, 0), (owner, -1)):
        with pytest.raises(NotFoundError):
            services.get_user_address(user, address_id)


def test_a_write_that_loses_a_constraint_is_409_and_rolled_back(app):
    taken, zone = ShippingZoneFactory(name="Nigeria"), ShippingZoneFactory(name="Ghana", countries=["GH"])
    with pytest.raises(ConflictError):
        services.update_zone(zone.id, {"name": "Nigeria", "countries": ["NG"]})
    db.session.expire_all()
    assert (zone.name, zone.countries, taken.name) == ("Ghana", ["GH"], "Nigeria")
