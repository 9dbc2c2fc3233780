"""Delivery endpoints: thin adapters from HTTP to ``app.delivery.services``."""

from __future__ import annotations

from flask.views import MethodView
from flask_jwt_extended import current_user

from app.core.api import Blueprint
from app.core.pagination import QueryPage
from app.core.permissions import Role
from app.delivery import schemas, services

blp = Blueprint(
    "delivery",
    __name__,
    url_prefix="/api",
    description="Delivery: addresses, shipping zones and methods, bus-station pickup",
)


# ---- addresses (the owner only) -------------------------------------------------------


@blp.route("/addresses/")
class Addresses(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.AddressSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self):
        """The caller's addresses, default first."""
        return services.list_addresses(current_user)

    @blp.login_required()
    @blp.arguments(schemas.AddressCreateSchema)
    @blp.response(201, schemas.AddressSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Add an address; the first one becomes the default."""
        return services.create_address(current_user, data)


@blp.route("/addresses/<int:address_id>/")
class AddressDetail(MethodView):
    @blp.login_required()
    @blp.response(200, schemas.AddressSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, address_id):
        """One of the caller's addresses (anyone else's is a 404)."""
        return services.get_user_address(current_user, address_id)

    @blp.login_required()
    @blp.arguments(schemas.AddressUpdateSchema, required=False)
    @blp.response(200, schemas.AddressSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, address_id):
        """Change one of the caller's addresses; ``coordinates: null`` clears the GPS position."""
        return services.update_address(current_user, address_id, data)

    @blp.login_required()
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, address_id):
        """Delete one of the caller's addresses; the newest other one becomes the default."""
        services.delete_address(current_user, address_id)


# ---- shipping -------------------------------------------------------------------------


@blp.route("/shipping-methods/")
class ShippingMethods(MethodView):
    @blp.arguments(schemas.ShippingQuerySchema, location="query")
    @blp.response(200, schemas.ShippingQuoteSchema(many=True))
    def get(self, query):
        """Methods delivering to a destination, priced for a parcel's weight and the
        order's subtotal in ``currency``, cheapest first."""
        return services.shipping_quotes(**query)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ShippingMethodCreateSchema)
    @blp.response(201, schemas.ShippingMethodSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: add a method to a zone, with its weight-band rates per currency."""
        return services.create_method(data)


@blp.route("/shipping-methods/<int:method_id>/")
class ShippingMethodDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.ShippingMethodSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, method_id):
        """Staff: a method with every rate, active or not."""
        return services.get_method(method_id)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ShippingMethodUpdateSchema, required=False)
    @blp.response(200, schemas.ShippingMethodSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, method_id):
        """Staff: change a method; ``rates`` replaces all its rates."""
        return services.update_method(method_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, method_id):
        """Staff: delete a method (deactivate it to stop offering it)."""
        services.delete_method(method_id)


@blp.route("/shipping-zones/")
class ShippingZones(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.ShippingZoneSchema(many=True))
    def get(self):
        """Staff: every zone with its methods and rates."""
        return services.list_zones()

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ShippingZoneCreateSchema)
    @blp.response(201, schemas.ShippingZoneSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: add a zone (no countries: the rest of the world)."""
        return services.create_zone(data)


@blp.route("/shipping-zones/<int:zone_id>/")
class ShippingZoneDetail(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.response(200, schemas.ShippingZoneSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, zone_id):
        """Staff: a zone with its methods and rates."""
        return services.get_zone(zone_id)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.ShippingZoneUpdateSchema, required=False)
    @blp.response(200, schemas.ShippingZoneSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, zone_id):
        """Staff: rename a zone or change where it delivers."""
        return services.update_zone(zone_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, zone_id):
        """Staff: delete a zone with its methods."""
        services.delete_zone(zone_id)


# ---- bus stations ---------------------------------------------------------------------


@blp.route("/bus-stations/")
class BusStations(MethodView):
    @blp.arguments(schemas.BusStationQuerySchema, location="query")
    @blp.response(200, schemas.BusStationSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self, query):
        """Active pickup stations, by country and city, with their pickup fees."""
        return services.list_bus_stations(**query)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.BusStationCreateSchema)
    @blp.response(201, schemas.BusStationSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data):
        """Staff: add a pickup station with its fees."""
        return services.create_bus_station(data)


@blp.route("/bus-stations/<int:station_id>/")
class BusStationDetail(MethodView):
    @blp.response(200, schemas.BusStationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, station_id):
        """An active pickup station."""
        return services.get_active_bus_station(station_id)

    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.BusStationUpdateSchema, required=False)
    @blp.response(200, schemas.BusStationSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, data, station_id):
        """Staff: change a station (active or not); ``fees`` replaces all its fees."""
        return services.update_bus_station(station_id, data)

    @blp.login_required(Role.STAFF)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, station_id):
        """Staff: delete a station (deactivate it while parcels may still wait there)."""
        services.delete_bus_station(station_id)


@blp.route("/admin/bus-stations/")
class StaffBusStations(MethodView):
    @blp.login_required(Role.STAFF)
    @blp.arguments(schemas.StaffBusStationQuerySchema, location="query")
    @blp.response(200, schemas.BusStationSchema(many=True))
    @blp.paginate(QueryPage)
    def get(self, query):
        """Staff: every station, active or not (filter with ``is_active``)."""
        return services.list_bus_stations(**{"is_active": None, **query})
