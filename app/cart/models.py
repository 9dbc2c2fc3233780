"""Carts, their items, and coupons."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime
from app.extensions import db
from app.orders import models as _orders  # noqa: F401 - registers the orders table redemptions point to


class CartStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"  # a guest cart folded into its owner's cart at login
    CHECKED_OUT = "checked_out"


class Cart(TimestampMixin, db.Model):
    """A user's cart, or a guest's addressed by a token (only its SHA-256 is stored)."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=CartStatus.OPEN.value)
    coupon_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("coupons.id", ondelete="SET NULL"), index=True
    )

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )
    coupon: Mapped[Coupon | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("user_id is not null or token_hash is not null", name="has_owner"),
        sa.CheckConstraint("status in ('open', 'merged', 'checked_out')", name="status_known"),
        # At most one open cart per user, enforced by the database.
        sa.Index(
            "uq_carts_open_user",
            "user_id",
            unique=True,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        ),
        sa.Index("ix_carts_created_at", "created_at"),  # analytics: carts created in a range
    )


class CartItem(TimestampMixin, db.Model):
    """A variant and quantity, with the unit price the customer saw when adding it."""

    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"), nullable=False)
    variant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)  # minor units, cart currency

    cart: Mapped[Cart] = relationship(back_populates="items")

    __table_args__ = (
        sa.UniqueConstraint("cart_id", "variant_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


coupon_products = sa.Table(
    "coupon_products",
    db.metadata,
    sa.Column("coupon_id", sa.ForeignKey("coupons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, index=True),
)
coupon_categories = sa.Table(
    "coupon_categories",
    db.metadata,
    sa.Column("coupon_id", sa.ForeignKey("coupons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Coupon(TimestampMixin, db.Model):
    """A discount code: a percentage, or fixed amounts per currency, with limits.

    ``used_count`` is incremented only when an order is placed, with a conditional
    UPDATE, so two orders can never both take the last use.
    """

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)  # upper-cased
    description: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    percent_off: Mapped[int | None] = mapped_column(sa.Integer)
    amounts_off: Mapped[dict[str, int]] = mapped_column(sa.JSON, nullable=False, default=dict)
    min_subtotals: Mapped[dict[str, int]] = mapped_column(sa.JSON, nullable=False, default=dict)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usage_limit: Mapped[int | None] = mapped_column(sa.Integer)
    per_user_limit: Mapped[int | None] = mapped_column(sa.Integer)
    used_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    products = relationship("Product", secondary=coupon_products, order_by="Product.id")
    categories = relationship("Category", secondary=coupon_categories, order_by="Category.id")

    __table_args__ = (
        sa.CheckConstraint("kind in ('percentage', 'fixed')", name="kind_known"),
        sa.CheckConstraint("percent_off is null or percent_off between 1 and 100", name="percent_range"),
        sa.CheckConstraint("usage_limit is null or used_count <= usage_limit", name="within_limit"),
    )


class CouponRedemption(db.Model):
    """One use of a coupon by an order; counts towards the per-user limit."""

    __tablename__ = "coupon_redemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    coupon_id: Mapped[int] = mapped_column(sa.ForeignKey("coupons.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (sa.Index("ix_coupon_redemptions_coupon_user", "coupon_id", "user_id"),)
