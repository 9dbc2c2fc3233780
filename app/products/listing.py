"""Product lists: filters, search, sorting and the compact "cards" they return.

Lists read ``product_offers`` (see ``app.products.offers``): a product is listed in a
currency when it has a row there, and sorts and price filters use its indexed price, so
no request aggregates the catalog's prices. A page costs a fixed number of queries
whatever its size: the total (a sum over a few kept counts when at most a category
narrows the list, else one COUNT), one SELECT of the page walking the sort's index (the
category by a join), then one for the page's first images, stock flags and tags together,
and the price book (usually held in the process). No N+1.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core.models import utcnow
from app.core.prepared_statements import prepared
from app.extensions import db
from app.products import cache
from app.products.models import (
    Category,
    Product,
    ProductImage,
    ProductOffer,
    ProductOfferCount,
    ProductVariant,
    Tag,
    VariantPrice,
    product_tags,
)
from app.products.pricing import PriceBook
from app.products.search import search_filter, search_terms, search_values

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

    def shape(self) -> Shape:
        return Shape(
            search=search_terms(self.q) if self.q else None,
            category=bool(self.category),
            tag=bool(self.tag),
            brand=bool(self.brand),
            min_price=self.min_price is not None,
            max_price=self.max_price is not None,
            in_stock=self.in_stock,
            sort=self.sort,
        )

    def values(self, categories: list[int] | None) -> dict[str, Any]:
        """The values the statements of ``shape()`` bind (``categories``: the resolved subtree)."""
        values: dict[str, Any] = {
            "currency": self.currency,
            "categories": categories,
            "tag": self.tag,
            "brand": self.brand and self.brand.lower(),
            "min_price": self.min_price,
            "max_price": self.max_price,
        }
        if self.q:
            values |= search_values(self.q)
        return values


@dataclass(frozen=True)
class Shape:
    """What a list's statements depend on, apart from the values they run with.

    Each shape's statements are built once per process: building a select and having
    SQLAlchemy key it for its compiled cache cost more Python than running it.
    """

    search: int | None  # None: no search; else how many values it binds (see search.py)
    category: bool
    tag: bool
    brand: bool
    min_price: bool
    max_price: bool
    in_stock: bool | None
    sort: str | None

    @property
    def joins_products(self) -> bool:
        """True when a filter reads ``products`` (a category is read from the offers)."""
        return self.search is not None or self.tag or self.brand

    @property
    def picks_from_offers(self) -> bool:
        """True when the page's products can be chosen from ``product_offers`` alone: every
        filter and the sort key live there, so only the chosen page is joined for its cards."""
        return not self.joins_products and self.sort in PRICE_SORTS

    @property
    def counts_are_kept(self) -> bool:
        """True when at most a category narrows the list: its total is a sum of kept counts."""
        narrowed = (self.search is not None, self.tag, self.brand, self.min_price, self.max_price)
        return not any(narrowed) and self.in_stock is None


#: The sorts whose key is the offer's price.
PRICE_SORTS = frozenset({"price", "-price"})


def _stocked(currency: str | sa.BindParameter) -> sa.Select:
    """The product ids of active variants priced in ``currency`` and in stock."""
    return (
        sa.select(ProductVariant.product_id)
        .join(VariantPrice, VariantPrice.variant_id == ProductVariant.id)
        .where(ProductVariant.is_active, ProductVariant.stock_on_hand > 0, VariantPrice.currency == currency)
    )


@dataclass(frozen=True)
class CategoryPaths:
    """Every category's materialised path, sorted: the paths under one form a single run."""

    paths: list[str]
    ids: list[int]  # ``paths``' categories, in the same order
    active: list[bool]
    path_of: dict[str, str]  # slug -> path

    @classmethod
    def load(cls) -> CategoryPaths:
        rows = db.session.execute(
            sa.select(Category.path, Category.id, Category.is_active, Category.slug).order_by(Category.path)
        ).all()
        return cls(
            paths=[row.path for row in rows],
            ids=[row.id for row in rows],
            active=[row.is_active for row in rows],
            path_of={row.slug: row.path for row in rows},
        )

    def subtree(self, slug: str) -> list[int]:
        """The active categories whose path starts with ``slug``'s, itself included."""
        path = self.path_of.get(slug)
        if path is None:
            return []
        start = bisect.bisect_left(self.paths, path)
        end = bisect.bisect_left(self.paths, path + "\uffff", start)  # paths are digits and '/'
        return [self.ids[i] for i in range(start, end) if self.active[i]]


def _subtree(slug: str) -> list[int]:
    """The active categories under ``slug``, itself included.

    Resolved before the list's queries, so PostgreSQL plans them with the real ids (it
    estimates a subquery at one category, and then walks the wrong index). From the paths
    this process keeps per categories generation: a round trip less for every category list.
    """
    return cache.held("category_paths", ("categories",), CategoryPaths.load).subtree(slug)


def _categories() -> sa.BindParameter:
    return sa.bindparam("categories", expanding=True)


def _filtered(
    stmt: sa.Select, shape: Shape, category: sa.ColumnElement[int] = ProductOffer.category_key
) -> sa.Select:
    """``stmt`` (selecting from ``product_offers``, joined to ``products`` when a product
    filter needs it) restricted to the products a query of ``shape`` asks for.

    ``category`` is the column a category filter reads: the offers' copy lets counts and
    price pages stay on the offers' index; a page sorted by a product column passes
    ``Product.category_id``, so PostgreSQL starts from the category's products instead.
    """
    stmt = stmt.where(ProductOffer.currency == sa.bindparam("currency"))
    if shape.search is not None:
        stmt = stmt.where(search_filter(shape.search)[0])
    if shape.category:
        stmt = stmt.where(category.in_(_categories()))
    if shape.tag:
        stmt = stmt.where(Product.tags.any(Tag.slug == sa.bindparam("tag")))
    if shape.brand:
        stmt = stmt.where(sa.func.lower(Product.brand) == sa.bindparam("brand"))
    if shape.min_price:
        stmt = stmt.where(ProductOffer.price >= sa.bindparam("min_price"))
    if shape.max_price:
        stmt = stmt.where(ProductOffer.price <= sa.bindparam("max_price"))
    if shape.in_stock is not None:
        stocked = _stocked(sa.bindparam("currency"))
        stocked = stocked.where(ProductVariant.product_id == ProductOffer.product_id).exists()
        stmt = stmt.where(stocked if shape.in_stock else ~stocked)
    return stmt


def _price_order(shape: Shape) -> list[Any]:
    price = ProductOffer.price
    if shape.joins_products or shape.category:
        # An expression, not the column: PostgreSQL would otherwise walk the whole price
        # index filtering for, say, a category, and a category's prices sit together (the
        # cheap groceries come last under -price: 57k rows read for 60 at 100k products).
        # Filtered lists are small; sorting the matches is cheap.
        price = price + 0
    return [price.desc() if shape.sort == "-price" else price.asc()]


def _ordering(shape: Shape) -> list[Any]:
    by_sort = {
        "newest": [Product.created_at.desc()],
        "name": [Product.name.asc()],
        "rating": [Product.rating_average.desc(), Product.rating_count.desc()],
        "popularity": [Product.sales_count.desc()],
    }
    if shape.sort in PRICE_SORTS:
        order = _price_order(shape)
    elif shape.sort:
        order = by_sort[shape.sort]
    elif shape.search is not None:
        order = [search_filter(shape.search)[1]]
    else:
        order = by_sort["newest"]
    return [*order, Product.id.desc()]  # a total order keeps pages stable


#: What a card shows of a product, as plain columns: the description and attributes stay in
#: the database, and no ORM entity is built for a row that is only read.
CARD_COLUMNS = (
    Product.id,
    Product.slug,
    Product.name,
    Product.brand,
    Product.rating_average,
    Product.rating_count,
    ProductOffer.price,
    Category.id.label("category_id"),
    Category.slug.label("category_slug"),
    Category.name.label("category_name"),
    Category.path.label("category_path"),
)


def _card_select() -> sa.Select:
    """A page's card columns with the offer price. Images and stock are read afterwards for
    the page's ids: as correlated subqueries here they tripled the planning time (3 ms of
    PostgreSQL's 4.5 ms for a page of 20)."""
    return (
        sa.select(*CARD_COLUMNS)
        .select_from(ProductOffer)
        .join(Product, Product.id == ProductOffer.product_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Product.is_active)  # implied by an offer; lets the sorts walk their indexes
    )


@dataclass(frozen=True)
class PageDetails:
    """What a page's cards show beyond their rows: first images, stock flags and tags."""

    images: dict[int, dict[str, str]]
    in_stock: set[int]
    tags: dict[int, list[str]]


@functools.cache
def _details_statement() -> sa.CompoundSelect:
    """One statement for a page's details (``ids``, ``currency``), built once per process.

    One round trip instead of three, and a statement object SQLAlchemy has already keyed
    and compiled: building and keying three selects cost more Python than running them.
    Columns: kind, product id, text (image URL or tag slug), alt text, then sort keys.
    """
    ids = sa.bindparam("ids", expanding=True)
    zero = sa.literal_column("0")
    images = sa.select(
        sa.literal_column("'image'").label("kind"),
        ProductImage.product_id.label("product_id"),
        ProductImage.url.label("text"),
        ProductImage.alt_text.label("alt_text"),
        ProductImage.position.label("position"),
        ProductImage.id.label("row_id"),
    ).where(ProductImage.product_id.in_(ids))
    tags = (
        sa.select(sa.literal_column("'tag'"), product_tags.c.product_id, Tag.slug, sa.null(), zero, zero)
        .join(Tag, Tag.id == product_tags.c.tag_id)
        .where(product_tags.c.product_id.in_(ids))
    )
    stocked = (
        _stocked(sa.bindparam("currency"))
        .with_only_columns(
            sa.literal_column("'stock'"), ProductVariant.product_id, sa.null(), sa.null(), zero, zero
        )
        .where(ProductVariant.product_id.in_(ids))
        .distinct()
    )
    order = ("kind", "product_id", "position", "row_id", "text")
    details = sa.union_all(images, tags, stocked).order_by(*(sa.literal_column(name) for name in order))
    # Lookups by the page's ids: prepared, its plan is the same whatever the ids (the page
    # and count statements are not: their best plan depends on the filters' values).
    return prepared(details)


def _page_details(product_ids: Sequence[int], currency: str) -> PageDetails:
    """The first image (by position), the stock flag and the tags of each product."""
    details = PageDetails({}, set(), defaultdict(list))
    rows = db.session.execute(_details_statement(), {"ids": list(product_ids), "currency": currency})
    for kind, product_id, text, alt_text, _position, _row_id in rows:
        if kind == "image":
            details.images.setdefault(product_id, {"url": text, "alt_text": alt_text})
        elif kind == "tag":
            details.tags[product_id].append(text)
        else:
            details.in_stock.add(product_id)
    return details


def money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": amount, "currency": currency}


def category_ref(category: Category | None) -> dict[str, Any] | None:
    return None if category is None else {"id": category.id, "slug": category.slug, "name": category.name}


def rating(product: Product | sa.Row) -> dict[str, Any]:
    return {"average": float(product.rating_average or 0), "count": product.rating_count}


def rating_summary(product: Product) -> dict[str, Any]:
    """The rating with its histogram of stars (kept by app.reviews), for the product page."""
    histogram = product.rating_histogram or {}
    return {**rating(product), "histogram": {str(star): histogram.get(str(star), 0) for star in range(1, 6)}}


def _cards(rows: Sequence[sa.Row], currency: str, book: PriceBook, now: datetime) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    if not ids:
        return []
    details = _page_details(ids, currency)
    cards = []
    for row in rows:
        offer = book.offer(row.price, currency, row.id, row.category_path, now)
        category = None
        if row.category_id is not None:
            category = {"id": row.category_id, "slug": row.category_slug, "name": row.category_name}
        cards.append(
            {
                "id": row.id,
                "slug": row.slug,
                "name": row.name,
                "brand": row.brand,
                "category": category,
                "image": details.images.get(row.id),
                "price": money(offer.amount, currency),
                "compare_at": money(offer.compare_at, currency),
                "on_sale": offer.compare_at is not None,
                "in_stock": row.id in details.in_stock,
                "rating": rating(row),
                "tags": details.tags.get(row.id, []),
            }
        )
    return cards


@functools.lru_cache(maxsize=512)
def _count_statement(shape: Shape) -> sa.Select:
    """The list's total: a sum of kept counts when at most a category narrows it, else a COUNT."""
    if shape.counts_are_kept:
        kept = sa.select(sa.func.coalesce(sa.func.sum(ProductOfferCount.products), 0))
        kept = kept.where(ProductOfferCount.currency == sa.bindparam("currency"))
        kept = kept.where(ProductOfferCount.category_key.in_(_categories())) if shape.category else kept
        return prepared(kept)  # a sum of rows found by key
    counted = sa.select(sa.func.count()).select_from(ProductOffer)
    if shape.joins_products:
        counted = counted.join(Product, Product.id == ProductOffer.product_id)
    return _filtered(counted, shape)


@functools.lru_cache(maxsize=512)
def _page_statement(shape: Shape) -> sa.Select:
    """A page of cards (``limit``, ``offset``) in the order the shape's sort asks for."""
    limit, offset = sa.bindparam("limit", type_=sa.Integer), sa.bindparam("offset", type_=sa.Integer)
    if not shape.picks_from_offers:
        stmt = _filtered(_card_select(), shape, category=Product.category_id)
        return stmt.order_by(*_ordering(shape)).limit(limit).offset(offset)
    # The page's ids from the offers' index alone, then their cards: joining every offer
    # of a category to its product before sorting cost 17 ms of PostgreSQL for 20 cards.
    picked = (
        _filtered(sa.select(ProductOffer.product_id), shape)
        .order_by(*_price_order(shape), ProductOffer.product_id.desc())
        .limit(limit)
        .offset(offset)
        .subquery("picked")
    )
    return (
        _card_select()
        .join(picked, picked.c.product_id == ProductOffer.product_id)
        .where(ProductOffer.currency == sa.bindparam("currency"))
        .order_by(*_ordering(shape))
    )


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
    shape = query.shape()
    values = query.values(_subtree(query.category) if query.category else None)
    total = int(db.session.scalar(_count_statement(shape), values))
    rows = []
    if (page - 1) * page_size < total:
        values |= {"limit": page_size, "offset": (page - 1) * page_size}
        rows = db.session.execute(_page_statement(shape), values).all()
    cards = _cards(rows, query.currency, cache.price_book(), utcnow())
    if fields:
        cards = [{name: card[name] for name in fields} for card in cards]
    return cards, total


def cards_for(product_ids: Sequence[int], currency: str) -> list[dict[str, Any]]:
    """Cards of active products in the order of ``product_ids`` (for collections)."""
    if not product_ids:
        return []
    stmt = _card_select().where(ProductOffer.currency == currency, Product.id.in_(product_ids))
    rows = db.session.execute(stmt).all()
    position = {product_id: index for index, product_id in enumerate(product_ids)}
    rows.sort(key=lambda row: position[row.id])
    return _cards(rows, currency, cache.price_book(), utcnow())
