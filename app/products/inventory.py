"""What the cart and checkout need from the catalog: current prices and stock moves.

Stock is moved with one conditional UPDATE per variant (``… WHERE stock_on_hand >= q``),
in variant-id order, inside the caller's transaction: two checkouts racing for the last
unit serialise on the row lock and exactly one of them wins, with no oversell and no
deadlock. Catalog caches are retired only when a variant's visible stock status changes,
so a busy checkout does not empty the cache on every order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.core.models import utcnow
from app.core.prepared_statements import prepared
from app.extensions import db
from app.products import cache
from app.products.invalidation import PENDING
from app.products.models import Category, Product, ProductImage, ProductVariant, VariantPrice
from app.products.pricing import Offer, PriceBook
from app.products.stock import stock_status


@dataclass(frozen=True, slots=True)
class VariantOffer:
    """A variant as a buyer sees it now: its price in one currency (None if not sold in it)."""

    variant: ProductVariant
    offer: Offer | None

    @property
    def buyable(self) -> bool:
        return self.variant.is_active and self.variant.product.is_active and self.offer is not None


@dataclass(frozen=True, slots=True)
class CartOffer:
    """A variant as a cart shows it now, in the cart's currency: what ``VariantOffer``
    tells of it, read as plain columns (no ORM objects to build, track and expire).

    ``is_active``: the variant and its product both are; ``image``: the product's first.
    """

    variant_id: int
    sku: str
    options: dict[str, str]
    weight_grams: int
    stock_on_hand: int
    is_active: bool
    product_id: int
    product_slug: str
    product_name: str
    category_path: str | None
    image: dict[str, str] | None
    offer: Offer | None

    @property
    def buyable(self) -> bool:
        return self.is_active and self.offer is not None


def load_variants(variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Variants with their product, category and prices in one query.

    The product (and its category) are one row per variant; prices are one per currency
    the variant is sold in, a handful: joined rather than fetched by a query of their own.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = db.session.scalars(_variants_statement(), {"ids": ids}).unique()
    return {variant.id: variant for variant in rows}


@functools.cache
def _variants_statement() -> sa.Select:
    """Built once per process: wishlists and sales counts run it, and building the select
    with its loader options, then keying it, cost SQLAlchemy more than running it."""
    return (
        sa.select(ProductVariant)
        .where(ProductVariant.id.in_(sa.bindparam("ids", expanding=True)))
        .options(joinedload(ProductVariant.prices), joinedload(ProductVariant.product))
    )


def cart_offers(variant_ids: Iterable[int], currency: str) -> dict[int, CartOffer]:
    """The variants a cart shows (a missing one left out), priced in ``currency`` now,
    in one query.

    Every add to the cart and every checkout runs it: only the columns the cart shows,
    only the price row of its currency, and the product's first image, instead of whole
    products with their JSON columns once per price row and the images by a second query.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    book, now = cache.price_book(), utcnow()
    rows = db.session.execute(_cart_offers_statement(), {"ids": ids, "currency": currency})
    return {row.variant_id: _cart_offer(row, currency, book, now) for row in rows}


def _cart_offer(row: sa.Row, currency: str, book: PriceBook, now: datetime) -> CartOffer:
    offer = None
    if row.amount is not None:
        offer = book.offer(row.amount, currency, row.product_id, row.category_path, now)
    return CartOffer(
        variant_id=row.variant_id,
        sku=row.sku,
        options=row.options,
        weight_grams=row.weight_grams,
        stock_on_hand=row.stock_on_hand,
        is_active=row.variant_active and row.product_active,
        product_id=row.product_id,
        product_slug=row.slug,
        product_name=row.name,
        category_path=row.category_path,
        image=None if row.image_url is None else {"url": row.image_url, "alt_text": row.image_alt},
        offer=offer,
    )


@functools.cache
def _cart_offers_statement() -> sa.Select:
    """Built once per process (see ``_variants_statement``), on the tables: selecting
    mapped attributes would bring back the ORM's compilation and row processing.

    What a variant has at most one of (category path, price in the currency, first
    image) is a correlated subquery, each an index lookup: PostgreSQL plans this in half
    the time of the same columns joined (re-planned on every add, it costs more than it
    runs), and no catalog size can turn the first image into a hash of every image.
    """
    variants, products = ProductVariant.__table__, Product.__table__
    prices, images, categories = VariantPrice.__table__, ProductImage.__table__, Category.__table__

    def first_image(column: sa.Column) -> sa.ScalarSelect:
        # In the order of the product's ``images`` relationship (ties: by id).
        return (
            sa.select(column)
            .where(images.c.product_id == products.c.id)
            .order_by(images.c.position, images.c.id)
            .limit(1)
            .scalar_subquery()
        )

    category_path = sa.select(categories.c.path).where(categories.c.id == products.c.category_id)
    amount = sa.select(prices.c.amount).where(
        prices.c.variant_id == variants.c.id, prices.c.currency == sa.bindparam("currency")
    )
    return prepared(  # planned once per connection and list length
        sa.select(
            variants.c.id.label("variant_id"),
            variants.c.sku,
            variants.c.options,
            variants.c.weight_grams,
            variants.c.stock_on_hand,
            variants.c.is_active.label("variant_active"),
            products.c.id.label("product_id"),
            products.c.slug,
            products.c.name,
            products.c.is_active.label("product_active"),
            category_path.scalar_subquery().label("category_path"),
            amount.scalar_subquery().label("amount"),
            first_image(images.c.url).label("image_url"),
            first_image(images.c.alt_text).label("image_alt"),
        )
        .join_from(variants, products, products.c.id == variants.c.product_id)
        .where(variants.c.id.in_(sa.bindparam("ids", expanding=True)))
    )


def current_offers(variants: Mapping[int, ProductVariant], currency: str) -> dict[int, VariantOffer]:
    """The promoted price of each variant in ``currency`` at this moment."""
    book, now = cache.price_book(), utcnow()
    offers = {}
    for variant_id, variant in variants.items():
        product = variant.product
        list_price = next((p.amount for p in variant.prices if p.currency == currency), None)
        path = product.category.path if product.category else None
        offer = None if list_price is None else book.offer(list_price, currency, product.id, path, now)
        offers[variant_id] = VariantOffer(variant, offer)
    return offers


_VARIANTS: sa.Table = ProductVariant.__table__


@functools.cache
def _stock_statement(taking: bool) -> sa.Update:
    """Built once (see ``_variants_statement``): the UPDATE moving one variant's stock by
    ``delta``; when ``taking``, a variant short of ``quantity`` is left alone (no row back)."""
    stock = _VARIANTS.c.stock_on_hand
    statement = (
        sa.update(_VARIANTS)
        .where(_VARIANTS.c.id == sa.bindparam("variant_id"))
        .values(stock_on_hand=stock + sa.bindparam("delta"))
        .returning(stock)
    )
    return prepared(statement.where(stock >= sa.bindparam("quantity")) if taking else statement)


@functools.cache
def _available_statement() -> sa.Select:
    return sa.select(_VARIANTS.c.stock_on_hand).where(_VARIANTS.c.id == sa.bindparam("variant_id"))


def _move_stock(quantities: Mapping[int, int], sign: int) -> dict[int, int]:
    """Apply ``sign * q`` to each variant's stock; returns the variants that were short."""
    threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
    short: dict[int, int] = {}
    status_changed = False
    statement = _stock_statement(taking=sign < 0)
    for variant_id in sorted(quantities):
        quantity = quantities[variant_id]
        values = {"variant_id": variant_id, "delta": sign * quantity, "quantity": quantity}
        after = db.session.execute(statement, values).scalar()
        if after is None:
            available = db.session.scalar(_available_statement(), {"variant_id": variant_id})
            short[variant_id] = available or 0
            continue
        before = after - sign * quantity
        status_changed |= stock_status(before, threshold) != stock_status(after, threshold)
    if status_changed and not short:
        # Core UPDATEs bypass the ORM events; queue the bump for after the commit.
        db.session.info.setdefault(PENDING, set()).add("products")
    return short


def reserve_stock(quantities: Mapping[int, int]) -> dict[int, int]:
    """Take stock for an order, in the caller's transaction.

    Returns ``{variant_id: available}`` for every variant that could not supply its
    quantity; the caller must then roll back (nothing may be written).
    """
    return _move_stock(quantities, -1)


def release_stock(quantities: Mapping[int, int]) -> None:
    """Give stock back (a cancelled or expired order), in the caller's transaction."""
    _move_stock(quantities, +1)


def record_sales(quantities: Mapping[int, int]) -> None:
    """Count units sold per product, for the "popularity" sort and best-seller collections."""
    variants = load_variants(quantities)
    per_product: dict[int, int] = {}
    for variant_id, quantity in quantities.items():
        product_id = variants[variant_id].product_id
        per_product[product_id] = per_product.get(product_id, 0) + quantity
    for product_id, units in sorted(per_product.items()):
        db.session.execute(
            sa.update(Product).where(Product.id == product_id).values(sales_count=Product.sales_count + units)
        )
