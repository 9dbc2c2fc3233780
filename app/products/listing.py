"""Product lists: filters, search, sorting and the compact "cards" they return.

A page costs a fixed number of queries whatever its size: one COUNT, one SELECT of the
page (prices, stock and first image come from a grouped subquery and correlated
subqueries; the category by a join), one for the tags of the page, and the price book
(usually from the cache). No N+1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core.models import utcnow
from app.extensions import db
from app.products import cache
from app.products.models import (
    Category,
    Product,
    ProductImage,
    ProductVariant,
    Tag,
    VariantPrice,
    product_tags,
)
from app.products.pricing import PriceBook
from app.products.search import search_filter

SORTS = ("price", "-price", "newest", "name", "rating", "popularity")
CARD_FIELDS = (
    "id",
    "slug",
    "name",
    "brand",
    "category",
    "image",
    "price",
    "compare_at",
    "on_sale",
    "in_stock",
    "rating",
    "tags",
)


@dataclass(frozen=True)
class ProductQuery:
    """A normalised product list request (prices in minor units of ``currency``)."""

    currency: str
    q: str | None = None
    category: str | None = None
    tag: str | None = None
    brand: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    sort: str | None = None


@dataclass(frozen=True)
class Offers:
    """Per product, in one currency: the lowest active list price and whether any variant
    is in stock. Products without a price in the currency are not sold in it and drop out.

    Filtering or sorting by them needs them for every product: a grouped subquery joined
    in. Otherwise only the page's rows need them: correlated subqueries evaluated after
    the LIMIT, and an EXISTS for "sold in this currency" (the GIN/created_at indexes then
    serve the page without aggregating the whole catalog).
    """

    price: sa.ColumnElement
    in_stock: sa.ColumnElement
    grouped: sa.Subquery | None = None
    sold: sa.Exists | None = None

    @classmethod
    def for_query(cls, currency: str, *, grouped: bool) -> Offers:
        priced = (
            sa.select(ProductVariant.product_id)
            .join(VariantPrice, VariantPrice.variant_id == ProductVariant.id)
            .where(VariantPrice.currency == currency, ProductVariant.is_active)
        )
        price = sa.func.min(VariantPrice.amount)
        in_stock = sa.func.max(sa.case((ProductVariant.stock_on_hand > 0, 1), else_=0))
        if grouped:
            subquery = priced.add_columns(price.label("price"), in_stock.label("in_stock"))
            subquery = subquery.group_by(ProductVariant.product_id).subquery("offers")
            return cls(subquery.c.price, subquery.c.in_stock, grouped=subquery)
        per_row = priced.where(ProductVariant.product_id == Product.id).correlate(Product)
        return cls(
            per_row.with_only_columns(price).scalar_subquery(),
            per_row.with_only_columns(in_stock).scalar_subquery(),
            sold=per_row.exists(),
        )

    def restrict(self, stmt: sa.Select) -> sa.Select:
        """Keep the products sold in the currency."""
        if self.grouped is not None:
            return stmt.join(self.grouped, self.grouped.c.product_id == Product.id)
        return stmt.where(self.sold)


def _offers(query: ProductQuery) -> Offers:
    by_offer = query.sort in ("price", "-price") or query.in_stock is not None
    by_offer = by_offer or query.min_price is not None or query.max_price is not None
    return Offers.for_query(query.currency, grouped=by_offer)


def _first_image(column: sa.orm.InstrumentedAttribute) -> sa.ScalarSelect:
    return (
        sa.select(column)
        .where(ProductImage.product_id == Product.id)
        .order_by(ProductImage.position, ProductImage.id)
        .limit(1)
        .correlate(Product)
        .scalar_subquery()
    )


def _filtered(stmt: sa.Select, query: ProductQuery, offers: Offers) -> sa.Select:
    stmt = offers.restrict(stmt).where(Product.is_active)
    if query.q:
        stmt = stmt.where(search_filter(query.q)[0])
    if query.category:
        prefix = sa.select(Category.path).where(Category.slug == query.category).scalar_subquery()
        subtree = sa.select(Category.id).where(Category.path.startswith(prefix), Category.is_active)
        stmt = stmt.where(Product.category_id.in_(subtree))
    if query.tag:
        stmt = stmt.where(Product.tags.any(Tag.slug == query.tag))
    if query.brand:
        stmt = stmt.where(sa.func.lower(Product.brand) == query.brand.lower())
    if query.min_price is not None:
        stmt = stmt.where(offers.price >= query.min_price)
    if query.max_price is not None:
        stmt = stmt.where(offers.price <= query.max_price)
    if query.in_stock is not None:
        stmt = stmt.where(offers.in_stock == int(query.in_stock))
    return stmt


def _ordering(query: ProductQuery, offers: Offers) -> list[Any]:
    by_sort = {
        "price": [offers.price.asc()],
        "-price": [offers.price.desc()],
        "newest": [Product.created_at.desc()],
        "name": [Product.name.asc()],
        "rating": [Product.rating_average.desc(), Product.rating_count.desc()],
        "popularity": [Product.sales_count.desc()],
    }
    if query.sort:
        order = by_sort[query.sort]
    elif query.q:
        order = [search_filter(query.q)[1]]
    else:
        order = by_sort["newest"]
    return [*order, Product.id.desc()]  # a total order keeps pages stable


def _card_select(offers: Offers) -> sa.Select:
    return sa.select(
        Product,
        offers.price,
        offers.in_stock,
        _first_image(ProductImage.url),
        _first_image(ProductImage.alt_text),
    )


def _tags_of(product_ids: Sequence[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    if product_ids:
        rows = db.session.execute(
            sa.select(product_tags.c.product_id, Tag.slug)
            .join(Tag, Tag.id == product_tags.c.tag_id)
            .where(product_tags.c.product_id.in_(product_ids))
            .order_by(Tag.slug)
        )
        for product_id, slug in rows:
            tags[product_id].append(slug)
    return tags


def money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": amount, "currency": currency}


def category_ref(category: Category | None) -> dict[str, Any] | None:
    return None if category is None else {"id": category.id, "slug": category.slug, "name": category.name}


def rating(product: Product) -> dict[str, Any]:
    return {"average": float(product.rating_average or 0), "count": product.rating_count}


def rating_summary(product: Product) -> dict[str, Any]:
    """The rating with its histogram of stars (kept by app.reviews), for the product page."""
    histogram = product.rating_histogram or {}
    return {**rating(product), "histogram": {str(star): histogram.get(str(star), 0) for star in range(1, 6)}}


def _cards(rows: Sequence[sa.Row], currency: str, book: PriceBook, now: datetime) -> list[dict[str, Any]]:
    tags = _tags_of([row[0].id for row in rows])
    cards = []
    for product, price, in_stock, image_url, image_alt in rows:
        path = product.category.path if product.category else None
        offer = book.offer(price, currency, product.id, path, now)
        cards.append(
            {
                "id": product.id,
                "slug": product.slug,
                "name": product.name,
                "brand": product.brand,
                "category": category_ref(product.category),
                "image": None if image_url is None else {"url": image_url, "alt_text": image_alt},
                "price": money(offer.amount, currency),
                "compare_at": money(offer.compare_at, currency),
                "on_sale": offer.compare_at is not None,
                "in_stock": bool(in_stock),
                "rating": rating(product),
                "tags": tags.get(product.id, []),
            }
        )
    return cards


def list_products(
    page: int,
    page_size: int,
    *,
    fields: Sequence[str] | None = None,
    currency: str | None = None,
    **filters: Any,
) -> tuple[list[dict[str, Any]], int]:
    """One page of product cards and the total count; ``fields`` keeps only those keys."""
    query = ProductQuery(currency=currency or current_app.config["DEFAULT_CURRENCY"], **filters)
    offers = _offers(query)
    counted = _filtered(sa.select(Product.id), query, offers).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
    rows = []
    if (page - 1) * page_size < total:
        stmt = _filtered(_card_select(offers), query, offers).order_by(*_ordering(query, offers))
        rows = db.session.execute(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    cards = _cards(rows, query.currency, cache.price_book(), utcnow())
    if fields:
        cards = [{name: card[name] for name in fields} for card in cards]
    return cards, total


def cards_for(product_ids: Sequence[int], currency: str) -> list[dict[str, Any]]:
    """Cards of active products in the order of ``product_ids`` (for collections)."""
    if not product_ids:
        return []
    offers = Offers.for_query(currency, grouped=False)
    stmt = offers.restrict(_card_select(offers))
    rows = db.session.execute(stmt.where(Product.is_active, Product.id.in_(product_ids))).all()
    position = {product_id: index for index, product_id in enumerate(product_ids)}
    rows.sort(key=lambda row: position[row[0].id])
    return _cards(rows, currency, cache.price_book(), utcnow())
