"""The wishlist: a user's items are their one wishlist, so there is no wishlist row to race for."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import UTCDateTime, utcnow
from app.extensions import db
from app.products.models import Product, ProductVariant


class WishlistItem(db.Model):
    """A product (optionally one variant of it) a user wants; one row per user and product."""

    __tablename__ = "wishlist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: A withdrawn variant leaves the product on the list rather than losing the wish.
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    product: Mapped[Product] = relationship()
    variant: Mapped[ProductVariant | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "product_id"),)
