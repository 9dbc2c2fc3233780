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

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from app.core.models import utcnow
from app.extensions import db
from app.products import cache
from app.products.invalidation import PENDING
from app.products.models import Product, ProductVariant
from app.products.pricing import Offer
from app.products.stock import stock_status


@dataclass(frozen=True, slots=True)
class VariantOffer:
    """A variant as a buyer sees it now: its price in one currency (None if not sold in it)."""

    variant: ProductVariant
    offer: Offer | None

    @property
    def buyable(self) -> bool:
        return self.variant.is_active and self.variant.product.is_active and self.offer is not None


def load_variants(variant_ids: Iterable[int], *, images: bool = False) -> dict[int, ProductVariant]:
    """Variants with their product, category and prices in one query (a second for the
    product images, which only a rendered cart shows).

    The product (and its category) are one row per variant; prices are one per currency
    the variant is sold in, a handful: joined rather than fetched by a query of their own.
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = db.session.scalars(_variants_statement(images), {"ids": ids}).unique()
    return {variant.id: variant for variant in rows}


@functools.cache
def _variants_statement(images: bool) -> sa.Select:
    """Built once per process: every add-to-cart and checkout runs it, and building the
    select with its loader options, then keying it, cost SQLAlchemy more than running it."""
    product = joinedload(ProductVariant.product)
    if images:
        product = product.selectinload(Product.images)
    return (
        sa.select(ProductVariant)
        .where(ProductVariant.id.in_(sa.bindparam("ids", expanding=True)))
        .options(joinedload(ProductVariant.prices), product)
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


def _move_stock(quantities: Mapping[int, int], sign: int) -> dict[int, int]:
    """Apply ``sign * q`` to each variant's stock; returns the variants that were short."""
    threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
    short: dict[int, int] = {}
    status_changed = False
    table = ProductVariant.__table__
    for variant_id in sorted(quantities):
        quantity = quantities[variant_id]
        statement = (
            sa.update(table)
            .where(table.c.id == variant_id)
            .values(stock_on_hand=table.c.stock_on_hand + sign * quantity)
            .returning(table.c.stock_on_hand)
        )
        if sign < 0:
            statement = statement.where(table.c.stock_on_hand >= quantity)
        after = db.session.execute(statement).scalar()
        if after is None:
            available = db.session.scalar(sa.select(table.c.stock_on_hand).where(table.c.id == variant_id))
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
