"""Routing: the issue's default preferences, configurable rules, the client's pick, fallbacks."""

from __future__ import annotations

import json

import pytest

from app.core.errors import ValidationError
from app.payments.gateways.base import PaymentMethod
from app.payments.gateways.registry import load_registry
from app.payments.services.gateway_factory import (
    DEFAULT_RULES,
    choose,
    fallbacks,
    gateways_for,
    parse_rules,
)

ONLINE = ["stripe", "paystack", "flutterwave", "mtn_momo"]
CONFIG = {
    "PAYMENTS_ENABLED_GATEWAYS": ONLINE,
    "PAYMENTS_ROUTING_RULES": "",
    "STRIPE_SECRET_KEY": "sk_test_1",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
    "PAYSTACK_SECRET_KEY": "sk_test_2",
    "FLUTTERWAVE_SECRET_KEY": "FLWSECK_TEST-1",
    "FLUTTERWAVE_WEBHOOK_HASH": "hash",
    "MOMO_TARGET_ENVIRONMENT": "sandbox",
    "MOMO_COLLECTION_SUBSCRIPTION_KEY": "k",
    "MOMO_COLLECTION_API_USER": "u",
    "MOMO_COLLECTION_API_KEY": "p",
    "SANDBOX_WEBHOOK_SECRET": "s",
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def ids(registry, currency, country=None, method=None, **config):
    return [g.id for g in gateways_for({**CONFIG, **config}, currency, country, method, registry)]


@pytest.mark.parametrize(
    ("currency", "country", "expected"),
    [
        ("NGN", "NG", ["paystack", "flutterwave", "stripe"]),
        ("GHS", "GH", ["mtn_momo", "paystack", "flutterwave", "stripe"]),
        ("ZAR", "ZA", ["paystack", "flutterwave", "stripe"]),
        ("KES", "KE", ["paystack", "flutterwave", "stripe"]),
        ("UGX", "UG", ["mtn_momo", "flutterwave", "stripe"]),
        ("TZS", "TZ", ["flutterwave", "stripe"]),
        ("XOF", "CI", ["mtn_momo", "flutterwave", "stripe"]),
        ("USD", "US", ["stripe"]),
        ("EUR", "DE", ["stripe"]),
        ("GBP", None, ["stripe", "flutterwave"]),
        ("JPY", "JP", ["stripe"]),
    ],
)
def test_default_preferences(registry, currency, country, expected):
    assert ids(registry, currency, country) == expected


def test_mobile_money_goes_to_momo_first_and_never_to_a_card_processor(registry):
    assert ids(registry, "UGX", "UG", PaymentMethod.MOBILE_MONEY) == ["mtn_momo", "flutterwave"]
    assert ids(registry, "NGN", "NG", PaymentMethod.MOBILE_MONEY) == ["paystack", "flutterwave"]


def test_card_payments_skip_mobile_money(registry):
    assert ids(registry, "UGX", "UG", PaymentMethod.CARD) == ["flutterwave", "stripe"]


def test_unconfigured_gateways_are_not_routed_to(registry):
    assert ids(registry, "NGN", "NG", PAYSTACK_SECRET_KEY="") == ["flutterwave", "stripe"]


def test_gateways_without_a_rule_follow_in_enabled_order(registry):
    enabled = ["pay_on_pickup", "sandbox", *ONLINE]
    assert ids(registry, "NGN", "NG", PAYMENTS_ENABLED_GATEWAYS=enabled) == [
        "paystack",
        "flutterwave",
        "stripe",
        "pay_on_pickup",
        "sandbox",
    ]
    cash = ids(registry, "NGN", "NG", PaymentMethod.CASH, PAYMENTS_ENABLED_GATEWAYS=enabled)
    assert cash == ["pay_on_pickup"]


def test_rules_are_configurable(registry):
    rules = json.dumps([{"gateway": "flutterwave", "currencies": ["ngn"]}, {"gateway": "stripe"}])
    assert ids(registry, "NGN", "NG", PAYMENTS_ROUTING_RULES=rules) == ["flutterwave", "stripe", "paystack"]


def test_country_and_method_conditions_in_rules(registry):
    rules = json.dumps(
        [
            {"gateway": "flutterwave", "countries": ["KE"], "methods": ["mobile_money"]},
            {"gateway": "paystack"},
        ]
    )
    assert ids(registry, "KES", "KE", PaymentMethod.MOBILE_MONEY, PAYMENTS_ROUTING_RULES=rules) == [
        "flutterwave",
        "paystack",
    ]
    assert ids(registry, "NGN", "NG", PAYMENTS_ROUTING_RULES=rules)[0] == "paystack"


def test_empty_rules_mean_the_defaults():
    assert parse_rules("") == DEFAULT_RULES
    assert parse_rules("  ") == DEFAULT_RULES


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"gateway": "stripe"}',
        '[{"currencies": ["NGN"]}]',
        '[{"gateway": "x", "methods": ["fax"]}]',
    ],
)
def test_malformed_rules_are_an_error_naming_the_setting(raw):
    with pytest.raises(ValueError, match="PAYMENTS_ROUTING_RULES"):
        parse_rules(raw)


def test_the_client_may_pick_among_the_candidates(registry):
    candidates = gateways_for(CONFIG, "NGN", "NG", registry=registry)
    assert choose(candidates).id == "paystack"
    assert choose(candidates, "stripe").id == "stripe"
    with pytest.raises(ValidationError) as caught:
        choose(candidates, "mtn_momo")
    assert caught.value.details["available"] == ["paystack", "flutterwave", "stripe"]


def test_no_candidate_is_a_validation_error():
    with pytest.raises(ValidationError):
        choose([])


def test_after_a_network_failure_the_next_gateways_are_offered(registry):
    candidates = gateways_for(CONFIG, "NGN", "NG", registry=registry)
    assert [g.id for g in fallbacks(candidates, candidates[0])] == ["flutterwave", "stripe"]
    assert fallbacks(candidates, candidates[-1]) == []
