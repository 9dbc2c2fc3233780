"""Reporting periods in UTC, and the SQL that puts a timestamp into its day, week or month.

A range ``from`` to ``to`` names calendar days in UTC and includes both: it covers the instants
``[from 00:00 UTC, to + 1 day 00:00 UTC)``. Weeks start on Monday (ISO); a bucket is named
by its first day, so a week or month that starts before ``from`` is named by that earlier day
but only counts what happened inside the range.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.extensions import db


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class DateRange:
    """Calendar days ``start``..``end`` in UTC, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        """The first instant inside the range."""
        return datetime.combine(self.start, time.min, tzinfo=UTC)

    @property
    def until(self) -> datetime:
        """The first instant after the range (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def contains(self, column: Any) -> Any:
        """SQL condition: ``column`` (a UTC timestamp) falls inside the range."""
        return sa.and_(column >= self.since, column < self.until)

    def buckets(self, interval: Interval) -> Iterator[date]:
        """Every bucket's first day, in order, so days without sales still get a point."""
        current = bucket_start(self.start, interval)
        while current <= self.end:
            yield current
            current = _next(current, interval)


def bucket_start(day: date, interval: Interval) -> date:
    """The first day of ``day``'s bucket, as the SQL of ``bucket`` computes it."""
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return day


def _next(day: date, interval: Interval) -> date:
    if interval is Interval.WEEK:
        return day + timedelta(days=7)
    if interval is Interval.MONTH:
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def bucket(column: Any, interval: Interval) -> Any:
    """SQL for the first UTC day of ``column``'s bucket, on PostgreSQL and SQLite.

    PostgreSQL truncates a ``timestamptz`` in the session's time zone, so the value is first
    taken to UTC wall time; SQLite stores UTC text and its date functions read it as UTC.
    The result is a date on PostgreSQL and ``YYYY-MM-DD`` text on SQLite: read it with
    ``as_date``.
    """
    if db.engine.dialect.name == "postgresql":
        utc = sa.func.timezone("UTC", column)
        truncated = utc if interval is Interval.DAY else sa.func.date_trunc(interval.value, utc)
        return sa.cast(truncated, sa.Date)
    modifiers = {
        Interval.DAY: (),
        Interval.WEEK: ("weekday 0", "-6 days"),  # the next Sunday (or today), back to its Monday
        Interval.MONTH: ("start of month",),
    }[interval]
    return sa.func.date(column, *modifiers)


def as_date(value: date | str) -> date:
    """A bucket value read back from either database."""
    return value if isinstance(value, date) else date.fromisoformat(value)
