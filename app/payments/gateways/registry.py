"""Finding gateways: entry points in the ``sokoni.gateways`` group, built-in and third-party alike.

An installed distribution declares ``<gateway id> = "<module>:<class>"`` in that group.
Discovery never crashes start-up: a plugin that fails to import, is not a concrete
``BaseGateway``, names a different id than its entry point, or claims an id that another
distribution already holds is logged with its distribution name and skipped. Sokoni's own
gateways are loaded first, so a plugin can never take over ``stripe``.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from app.core.errors import NotFoundError
from app.payments.gateways.base import BaseGateway

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sokoni.gateways"
CORE_DISTRIBUTION = "sokoni"


@dataclass(frozen=True)
class GatewayRegistry:
    classes: Mapping[str, type[BaseGateway]]
    """Gateway id → class, in discovery order (Sokoni's own first)."""
    origins: Mapping[str, str]
    """Gateway id → the distribution that provides it."""
    problems: tuple[str, ...] = ()
    """One line per plugin that was skipped, for logs and the admin console."""


def distribution_name(entry_point: EntryPoint) -> str:
    dist = getattr(entry_point, "dist", None)
    return dist.name if dist is not None else "<unknown distribution>"


def load_registry(found: Iterable[EntryPoint] | None = None) -> GatewayRegistry:
    """Load every gateway entry point (``found`` defaults to the installed ones)."""
    points = list(entry_points(group=ENTRY_POINT_GROUP) if found is None else found)
    points.sort(key=lambda ep: (distribution_name(ep) != CORE_DISTRIBUTION, distribution_name(ep), ep.name))
    classes: dict[str, type[BaseGateway]] = {}
    origins: dict[str, str] = {}
    problems: list[str] = []
    for point in points:
        origin = distribution_name(point)
        if point.name in origins:
            loaded, problem = (
                None,
                f"duplicates the id already provided by distribution {origins[point.name]!r}",
            )
        else:
            loaded, problem = _load(point)
        if loaded is None:
            message = f"gateway plugin {point.name!r} ({point.value}) from distribution {origin!r} {problem}"
            log.error("Skipped %s", message)
            problems.append(message)
            continue
        classes[point.name] = loaded
        origins[point.name] = origin
    return GatewayRegistry(classes, origins, tuple(problems))


def _load(point: EntryPoint) -> tuple[type[BaseGateway] | None, str]:
    """The entry point's class, or None and why it cannot be used."""
    try:
        loaded = point.load()
    except Exception as exc:  # a plugin's import may fail in any way; none may stop Sokoni
        return None, f"cannot be imported ({type(exc).__name__}: {exc})"
    if not (inspect.isclass(loaded) and issubclass(loaded, BaseGateway)):
        return None, "is not a BaseGateway subclass"
    if inspect.isabstract(loaded):
        return None, "does not implement every BaseGateway method"
    if getattr(loaded, "id", None) != point.name:
        return None, f"declares id {getattr(loaded, 'id', None)!r}, not its entry-point name"
    return loaded, ""


@functools.cache
def installed_registry() -> GatewayRegistry:
    """The registry of installed gateways, discovered once per process."""
    return load_registry()


def gateway_settings(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The app config, falling back to the environment for keys it does not define.

    Sokoni's ``Config`` knows the built-in gateways' settings; a third-party gateway reads
    its own (``MPESA_CONSUMER_KEY``…) straight from the environment without editing Sokoni.
    """
    return ChainMap(dict(config), os.environ)


def available_gateways(
    config: Mapping[str, Any], registry: GatewayRegistry | None = None
) -> list[BaseGateway]:
    """Gateways that are enabled (``PAYMENTS_ENABLED_GATEWAYS``) and fully configured.

    In the order of the enabled list; an enabled id that is not installed or misses a
    setting is left out (and logged at debug level: this runs on every checkout).
    """
    registry = registry or installed_registry()
    settings = gateway_settings(config)
    offered = []
    for gateway_id in config.get("PAYMENTS_ENABLED_GATEWAYS") or ():
        gateway = _build(gateway_id, settings, registry)
        if gateway is not None:
            offered.append(gateway)
    return offered


def get_gateway(
    gateway_id: str, config: Mapping[str, Any], registry: GatewayRegistry | None = None
) -> BaseGateway:
    """One configured gateway by id, enabled or not (late webhooks of a disabled one still verify)."""
    gateway = _build(gateway_id, gateway_settings(config), registry or installed_registry())
    if gateway is None:
        raise NotFoundError(f"No payment gateway {gateway_id!r} is configured.")
    return gateway


def _build(gateway_id: str, settings: Mapping[str, Any], registry: GatewayRegistry) -> BaseGateway | None:
    cls = registry.classes.get(gateway_id)
    if cls is None:
        log.debug("Gateway %r is enabled but not installed", gateway_id)
        return None
    missing = cls.missing_settings(settings)
    if missing:
        log.debug("Gateway %r is not offered: missing %s", gateway_id, ", ".join(missing))
        return None
    try:
        return cls(settings)
    except Exception:  # a plugin's constructor must not break checkout for the other gateways
        log.exception("Gateway %r from %r could not be built", gateway_id, registry.origins.get(gateway_id))
        return None
