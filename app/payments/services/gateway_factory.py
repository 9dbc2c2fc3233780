"""Which gateways apply to a payment, best first: routing rules over the available gateways.

Pure logic over configuration (no database), so ``GET /api/payments/gateways/`` and the
payment service share one answer. A rule names a gateway and the currencies, countries and
methods it is preferred for (an empty condition matches anything). The list for a payment
is: gateways that can take it and match a rule, in rule order; then the other gateways that
can take it, in ``PAYMENTS_ENABLED_GATEWAYS`` order (so an installed plugin such as M-Pesa
is offered without a rule). Operators replace the defaults with ``PAYMENTS_ROUTING_RULES``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import ValidationError
from app.payments.gateways.base import BaseGateway, PaymentMethod
from app.payments.gateways.registry import GatewayRegistry, available_gateways

PAN_AFRICAN = frozenset({"NGN", "GHS", "KES", "UGX", "TZS", "RWF", "ZMW", "XAF", "XOF", "ZAR"})


@dataclass(frozen=True, slots=True)
class RoutingRule:
    gateway: str
    currencies: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    methods: frozenset[PaymentMethod] = frozenset()

    def matches(self, currency: str, country: str | None, method: PaymentMethod | None) -> bool:
        """An empty condition matches anything; an unknown country or method matches any rule."""
        return (
            (not self.currencies or currency in self.currencies)
            and (not self.countries or country is None or country in self.countries)
            and (not self.methods or method is None or method in self.methods)
        )


#: The issue's defaults. Mobile money comes first because it is the most specific rule:
#: a UGX mobile-money payment should reach MTN before a card processor's wallet page.
DEFAULT_RULES: tuple[RoutingRule, ...] = (
    RoutingRule(
        "mtn_momo",
        currencies=frozenset({"UGX", "GHS", "RWF", "ZMW", "XAF", "XOF"}),
        methods=frozenset({PaymentMethod.MOBILE_MONEY}),
    ),
    RoutingRule("paystack", currencies=frozenset({"NGN", "GHS", "ZAR", "KES"})),
    RoutingRule("flutterwave", currencies=PAN_AFRICAN),
    RoutingRule("stripe"),
)


def parse_rules(raw: str) -> tuple[RoutingRule, ...]:
    """Rules from ``PAYMENTS_ROUTING_RULES`` (a JSON list); the defaults when it is empty.

    A malformed value raises ``ValueError`` naming the setting: a typo must not silently
    route payments to the wrong provider.
    """
    if not raw.strip():
        return DEFAULT_RULES
    try:
        items = json.loads(raw)
        if not isinstance(items, list):
            raise TypeError("expected a JSON list")
        return tuple(_rule(item) for item in items)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"PAYMENTS_ROUTING_RULES is invalid: {exc}") from exc


def _rule(item: Mapping[str, Any]) -> RoutingRule:
    return RoutingRule(
        gateway=str(item["gateway"]),
        currencies=frozenset(str(c).upper() for c in item.get("currencies", ())),
        countries=frozenset(str(c).upper() for c in item.get("countries", ())),
        methods=frozenset(PaymentMethod(m) for m in item.get("methods", ())),
    )


def route(
    gateways: Sequence[BaseGateway],
    rules: Sequence[RoutingRule],
    currency: str,
    country: str | None = None,
    method: PaymentMethod | None = None,
) -> list[BaseGateway]:
    """The gateways that can take this payment, in order of preference."""
    capable = [g for g in gateways if g.supports(currency, country, method)]
    by_id = {g.id: g for g in capable}
    ordered: list[BaseGateway] = []
    for rule in rules:
        gateway = by_id.get(rule.gateway)
        if gateway is not None and gateway not in ordered and rule.matches(currency, country, method):
            ordered.append(gateway)
    return ordered + [g for g in capable if g not in ordered]


def gateways_for(
    config: Mapping[str, Any],
    currency: str,
    country: str | None = None,
    method: PaymentMethod | None = None,
    registry: GatewayRegistry | None = None,
) -> list[BaseGateway]:
    """Enabled, configured gateways for a payment, best first."""
    rules = parse_rules(str(config.get("PAYMENTS_ROUTING_RULES") or ""))
    return route(available_gateways(config, registry), rules, currency, country, method)


def choose(candidates: Sequence[BaseGateway], requested: str | None = None) -> BaseGateway:
    """The client's pick among the candidates, or the preferred one when it picked none."""
    if not candidates:
        raise ValidationError("No payment method is available for this order.", details={"gateway": None})
    if not requested:
        return candidates[0]
    for gateway in candidates:
        if gateway.id == requested:
            return gateway
    raise ValidationError(
        f"Payment gateway {requested!r} is not available for this order.",
        details={"gateway": requested, "available": [g.id for g in candidates]},
    )


def fallbacks(candidates: Sequence[BaseGateway], failed: BaseGateway) -> list[BaseGateway]:
    """What to offer after ``failed`` had a network error or 5xx: the ones after it."""
    index = next((i for i, g in enumerate(candidates) if g.id == failed.id), len(candidates))
    return list(candidates[index + 1 :])
