"""Delivery: bus stations with their pickup fees, shipping zones and methods, written through
``app.delivery`` services (duplicate names, day ranges and fee replacement handled there)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from app.admin.base import ServiceModelView, where
from app.admin.fields import AmountsField, ListField
from app.admin.formatting import amounts_column, format_money
from app.delivery import shipping, stations
from app.delivery.models import BusStation, ShippingMethod, ShippingZone
from app.extensions import db

CATEGORY = "Delivery"
#: Zone columns and the form fields that edit them as comma-separated text.
ZONE_LISTS = {"countries": "country_list", "regions": "region_list", "cities": "city_list"}


def _fees(_view: Any, _context: Any, station: BusStation, _name: str) -> str:
    return ", ".join(format_money(fee.amount, fee.currency) for fee in station.fees)


def _rates(_view: Any, _context: Any, method: ShippingMethod, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<li>{}: {}</li>").format(
            f"up to {rate.max_weight_grams} g" if rate.max_weight_grams else "heavier",
            format_money(rate.amount, rate.currency),
        )
        for rate in method.rates
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


class BusStationView(ServiceModelView):
    column_list = ("name", "operator", "city", "country", "fees", "holding_days", "is_active")
    column_formatters = {"fees": _fees}
    column_formatters_detail = column_formatters
    column_searchable_list = ("name", "operator", "city")
    column_filters = ("country", "city", "operator", "is_active")
    form_columns = (
        "name", "operator", "city", "region", "country", "address", "landmark", "phone",
        "opening_hours", "holding_days", "fee_list", "is_active",
    )  # fmt: skip
    form_extra_fields = {"fee_list": AmountsField("Pickup fees", description="NGN 500.00, GHS 10.00")}

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        station = db.session.get(BusStation, int(_id))
        form.fee_list.data = {fee.currency: fee.amount for fee in station.fees}

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        fees = data.pop("fee_list") or {}
        data["fees"] = [{"currency": c, "amount": a} for c, a in sorted(fees.items())]
        data["country"] = (data["country"] or "").upper()
        return data

    def create(self, data: dict[str, Any]) -> BusStation:
        return stations.create_bus_station(data)

    def update(self, model: BusStation, data: dict[str, Any]) -> BusStation:
        return stations.update_bus_station(model.id, data)

    def delete(self, model: BusStation) -> None:
        stations.delete_bus_station(model.id)


class ShippingZoneView(ServiceModelView):
    column_list = ("name", "countries", "regions", "cities")
    column_searchable_list = ("name",)
    form_columns = ("name", "country_list", "region_list", "city_list")
    form_extra_fields = {
        "country_list": ListField(
            "Countries", upper=True, description="ISO codes: NG, GH (empty: rest of world)"
        ),
        "region_list": ListField("Regions"),
        "city_list": ListField("Cities"),
    }

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        zone = db.session.get(ShippingZone, int(_id))
        for column, field in ZONE_LISTS.items():
            form[field].data = getattr(zone, column)

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        for column, field in ZONE_LISTS.items():
            data[column] = data.pop(field) or []
        return data

    def create(self, data: dict[str, Any]) -> ShippingZone:
        return shipping.create_zone(data)

    def update(self, model: ShippingZone, data: dict[str, Any]) -> ShippingZone:
        return shipping.update_zone(model.id, data)

    def delete(self, model: ShippingZone) -> None:
        shipping.delete_zone(model.id)


class ShippingMethodView(ServiceModelView):
    """Methods and their free-shipping thresholds; rate bands are shown (edited via the API)."""

    column_list = ("zone", "name", "carrier", "min_days", "max_days", "free_above", "is_active")
    column_details_list = (*column_list, "description", "rates")
    column_formatters = {"free_above": amounts_column("free_above")}
    column_formatters_detail = {**column_formatters, "rates": _rates}
    column_searchable_list = ("name", "carrier")
    column_filters = ("zone.name", "carrier", "is_active")
    form_columns = ("zone", "name", "carrier", "description", "min_days", "max_days", "free", "is_active")
    form_extra_fields = {"free": AmountsField("Free above", description="Subtotals: NGN 50000.00")}

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        form.free.data = db.session.get(ShippingMethod, int(_id)).free_above

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["zone_id"], data["free_above"] = data.pop("zone").id, data.pop("free") or {}
        return data

    def create(self, data: dict[str, Any]) -> ShippingMethod:
        return shipping.create_method(data)

    def update(self, model: ShippingMethod, data: dict[str, Any]) -> ShippingMethod:
        return shipping.update_method(model.id, data)

    def delete(self, model: ShippingMethod) -> None:
        shipping.delete_method(model.id)


def register(admin: Any) -> None:
    admin.add_view(BusStationView(BusStation, "Bus stations", category=CATEGORY, **where("bus_stations")))
    admin.add_view(ShippingZoneView(ShippingZone, "Shipping zones", category=CATEGORY, **where("zones")))
    admin.add_view(
        ShippingMethodView(ShippingMethod, "Shipping methods", category=CATEGORY, **where("methods"))
    )
