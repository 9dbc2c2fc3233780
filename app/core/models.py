"""Column helpers shared by every domain's models."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def changed_attributes(obj: object) -> set[str]:
    """The attributes of a loaded ORM object with pending changes (for flush listeners)."""
    return {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the offset; SQLite drops it, and a naive datetime would leave the API
    without its ``+00:00``. Values are stored in UTC and always read back aware.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use app.core.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    """``created_at`` / ``updated_at`` in UTC, set by the application (same on every database)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
