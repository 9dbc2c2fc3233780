"""Product rules: the detail page, and staff writes of products and variants.

Plain functions, each owning its transaction and raising ``AppError`` subclasses. Cache
invalidation is not their concern: ``app.products.invalidation`` reacts to the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from app.core.models import utcnow
from app.extensions import db
from app.products import cache
from app.products.listing import category_ref, money, rating_summary
from app.products.models import (
    Category,
    CollectionItem,
    Product,
    ProductImage,
    ProductVariant,
    Tag,
    VariantPrice,
    promotion_products,
)
from app.products.slugs import change_slug, new_slug
from app.products.stock import StockStatus, stock_status

T = TypeVar("T")
#: Primary keys are 32-bit integers.
MAX_ID = 2**31 - 1
PRODUCT_FIELDS = ("name", "description", "brand", "attributes", "is_active")
VARIANT_FIELDS = ("sku", "options", "weight_grams", "stock_on_hand", "is_active", "position")


def shop_currency(currency: str | None = None) -> str:
    """The requested currency, or the shop's default."""
    return currency or current_app.config["DEFAULT_CURRENCY"]


def commit(conflict: str) -> None:
    """Commit; a unique constraint lost to a concurrent write becomes a 409."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError(conflict) from exc


# ---- reading --------------------------------------------------------------------------


def _load(slug: str, *, include_inactive: bool) -> Product:
    stmt = (
        sa.select(Product)
        .where(Product.slug == slug)
        .options(
            selectinload(Product.variants).selectinload(ProductVariant.prices),
            selectinload(Product.images),
            selectinload(Product.tags),
        )
    )
    product = db.session.scalar(stmt)
    if product is None or not (product.is_active or include_inactive):
        raise NotFoundError("No such product.")
    return product


def get_product(slug: str, currency: str | None = None, *, staff: bool = False) -> dict[str, Any]:
    """The product page; staff also see inactive products and variants and exact stock."""
    return product_detail(_load(slug, include_inactive=staff), shop_currency(currency), staff=staff)


def _variant_view(variant: ProductVariant, offer: Any, currency: str, staff: bool) -> dict[str, Any]:
    threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
    view = {
        "id": variant.id,
        "sku": variant.sku,
        "options": variant.options,
        "weight_grams": variant.weight_grams,
        "price": money(offer.amount, currency) if offer else None,
        "compare_at": money(offer.compare_at, currency) if offer else None,
        "stock_status": stock_status(variant.stock_on_hand, threshold).value,
    }
    if staff:
        view["stock_on_hand"] = variant.stock_on_hand
        view["is_active"] = variant.is_active
        view["prices"] = [money(price.amount, price.currency) for price in variant.prices]
    return view


def product_detail(product: Product, currency: str, *, staff: bool = False) -> dict[str, Any]:
    book, now = cache.price_book(), utcnow()
    path = product.category.path if product.category else None
    variants, best = [], None
    for variant in product.variants:
        if not (variant.is_active or staff):
            continue
        list_price = next((p.amount for p in variant.prices if p.currency == currency), None)
        offer = None if list_price is None else book.offer(list_price, currency, product.id, path, now)
        variants.append(_variant_view(variant, offer, currency, staff))
        if offer and variant.is_active and (best is None or offer.amount < best.amount):
            best = offer
    images = [{"url": i.url, "alt_text": i.alt_text, "position": i.position} for i in product.images]
    running = {promotion.id: promotion for promotion in book.running(now)}
    promotion = running.get(best.promotion_id) if best else None
    return {
        "id": product.id,
        "slug": product.slug,
        "name": product.name,
        "brand": product.brand,
        "description": product.description,
        "category": category_ref(product.category),
        "tags": [{"id": tag.id, "slug": tag.slug, "name": tag.name} for tag in product.tags],
        "images": images,
        "image": images[0] if images else None,
        "attributes": product.attributes,
        "price": money(best.amount, currency) if best else None,
        "compare_at": money(best.compare_at, currency) if best else None,
        "on_sale": bool(best and best.compare_at is not None),
        "promotion": promotion and {"id": promotion.id, "name": promotion.name, "ends_at": promotion.ends_at},
        "in_stock": any(v["stock_status"] != StockStatus.OUT_OF_STOCK and v["price"] for v in variants),
        "rating": rating_summary(product),
        "variants": variants,
        "is_active": product.is_active,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


# ---- references by slug ---------------------------------------------------------------


def category_by_slug(slug: str | None, *, field: str = "category") -> Category | None:
    if slug is None:
        return None
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if category is None:
        raise ValidationError("Unknown category.", details={field: [f"No category {slug!r}."]})
    return category


def _by_slugs(model: type, slugs: Iterable[str], field: str) -> list[Any]:
    """The rows of ``model`` with these slugs, in the given order; 422 naming any unknown."""
    slugs = list(dict.fromkeys(slugs))
    found = {row.slug: row for row in db.session.scalars(sa.select(model).where(model.slug.in_(slugs)))}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError(f"Unknown {field}.", details={field: [f"Unknown: {', '.join(missing)}."]})
    return [found[slug] for slug in slugs]


def tags_by_slugs(slugs: Iterable[str]) -> list[Tag]:
    return _by_slugs(Tag, slugs, "tags")


def products_by_slugs(slugs: Iterable[str]) -> list[Product]:
    return _by_slugs(Product, slugs, "products")


def categories_by_slugs(slugs: Iterable[str]) -> list[Category]:
    return _by_slugs(Category, slugs, "categories")


# ---- product writes -------------------------------------------------------------------


def _ensure_skus_free(skus: list[str], *, except_variant: int | None = None) -> None:
    if len(skus) != len(set(skus)):
        raise ValidationError("Each variant needs its own SKU.", details={"variants": ["Duplicate SKU."]})
    stmt = sa.select(ProductVariant.sku).where(ProductVariant.sku.in_(skus))
    if except_variant is not None:
        stmt = stmt.where(ProductVariant.id != except_variant)
    taken = list(db.session.scalars(stmt))
    if taken:
        raise ConflictError(
            "A variant with this SKU already exists.",
            code=ErrorCode.CONFLICT,
            details={"sku": [f"Taken: {', '.join(sorted(taken))}."]},
        )


def _set_prices(variant: ProductVariant, prices: list[Mapping[str, Any]]) -> None:
    """Make the variant's prices exactly ``prices``, updating rows in place.

    Updating rather than replacing matters: the unit of work inserts before it deletes,
    so a replaced NGN price would collide with the old one on (variant, currency).
    """
    wanted = {price["currency"]: price["amount"] for price in prices}
    for price in list(variant.prices):
        if price.currency in wanted:
            price.amount = wanted.pop(price.currency)
        else:
            variant.prices.remove(price)
    variant.prices.extend(VariantPrice(currency=c, amount=a) for c, a in sorted(wanted.items()))


def _apply_variant(variant: ProductVariant, data: Mapping[str, Any]) -> None:
    for name in VARIANT_FIELDS:
        if name in data:
            setattr(variant, name, data[name])
    if "prices" in data:
        _set_prices(variant, data["prices"])


def _apply_product(product: Product, data: Mapping[str, Any]) -> None:
    for name in PRODUCT_FIELDS:
        if name in data:
            setattr(product, name, data[name])
    if "category" in data:
        product.category = category_by_slug(data["category"])
    if "tags" in data:
        product.tags = tags_by_slugs(data["tags"])
    if "images" in data:
        product.images = [ProductImage(**image) for image in data["images"]]


def create_product(data: Mapping[str, Any]) -> dict[str, Any]:
    """Staff: a product with its variants and prices; 409 on a taken slug or SKU."""
    variants = data.get("variants", [])
    _ensure_skus_free([variant["sku"] for variant in variants])
    product = Product(slug=new_slug(Product.slug, data.get("slug"), data["name"], "product"))
    _apply_product(product, data)
    for position, fields in enumerate(variants):
        variant = ProductVariant(position=position)
        _apply_variant(variant, fields)
        product.variants.append(variant)
    db.session.add(product)
    commit("A product with this slug or a variant with this SKU already exists.")
    return product_detail(product, shop_currency(), staff=True)


def update_product(slug: str, data: Mapping[str, Any]) -> dict[str, Any]:
    product = _load(slug, include_inactive=True)
    change_slug(product, data.get("slug"), "product")
    _apply_product(product, data)
    commit("A product with this slug already exists.")
    return product_detail(product, shop_currency(), staff=True)


def delete_product(slug: str) -> None:
    """Delete a product with its variants, images and memberships."""
    product = _load(slug, include_inactive=True)
    db.session.execute(sa.delete(CollectionItem).where(CollectionItem.product_id == product.id))
    db.session.execute(sa.delete(promotion_products).where(promotion_products.c.product_id == product.id))
    db.session.delete(product)
    db.session.commit()


# ---- variant writes -------------------------------------------------------------------


def get_by_id(model: type[T], row_id: int, what: str) -> T:
    """The row with this id, or a 404; ids beyond 32 bits are a 404 too, not an overflow."""
    row = db.session.get(model, row_id) if 0 < row_id <= MAX_ID else None
    if row is None:
        raise NotFoundError(f"No such {what}.")
    return row


def _variant(variant_id: int) -> ProductVariant:
    return get_by_id(ProductVariant, variant_id, "variant")


def create_variant(slug: str, data: Mapping[str, Any]) -> dict[str, Any]:
    product = _load(slug, include_inactive=True)
    _ensure_skus_free([data["sku"]])
    variant = ProductVariant(position=len(product.variants))
    _apply_variant(variant, data)
    product.variants.append(variant)
    commit("A variant with this SKU already exists.")
    return _variant_view(variant, None, shop_currency(), staff=True)


def update_variant(variant_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    variant = _variant(variant_id)
    if "sku" in data:
        _ensure_skus_free([data["sku"]], except_variant=variant.id)
    _apply_variant(variant, data)
    commit("A variant with this SKU already exists.")
    return _variant_view(variant, None, shop_currency(), staff=True)


def delete_variant(variant_id: int) -> None:
    db.session.delete(_variant(variant_id))
    db.session.commit()
