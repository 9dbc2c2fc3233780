"""Users and their profiles."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.permissions import Role
from app.extensions import db


class User(TimestampMixin, db.Model):
    """An account. ``email`` is stored lower-cased, so uniqueness ignores case."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(16), nullable=False, default=Role.CUSTOMER.value)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    #: Bumped to revoke every token issued before (password change or reset).
    token_epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    profile: Mapped[Profile] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "role in ('customer', 'staff', 'admin')",
            name="role_known",
        ),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class Profile(TimestampMixin, db.Model):
    """What a shop knows of a person beyond their login."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    full_name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164
    country: Mapped[str | None] = mapped_column(sa.String(2))  # ISO 3166-1 alpha-2
    preferred_currency: Mapped[str | None] = mapped_column(sa.String(3))  # ISO 4217

    user: Mapped[User] = relationship(back_populates="profile")
