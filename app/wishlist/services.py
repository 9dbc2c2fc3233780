"""Wishlist rules: idempotent adds, removal, and moving an item into the cart.

Every lookup is scoped to the caller: a wishlist is private, and there is no id by which
another user's items could even be named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.cart import services as cart_services
from app.cart.services import CartOwner
from app.core.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from app.extensions import db
from app.products.models import Product, ProductVariant
from app.wishlist.models import WishlistItem


def currency_for(user: User, requested: str | None) -> str:
    """The currency to price the list in: asked for, else the profile's, else the shop's."""
    preferred = user.profile.preferred_currency if user.profile else None
    return requested or preferred or current_app.config["DEFAULT_CURRENCY"]


@dataclass(frozen=True)
class PricedItems:
    """A query of wishlist items and the currency to price them in, for the pager."""

    query: sa.Select
    currency: str


def list_items(user: User, currency: str | None = None) -> PricedItems:
    """The user's items, most recently added first; paginated and rendered by the caller."""
    query = (
        sa.select(WishlistItem)
        .where(WishlistItem.user_id == user.id)
        .options(selectinload(WishlistItem.product).selectinload(Product.images))
        .order_by(WishlistItem.id.desc())
    )
    return PricedItems(query, currency_for(user, currency))


def _find(user: User, product_id: int) -> WishlistItem | None:
    return db.session.scalar(
        sa.select(WishlistItem).where(WishlistItem.user_id == user.id, WishlistItem.product_id == product_id)
    )


def _variant_of(product_id: int, variant_id: int) -> ProductVariant:
    variant = db.session.get(ProductVariant, variant_id)
    if variant is None or variant.product_id != product_id or not variant.is_active:
        raise NotFoundError("No such variant of this product.")
    return variant


def add_item(user: User, product_id: int, variant_id: int | None = None) -> tuple[WishlistItem, bool]:
    """Keep a product (or one variant of it); adding it again keeps one item.

    Returns the item and whether it was created. A second add naming a variant switches
    the item to that variant.
    """
    product = db.session.get(Product, product_id)
    if product is None or not product.is_active:
        raise NotFoundError("No such product.")
    if variant_id is not None:
        _variant_of(product_id, variant_id)
    item = _find(user, product_id)
    if item is not None:
        if variant_id is not None and item.variant_id != variant_id:
            item.variant_id = variant_id
            db.session.commit()
        return item, False
    limit = current_app.config["WISHLIST_MAX_ITEMS"]
    count = db.session.scalar(sa.select(sa.func.count()).where(WishlistItem.user_id == user.id)) or 0
    if count >= limit:
        raise ConflictError(f"A wishlist holds at most {limit} products; remove one first.")
    item = WishlistItem(user_id=user.id, product_id=product_id, variant_id=variant_id)
    db.session.add(item)
    try:
        db.session.commit()
    except IntegrityError:  # the same add, sent twice at once: the other one won
        db.session.rollback()
        item = _find(user, product_id)
        if item is None:
            raise
        return item, False
    return item, True


def remove_item(user: User, product_id: int) -> None:
    item = _find(user, product_id)
    if item is None:
        raise NotFoundError("This product is not on your wishlist.")
    db.session.delete(item)
    db.session.commit()


def _variant_to_buy(item: WishlistItem, variant_id: int | None) -> int:
    """The variant named in the request, else the item's, else the product's only one."""
    if variant_id is not None:
        return _variant_of(item.product_id, variant_id).id
    if item.variant_id is not None:
        return item.variant_id
    active = list(
        db.session.scalars(
            sa.select(ProductVariant.id).where(
                ProductVariant.product_id == item.product_id, ProductVariant.is_active
            )
        )
    )
    if len(active) != 1:
        raise ValidationError(
            "Choose which variant to put in the cart.",
            code=ErrorCode.VARIANT_REQUIRED,
            details={"variant_id": ["Required: this product comes in several variants."]},
        )
    return active[0]


def move_to_cart(
    user: User, product_id: int, quantity: int = 1, variant_id: int | None = None
) -> dict[str, Any]:
    """Put a wished-for product in the cart, then take it off the wishlist; returns the cart.

    The cart's rules (stock, currency, maximum quantity) apply unchanged, and the item
    stays on the wishlist when the cart refuses it.
    """
    item = _find(user, product_id)
    if item is None:
        raise NotFoundError("This product is not on your wishlist.")
    cart, _token = cart_services.add_item(CartOwner(user=user), _variant_to_buy(item, variant_id), quantity)
    db.session.delete(item)
    db.session.commit()
    return cart
