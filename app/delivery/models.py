"""Delivery models: customers' addresses, shipping zones with their methods and
per-currency weight-band rates, and bus stations where parcels are collected.

Money is integer minor units per currency (``ShippingRate``, ``BusStationFee``), priced
separately in each currency like the catalog, never converted.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.extensions import db

#: Degrees with 6 decimals: about 11 cm, finer than any doorstep needs.
Coordinate = sa.Numeric(9, 6, asdecimal=False)


class Address(TimestampMixin, db.Model):
    """Where a courier delivers: many African addresses have no postcode, so a landmark
    ("opposite the Total filling station") and GPS coordinates matter more than line 2.

    Only its owner ever sees it; at most one address per user is the default.
    """

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    recipient_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # E.164: the courier calls
    line1: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    line2: Mapped[str | None] = mapped_column(sa.String(200))
    city: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    region: Mapped[str | None] = mapped_column(sa.String(100))  # state, county, region
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)  # ISO 3166-1 alpha-2
    postal_code: Mapped[str | None] = mapped_column(sa.String(20))
    landmark: Mapped[str | None] = mapped_column(sa.String(255))
    latitude: Mapped[float | None] = mapped_column(Coordinate)
    longitude: Mapped[float | None] = mapped_column(Coordinate)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    __table_args__ = (
        sa.CheckConstraint("latitude is null or latitude between -90 and 90", name="latitude_range"),
        sa.CheckConstraint("longitude is null or longitude between -180 and 180", name="longitude_range"),
        sa.CheckConstraint("(latitude is null) = (longitude is null)", name="coordinates_paired"),
        # One default per user, enforced by the database against concurrent writes too.
        sa.Index(
            "ix_addresses_one_default",
            "user_id",
            unique=True,
            postgresql_where=sa.text("is_default"),
            sqlite_where=sa.text("is_default"),
        ),
    )

    @property
    def coordinates(self) -> dict[str, float] | None:
        """``{latitude, longitude}``, or None when the customer gave no GPS position."""
        if self.latitude is None or self.longitude is None:
            return None
        return {"latitude": self.latitude, "longitude": self.longitude}


class ShippingZone(TimestampMixin, db.Model):
    """Where a set of shipping methods delivers.

    A zone covers its ``countries``, narrowed to ``regions`` and/or ``cities`` when those
    are given (compared without regard to case). A zone without countries is the "rest
    of the world": it applies only to countries that no other zone names.
    """

    __tablename__ = "shipping_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    countries: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    regions: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    cities: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)

    methods: Mapped[list[ShippingMethod]] = relationship(
        back_populates="zone",
        cascade="all, delete-orphan",
        order_by="ShippingMethod.id",
    )


class ShippingMethod(TimestampMixin, db.Model):
    """A way to ship into a zone (GIG Logistics standard, DHL Express…).

    ``free_above`` maps a currency to the subtotal, in its minor units, from which this
    method costs nothing; a currency it does not name never ships free.
    """

    __tablename__ = "shipping_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shipping_zones.id", ondelete="CASCADE"), nullable=False
    )  # indexed by the (zone_id, name) unique constraint
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    carrier: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    min_days: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    max_days: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    free_above: Mapped[dict[str, int]] = mapped_column(sa.JSON, nullable=False, default=dict)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    zone: Mapped[ShippingZone] = relationship(back_populates="methods")
    rates: Mapped[list[ShippingRate]] = relationship(
        back_populates="method",
        cascade="all, delete-orphan",
        # Per currency, lightest band first and the open-ended band last.
        order_by=lambda: [
            ShippingRate.currency,
            ShippingRate.max_weight_grams.is_(None),
            ShippingRate.max_weight_grams,
        ],
    )

    __table_args__ = (
        sa.UniqueConstraint("zone_id", "name"),
        sa.CheckConstraint("min_days >= 0 and max_days >= min_days", name="days_range"),
    )

    @property
    def free_thresholds(self) -> list[dict[str, Any]]:
        """``free_above`` as money objects, by currency."""
        return [
            {"amount": amount, "currency": currency} for currency, amount in sorted(self.free_above.items())
        ]


class ShippingRate(db.Model):
    """The price of a method in one currency for parcels up to ``max_weight_grams``.

    A parcel takes the lightest band that holds it; ``max_weight_grams`` null is the band
    without an upper bound. A weight no band holds cannot ship by this method.
    """

    __tablename__ = "shipping_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shipping_methods.id", ondelete="CASCADE"), nullable=False
    )
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    max_weight_grams: Mapped[int | None] = mapped_column(sa.Integer)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)

    method: Mapped[ShippingMethod] = relationship(back_populates="rates")

    __table_args__ = (
        sa.UniqueConstraint("method_id", "currency", "max_weight_grams"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("max_weight_grams is null or max_weight_grams > 0", name="weight_positive"),
    )


class BusStation(TimestampMixin, db.Model):
    """A pickup point at an intercity bus park or an agent's office.

    Parcels ride the operator's buses and wait ``holding_days`` for their owner, who
    collects them with a code and pays the station's fee (``fees``, per currency).
    """

    __tablename__ = "bus_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    operator: Mapped[str] = mapped_column(sa.String(120), nullable=False)  # the bus company
    city: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    region: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)  # ISO 3166-1 alpha-2
    address: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    landmark: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164
    opening_hours: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    holding_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=7)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    fees: Mapped[list[BusStationFee]] = relationship(
        back_populates="station",
        cascade="all, delete-orphan",
        order_by="BusStationFee.currency",
    )

    __table_args__ = (
        sa.UniqueConstraint("country", "city", "name"),
        sa.CheckConstraint("holding_days between 1 and 90", name="holding_days_range"),
    )


class BusStationFee(db.Model):
    """What collecting a parcel at a station costs, in one currency's minor units."""

    __tablename__ = "bus_station_fees"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bus_stations.id", ondelete="CASCADE"), nullable=False
    )
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    amount: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)

    station: Mapped[BusStation] = relationship(back_populates="fees")

    __table_args__ = (
        sa.UniqueConstraint("station_id", "currency"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )
