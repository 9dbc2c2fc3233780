"""Times typed and filtered in the shop's time zone, stored as aware UTC.

Sokoni's timestamps are ``UTCDateTime`` columns that refuse naive datetimes, and
Flask-Admin knows neither the type nor time zones: these converters teach it both, so an
operator in Lagos filtering "orders after 09:00" means 09:00 in Lagos.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_admin.contrib.sqla import filters
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import DateTimeField
from flask_admin.model.filters import convert
from flask_admin.model.form import converts

from app.admin.formatting import local_time, shop_zone

FORMAT = "%Y-%m-%d %H:%M:%S"


def from_shop_time(value: datetime) -> datetime:
    """A wall-clock time in the shop's zone as an aware UTC datetime."""
    return value.replace(tzinfo=shop_zone()).astimezone(UTC)


class ShopDateTimeField(DateTimeField):
    """Shows and reads the shop's local time; ``data`` is aware UTC (or ``None``)."""

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return local_time(self.data).strftime(FORMAT) if self.data else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, datetime):
            self.data = from_shop_time(self.data)


class ShopTimeAfter(filters.DateTimeGreaterFilter):
    def clean(self, value: str) -> datetime:
        return from_shop_time(super().clean(value))


class ShopTimeBefore(filters.DateTimeSmallerFilter):
    def clean(self, value: str) -> datetime:
        return from_shop_time(super().clean(value))


class ShopTimeBetween(filters.DateTimeBetweenFilter):
    def clean(self, value: str) -> list[datetime]:
        return [from_shop_time(bound) for bound in super().clean(value)]


class ConsoleFilterConverter(filters.FilterConverter):
    @convert("UTCDateTime")
    def conv_shop_time(self, column: Any, name: str, **kwargs: Any) -> list[Any]:
        return [f(column, name, **kwargs) for f in (ShopTimeBetween, ShopTimeAfter, ShopTimeBefore)]


class ConsoleModelConverter(AdminModelConverter):
    @converts("UTCDateTime")
    def convert_shop_time(self, field_args: dict[str, Any], **_extra: Any) -> ShopDateTimeField:
        return ShopDateTimeField(**field_args)
