"""Catalog models: the category tree, tags, products, variants with per-currency prices,
promotions and homepage collections.

Prices are integer minor units per currency (``VariantPrice``), never floats and never
converted: a shop prices NGN, KES, GHS and USD separately.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime
from app.extensions import db

#: Full-text search configuration; English stemming matches "phones" to "phone".
SEARCH_CONFIG = "english"

product_tags = sa.Table(
    "product_tags",
    db.metadata,
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

promotion_products = sa.Table(
    "promotion_products",
    db.metadata,
    sa.Column("promotion_id", sa.ForeignKey("promotions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
)

promotion_categories = sa.Table(
    "promotion_categories",
    db.metadata,
    sa.Column("promotion_id", sa.ForeignKey("promotions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Category(TimestampMixin, db.Model):
    """A node of the category tree.

    ``path`` is the materialised chain of ids (``/1/4/9/``), so "this category and all its
    descendants" is one ``LIKE '/1/4/%'`` and the whole tree is one query.
    """

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    path: Mapped[str] = mapped_column(sa.String(255), nullable=False, default="/", index=True)

    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)


class Product(TimestampMixin, db.Model):
    """A thing a shop sells; what is bought is one of its ``variants``.

    The slug is generated from the name once and never changes with it, so links and
    caches stay valid. Rating and sales figures are denormalised counters kept by the
    reviews and orders domains, so sorting by them costs no join.
    """

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(220), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    brand: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    rating_average: Mapped[Decimal] = mapped_column(
        sa.Numeric(3, 2), nullable=False, default=Decimal("0"), server_default="0"
    )
    rating_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    #: Visible reviews per star, ``{"1": n, …, "5": n}``; kept with the average by app.reviews.
    rating_histogram: Mapped[dict[str, int]] = mapped_column(
        sa.JSON, nullable=False, default=dict, server_default="{}"
    )
    sales_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    category: Mapped[Category | None] = relationship(lazy="joined", innerjoin=False)
    tags: Mapped[list[Tag]] = relationship(secondary=product_tags, order_by=Tag.slug)
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductVariant.position"
    )

    __table_args__ = (
        sa.Index("ix_products_active_created", "is_active", "created_at"),
        # Each product-list sort walks its index and stops after the page (no catalog sort).
        sa.Index("ix_products_name_id", "name", "id"),
        sa.Index("ix_products_rating", "rating_average", "rating_count", "id"),
        sa.Index("ix_products_sales_id", "sales_count", "id"),
    )


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
    )
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    alt_text: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductVariant(TimestampMixin, db.Model):
    """A buyable version of a product (size M, red), with its own SKU, stock and prices."""

    __tablename__ = "product_variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sku: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    options: Mapped[dict[str, str]] = mapped_column(sa.JSON, nullable=False, default=dict)
    weight_grams: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    stock_on_hand: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    product: Mapped[Product] = relationship(back_populates="variants")
    prices: Mapped[list[VariantPrice]] = relationship(
        back_populates="variant", cascade="all, delete-orphan", order_by="VariantPrice.currency"
    )

    __table_args__ = (
        sa.CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        sa.CheckConstraint("weight_grams >= 0", name="weight_not_negative"),
    )


class VariantPrice(db.Model):
    """The price of a variant in one currency, in that currency's minor units."""

    __tablename__ = "variant_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False
    )
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)

    variant: Mapped[ProductVariant] = relationship(back_populates="prices")

    __table_args__ = (
        sa.UniqueConstraint("variant_id", "currency"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.Index("ix_variant_prices_currency_amount", "currency", "amount"),
    )


class ProductOffer(db.Model):
    """Read model of product lists: an active product's lowest active list price in each
    currency it is sold in (one row per product and currency, none when not sold), with
    its category copied (0: none) so the counts below can follow a product that moves.

    Lists filter, sort and count on it through indexes instead of aggregating every
    variant price of the catalog per request. ``app.products.offers`` keeps it exact on
    every flush that changes a product's activity or category, its variants or prices.
    """

    __tablename__ = "product_offers"

    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    price: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    category_key: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (
        sa.Index("ix_product_offers_currency_price", "currency", "price"),
        # A category's offers in price order, read from the index alone (see listing).
        sa.Index("ix_product_offers_currency_category", "currency", "category_key", "price", "product_id"),
    )


class ProductOfferCount(db.Model):
    """How many products are offered per currency and category (``category_key`` 0: none).

    A list's total without filters, or filtered by category only, is then a sum over a
    few rows whatever the catalog's size; ``app.products.offers`` adds each change's
    difference in the same transaction (additions commute, so concurrent writers agree).
    """

    __tablename__ = "product_offer_counts"

    currency: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    category_key: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    products: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class Promotion(TimestampMixin, db.Model):
    """A discount on chosen products and categories (with their descendants) for a period.

    ``percent_off`` for percentage promotions; ``amounts_off`` maps a currency to minor
    units for fixed ones (a fixed promotion does not apply in a currency it does not name).
    """

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    percent_off: Mapped[int | None] = mapped_column(sa.Integer)
    amounts_off: Mapped[dict[str, int]] = mapped_column(sa.JSON, nullable=False, default=dict)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    products: Mapped[list[Product]] = relationship(secondary=promotion_products, order_by=Product.id)
    categories: Mapped[list[Category]] = relationship(secondary=promotion_categories, order_by=Category.id)

    __table_args__ = (
        sa.CheckConstraint("kind in ('percentage', 'fixed')", name="kind_known"),
        sa.CheckConstraint("percent_off is null or percent_off between 1 and 100", name="percent_range"),
        sa.Index("ix_promotions_window", "ends_at", "starts_at"),
    )


class Collection(TimestampMixin, db.Model):
    """A homepage section: a hand-picked ordered list, or computed (newest, best sellers)."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="manual")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", cascade="all, delete-orphan", order_by="CollectionItem.position"
    )

    __table_args__ = (
        sa.CheckConstraint("kind in ('manual', 'newest', 'best_sellers', 'top_rated')", name="kind_known"),
    )


class CollectionItem(db.Model):
    __tablename__ = "collection_items"

    collection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    collection: Mapped[Collection] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


#: The weighted document searched by ``q``: the name (A) outranks the description (B).
SEARCH_DOCUMENT = (
    f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, name), 'A') || "
    f"setweight(to_tsvector('{SEARCH_CONFIG}'::regconfig, description), 'B')"
)
#: PostgreSQL only: the document kept by the database in a stored generated column, so a
#: search ranks its matches with ``ts_rank`` on stored vectors instead of parsing every
#: matching description again (a search page's 13 ms of PostgreSQL were mostly that).
#: SQLite cannot compute it, so it is not mapped: created after the table, read by
#: ``app.products.search`` only, and left out of schema comparisons (``POSTGRESQL_ONLY``).
SEARCH_VECTOR = "search_vector"
SEARCH_VECTOR_DDL = (
    f"ALTER TABLE products ADD COLUMN {SEARCH_VECTOR} tsvector "
    f"GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED",
    f"CREATE INDEX ix_products_search ON products USING gin ({SEARCH_VECTOR})",
)
#: Schema objects that exist on PostgreSQL outside the models (see ``SEARCH_VECTOR``).
POSTGRESQL_ONLY = frozenset({("column", SEARCH_VECTOR), ("index", "ix_products_search")})


def compared_with_models(_object: object, name: str | None, type_: str, *_: object) -> bool:
    """Alembic's ``include_object``: schema comparisons skip what lives outside the models."""
    return (type_, name) not in POSTGRESQL_ONLY


for _statement in SEARCH_VECTOR_DDL:
    sa.event.listen(Product.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
