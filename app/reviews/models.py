"""Reviews and their "helpful" votes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.extensions import db
from app.products.models import Product

MAX_BODY_LENGTH = 5000


class Review(TimestampMixin, db.Model):
    """A customer's rating of a product; hidden ones stay stored but count nowhere.

    ``helpful_count`` mirrors the votes so "most helpful" sorts without a join.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    rating: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    verified_purchase: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    helpful_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    is_hidden: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(500))
    hidden_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[user_id])
    product: Mapped[Product] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("product_id", "user_id"),
        sa.CheckConstraint("rating between 1 and 5", name="rating_range"),
        sa.CheckConstraint("helpful_count >= 0", name="helpful_not_negative"),
        sa.Index("ix_reviews_product_visible_created", "product_id", "is_hidden", "created_at"),
    )


class ReviewVote(db.Model):
    """One user's "this review helped me"; the primary key makes a second vote impossible."""

    __tablename__ = "review_votes"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
