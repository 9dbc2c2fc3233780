"""A customer's address book.

Every lookup is scoped to the owner: another user's address id is a 404, exactly like an
id that does not exist, so ids reveal nothing (no BOLA).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.core.errors import ConflictError, NotFoundError
from app.delivery.models import Address
from app.delivery.persistence import assign, find, transaction
from app.extensions import db

DEFAULT_RACE = "Another default address was set at the same moment; try again."
#: Enough for home, work, family and a few shops; stops a script filling the table.
MAX_ADDRESSES_PER_USER = 50
ADDRESS_FIELDS = (
    "recipient_name",
    "phone",
    "line1",
    "line2",
    "city",
    "region",
    "country",
    "postal_code",
    "landmark",
)


def list_addresses(user: User) -> sa.Select:
    """The user's addresses, default first then newest; paginated by the caller."""
    return (
        sa.select(Address)
        .where(Address.user_id == user.id)
        .order_by(Address.is_default.desc(), Address.id.desc())
    )


def get_user_address(user: User, address_id: int) -> Address:
    """The user's own address; 404 for a missing id and for someone else's alike."""
    address = find(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFoundError("No such address.")
    return address


def create_address(user: User, data: Mapping[str, Any]) -> Address:
    """Add an address; the first one (or one marked ``is_default``) becomes the default."""
    count = db.session.scalar(sa.select(sa.func.count()).where(Address.user_id == user.id)) or 0
    if count >= MAX_ADDRESSES_PER_USER:
        raise ConflictError(f"An account keeps at most {MAX_ADDRESSES_PER_USER} addresses; delete one first.")
    address = Address(user_id=user.id, is_default=False)
    with transaction(DEFAULT_RACE):
        _apply(address, data)
        if data.get("is_default") or count == 0:
            _make_default(address)
        db.session.add(address)
    return address


def update_address(user: User, address_id: int, changes: Mapping[str, Any]) -> Address:
    """Change the user's own address (a PATCH); ``is_default: false`` leaves them without one."""
    address = get_user_address(user, address_id)
    with transaction(DEFAULT_RACE):
        _apply(address, changes)
        if changes.get("is_default"):
            _make_default(address)
        elif changes.get("is_default") is False:
            address.is_default = False
    return address


def delete_address(user: User, address_id: int) -> None:
    """Delete an address; when it was the default, the newest remaining one takes over.

    Orders keep their own copy of the address they were sent to, so history survives.
    """
    address = get_user_address(user, address_id)
    with transaction("The address book changed at the same moment; try again."):
        db.session.delete(address)
        if address.is_default:
            successor = db.session.scalar(  # autoflush deletes the address first
                sa.select(Address).where(Address.user_id == user.id).order_by(Address.id.desc()).limit(1)
            )
            if successor is not None:
                successor.is_default = True


def _apply(address: Address, data: Mapping[str, Any]) -> None:
    assign(address, data, ADDRESS_FIELDS)
    if "coordinates" in data:
        coordinates = data["coordinates"] or {}
        address.latitude = coordinates.get("latitude")
        address.longitude = coordinates.get("longitude")


def _make_default(address: Address) -> None:
    """Unset the user's current default first, so the one-default index never trips."""
    others = sa.update(Address).where(Address.user_id == address.user_id, Address.is_default)
    if address.id is not None:
        others = others.where(Address.id != address.id)
    db.session.execute(others.values(is_default=False).execution_options(synchronize_session="fetch"))
    address.is_default = True
