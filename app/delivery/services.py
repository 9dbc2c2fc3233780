"""The delivery domain's services: what routes and other domains (orders) call.

Plain functions, each owning its transaction and raising ``AppError`` subclasses; they
live in ``addresses``, ``shipping`` and ``stations`` and are gathered here so callers
import one module.
"""

from app.delivery.addresses import (
    create_address,
    delete_address,
    get_user_address,
    list_addresses,
    update_address,
)
from app.delivery.shipping import (
    applicable_shipping_methods,
    create_method,
    create_zone,
    delete_method,
    delete_zone,
    get_method,
    get_shipping_method,
    get_zone,
    list_zones,
    quote_shipping,
    shipping_quotes,
    update_method,
    update_zone,
)
from app.delivery.stations import (
    bus_station_fee,
    create_bus_station,
    delete_bus_station,
    get_active_bus_station,
    get_bus_station,
    list_bus_stations,
    update_bus_station,
)

__all__ = [
    "applicable_shipping_methods",
    "bus_station_fee",
    "create_address",
    "create_bus_station",
    "create_method",
    "create_zone",
    "delete_address",
    "delete_bus_station",
    "delete_method",
    "delete_zone",
    "get_active_bus_station",
    "get_bus_station",
    "get_method",
    "get_shipping_method",
    "get_user_address",
    "get_zone",
    "list_addresses",
    "list_bus_stations",
    "list_zones",
    "quote_shipping",
    "shipping_quotes",
    "update_address",
    "update_bus_station",
    "update_method",
    "update_zone",
]
