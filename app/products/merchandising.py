"""Promotions (timed discounts) and collections (homepage sections)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.core.errors import NotFoundError, ValidationError
from app.core.models import utcnow
from app.extensions import db
from app.products.listing import cards_for
from app.products.models import Collection, CollectionItem, Product, Promotion
from app.products.services import (
    categories_by_slugs,
    commit,
    get_by_id,
    products_by_slugs,
    shop_currency,
)
from app.products.slugs import change_slug, get_by_slug, new_slug

PROMOTION_FIELDS = (
    "name",
    "description",
    "kind",
    "percent_off",
    "amounts_off",
    "starts_at",
    "ends_at",
    "is_active",
)
COLLECTION_FIELDS = ("name", "description", "kind", "position", "is_active")
#: How each computed collection chooses its products.
COMPUTED_ORDER = {
    "newest": (Product.created_at.desc(), Product.id.desc()),
    "best_sellers": (Product.sales_count.desc(), Product.id.desc()),
    "top_rated": (Product.rating_average.desc(), Product.rating_count.desc(), Product.id.desc()),
}


# ---- promotions -----------------------------------------------------------------------


def list_promotions(status: str = "running", *, staff: bool = False) -> list[Promotion]:
    """Running promotions; staff may also ask for ``scheduled`` ones or ``all``."""
    now = utcnow()
    stmt = (
        sa.select(Promotion)
        .options(selectinload(Promotion.products), selectinload(Promotion.categories))
        .order_by(Promotion.starts_at, Promotion.id)
    )
    if not staff or status == "running":
        stmt = stmt.where(
            Promotion.is_active,
            Promotion.starts_at <= now,
            sa.or_(Promotion.ends_at.is_(None), Promotion.ends_at > now),
        )
    elif status == "scheduled":
        stmt = stmt.where(Promotion.starts_at > now)
    return list(db.session.scalars(stmt))


def get_promotion(promotion_id: int) -> Promotion:
    return get_by_id(Promotion, promotion_id, "promotion")


def _check_promotion(promotion: Promotion) -> None:
    """The rules a promotion must satisfy once the changes are applied."""
    problems: dict[str, list[str]] = {}
    if promotion.kind == "percentage" and not promotion.percent_off:
        problems["percent_off"] = ["Required for a percentage promotion."]
    if promotion.kind == "percentage" and promotion.amounts_off:
        problems["amounts_off"] = ["Only for a fixed promotion."]
    if promotion.kind == "fixed" and not promotion.amounts_off:
        problems["amounts_off"] = ["Required for a fixed promotion: currency → amount off."]
    if promotion.kind == "fixed" and promotion.percent_off:
        problems["percent_off"] = ["Only for a percentage promotion."]
    if promotion.ends_at is not None and promotion.ends_at <= promotion.starts_at:
        problems["ends_at"] = ["Must be after starts_at."]
    if problems:
        raise ValidationError("The promotion is invalid.", details=problems)


def _apply_promotion(promotion: Promotion, data: Mapping[str, Any]) -> None:
    for name in PROMOTION_FIELDS:
        if name in data:
            setattr(promotion, name, data[name])
    if "products" in data:
        promotion.products = products_by_slugs(data["products"])
    if "categories" in data:
        promotion.categories = categories_by_slugs(data["categories"])
    _check_promotion(promotion)


def create_promotion(data: Mapping[str, Any]) -> Promotion:
    promotion = Promotion(amounts_off={})
    _apply_promotion(promotion, data)
    db.session.add(promotion)
    db.session.commit()
    return promotion


def update_promotion(promotion_id: int, data: Mapping[str, Any]) -> Promotion:
    promotion = get_promotion(promotion_id)
    _apply_promotion(promotion, data)
    db.session.commit()
    return promotion


def delete_promotion(promotion_id: int) -> None:
    db.session.delete(get_promotion(promotion_id))
    db.session.commit()


# ---- collections ----------------------------------------------------------------------


def _product_ids(collection: Collection, limit: int) -> list[int]:
    if collection.kind == "manual":
        return [item.product_id for item in collection.items]
    stmt = sa.select(Product.id).where(Product.is_active).order_by(*COMPUTED_ORDER[collection.kind])
    return list(db.session.scalars(stmt.limit(limit)))


def _collection_views(collections: list[Collection], currency: str) -> list[dict[str, Any]]:
    """Collections with their product cards; all cards come from one batch."""
    limit = current_app.config["CATALOG_COLLECTION_SIZE"]
    ids = {collection.id: _product_ids(collection, limit) for collection in collections}
    cards = {card["id"]: card for card in cards_for(list({i for v in ids.values() for i in v}), currency)}
    return [
        {
            "id": collection.id,
            "slug": collection.slug,
            "name": collection.name,
            "description": collection.description,
            "kind": collection.kind,
            "position": collection.position,
            "is_active": collection.is_active,
            "products": [cards[i] for i in ids[collection.id] if i in cards][:limit],
        }
        for collection in collections
    ]


def list_collections(currency: str | None = None) -> list[dict[str, Any]]:
    stmt = (
        sa.select(Collection)
        .where(Collection.is_active)
        .options(selectinload(Collection.items))
        .order_by(Collection.position, Collection.id)
    )
    return _collection_views(list(db.session.scalars(stmt)), shop_currency(currency))


def get_collection(slug: str, currency: str | None = None, *, staff: bool = False) -> dict[str, Any]:
    collection = get_by_slug(Collection, slug, "collection")
    if not (collection.is_active or staff):
        raise NotFoundError("No such collection.")
    return _collection_views([collection], shop_currency(currency))[0]


def _apply_collection(collection: Collection, data: Mapping[str, Any]) -> None:
    for name in COLLECTION_FIELDS:
        if name in data:
            setattr(collection, name, data[name])
    if "products" in data:
        if collection.kind != "manual":
            raise ValidationError(
                "Only manual collections list products.", details={"products": ["Computed collection."]}
            )
        # Keep the rows of products that stay: a new row with the same key would be
        # inserted before the old one is deleted, and collide.
        existing = {item.product_id: item for item in collection.items}
        items = []
        for position, product in enumerate(products_by_slugs(data["products"])):
            item = existing.pop(product.id, None) or CollectionItem(product_id=product.id)
            item.position = position
            items.append(item)
        collection.items = items


def create_collection(data: Mapping[str, Any]) -> dict[str, Any]:
    slug = new_slug(Collection.slug, data.get("slug"), data["name"], "collection")
    collection = Collection(slug=slug, kind="manual")
    _apply_collection(collection, data)
    db.session.add(collection)
    commit("A collection with this slug already exists.")
    return _collection_views([collection], shop_currency())[0]


def update_collection(slug: str, data: Mapping[str, Any]) -> dict[str, Any]:
    collection = get_by_slug(Collection, slug, "collection")
    change_slug(collection, data.get("slug"), "collection")
    _apply_collection(collection, data)
    commit("A collection with this slug already exists.")
    return _collection_views([collection], shop_currency())[0]


def delete_collection(slug: str) -> None:
    db.session.delete(get_by_slug(Collection, slug, "collection"))
    db.session.commit()
