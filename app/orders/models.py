"""Orders, their lines and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db
from app.orders.states import OrderStatus


class Order(TimestampMixin, db.Model):
    """A placed order: money in its currency's minor units, frozen at checkout.

    Delivered either to an ``address`` (a snapshot: later edits of the address book do
    not move a parcel) or to a ``bus_station`` pickup point, where the customer shows a
    collection code whose keyed hash is all that is stored.
    """

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(24), nullable=False, default=OrderStatus.PENDING_PAYMENT.value, index=True
    )
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(255))
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    subtotal: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    discount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    shipping: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    tax: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    tax_rate_bp: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)  # basis points
    prices_include_tax: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    total: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    coupon_code: Mapped[str | None] = mapped_column(sa.String(40))
    delivery_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # address | bus_station
    shipping_method_id: Mapped[int | None] = mapped_column(sa.Integer)
    shipping_method_name: Mapped[str | None] = mapped_column(sa.String(120))
    address: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    bus_station_id: Mapped[int | None] = mapped_column(sa.Integer)
    bus_station: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    collection_code_hash: Mapped[str | None] = mapped_column(sa.String(64))
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    __table_args__ = (
        # The hard guarantee behind Idempotency-Key: one order per user and key, even after a crash.
        sa.UniqueConstraint("user_id", "idempotency_key"),
        sa.CheckConstraint("delivery_type in ('address', 'bus_station')", name="delivery_type_known"),
        sa.CheckConstraint("total >= 0 and subtotal >= 0 and discount >= 0", name="amounts_not_negative"),
        sa.Index("ix_orders_user_created", "user_id", "created_at"),
        # Analytics reports scan a date range of orders, filtered by status.
        sa.Index("ix_orders_created_status", "created_at", "status"),
    )

    @property
    def quantities(self) -> dict[int, int]:
        """Units per variant, as reserved at checkout."""
        totals: dict[int, int] = {}
        for item in self.items:
            if item.variant_id is not None:
                totals[item.variant_id] = totals.get(item.variant_id, 0) + item.quantity
        return totals


class OrderItem(db.Model):
    """A line, with a snapshot of what was bought: later catalog edits do not rewrite it."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    product_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    product_slug: Mapped[str] = mapped_column(sa.String(220), nullable=False)
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    options: Mapped[dict[str, str]] = mapped_column(sa.JSON, nullable=False, default=dict)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_price: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    total: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)

    order: Mapped[Order] = relationship(back_populates="items")

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)


class OrderEvent(db.Model):
    """One step of an order's history: who moved it from where to where, and why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str] = mapped_column(sa.String(24), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_role: Mapped[str] = mapped_column(sa.String(16), nullable=False)  # customer, staff, system
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    order: Mapped[Order] = relationship(back_populates="events")
