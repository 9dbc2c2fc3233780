"""Gateway discovery through real entry points: built-ins, broken and duplicate plugins.

Fake plugins are real distributions (a ``*.dist-info`` folder and a module) written to a
temporary directory put on ``sys.path``, so ``importlib.metadata`` finds them as it would
find a pip-installed package.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from app.core.errors import NotFoundError
from app.payments.gateways.registry import (
    CORE_DISTRIBUTION,
    available_gateways,
    get_gateway,
    load_registry,
)

BUILT_INS = {"stripe", "paystack", "flutterwave", "mtn_momo", "sandbox", "pay_on_pickup"}

GOOD_PLUGIN = """
from app.payments.gateways.pay_on_pickup import PayOnPickupGateway


class {cls}(PayOnPickupGateway):
    id = "{gateway_id}"
    display_name = "Acme cash"
    required_settings = ("ACME_TOKEN",)
"""

CONFIG = {
    "PAYMENTS_ENABLED_GATEWAYS": ["stripe", "paystack", "sandbox", "pay_on_pickup", "not_installed"],
    "STRIPE_SECRET_KEY": "sk_test_1",
    "STRIPE_WEBHOOK_SECRET": "whsec_1",
    "PAYSTACK_SECRET_KEY": "",
    "SANDBOX_WEBHOOK_SECRET": "s3cret",
}


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``install(dist, {id: "module:Class"}, {module: source})`` → a discoverable distribution."""

    def make(dist: str, points: dict[str, str], modules: dict[str, str]) -> None:
        site = tmp_path / dist
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = "".join(f"{name} = {target}\n" for name, target in points.items())
        (info / "entry_points.txt").write_text(f"[sokoni.gateways]\n{lines}")
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(site))

    return make


def test_built_in_gateways_are_installed_entry_points():
    registry = load_registry()
    assert set(registry.classes) >= BUILT_INS
    assert all(registry.origins[gateway_id] == CORE_DISTRIBUTION for gateway_id in BUILT_INS)
    assert registry.problems == ()


def test_a_plugin_is_discovered_with_its_distribution(install):
    install(
        "acme-gateway",
        {"acme": "acme_gateway_ok:AcmeGateway"},
        {"acme_gateway_ok": GOOD_PLUGIN.format(cls="AcmeGateway", gateway_id="acme")},
    )
    registry = load_registry()
    assert registry.classes["acme"].__name__ == "AcmeGateway"
    assert registry.origins["acme"] == "acme-gateway"


def test_a_broken_plugin_is_logged_with_its_distribution_and_skipped(install, caplog):
    install(
        "acme-broken",
        {"broken": "acme_broken_mod:Gateway"},
        {"acme_broken_mod": "raise RuntimeError('boom')"},
    )
    with caplog.at_level(logging.ERROR):
        registry = load_registry()
    assert "broken" not in registry.classes
    assert set(registry.classes) >= BUILT_INS
    assert "'acme-broken'" in caplog.text
    assert "RuntimeError: boom" in caplog.text
    assert any("acme-broken" in problem for problem in registry.problems)


def test_a_missing_module_is_skipped_too(install):
    install("acme-missing", {"ghost": "acme_no_such_module:Gateway"}, {})
    registry = load_registry()
    assert "ghost" not in registry.classes
    assert "ModuleNotFoundError" in registry.problems[0]


def test_a_plugin_cannot_take_over_a_built_in_id(install, caplog):
    install(
        "acme-evil",
        {"stripe": "acme_evil_mod:EvilStripe"},
        {"acme_evil_mod": GOOD_PLUGIN.format(cls="EvilStripe", gateway_id="stripe")},
    )
    with caplog.at_level(logging.ERROR):
        registry = load_registry()
    assert registry.origins["stripe"] == CORE_DISTRIBUTION
    assert registry.classes["stripe"].__module__ == "app.payments.gateways.stripe"
    assert "'acme-evil'" in caplog.text
    assert "duplicates the id already provided by distribution 'sokoni'" in caplog.text


def test_between_two_plugins_with_one_id_the_first_by_name_wins(install):
    install(
        "aaa-cash",
        {"cash": "aaa_cash_mod:Cash"},
        {"aaa_cash_mod": GOOD_PLUGIN.format(cls="Cash", gateway_id="cash")},
    )
    install(
        "zzz-cash",
        {"cash": "zzz_cash_mod:Cash"},
        {"zzz_cash_mod": GOOD_PLUGIN.format(cls="Cash", gateway_id="cash")},
    )
    registry = load_registry()
    assert registry.origins["cash"] == "aaa-cash"
    assert any("'zzz-cash'" in problem for problem in registry.problems)


def test_an_object_that_is_not_a_gateway_is_skipped(install):
    install(
        "acme-notgw",
        {"notgw": "acme_notgw_mod:Thing"},
        {"acme_notgw_mod": "class Thing:\n    id = 'notgw'\n"},
    )
    registry = load_registry()
    assert "notgw" not in registry.classes
    assert "not a BaseGateway subclass" in registry.problems[0]


def test_an_abstract_gateway_is_skipped(install):
    source = "from app.payments.gateways.base import BaseGateway\nclass Half(BaseGateway):\n    id = 'half'\n"
    install("acme-half", {"half": "acme_half_mod:Half"}, {"acme_half_mod": source})
    assert "does not implement" in load_registry().problems[0]


def test_the_entry_point_name_must_be_the_gateway_id(install):
    install(
        "acme-alias",
        {"alias": "acme_alias_mod:Cash"},
        {"acme_alias_mod": GOOD_PLUGIN.format(cls="Cash", gateway_id="cash")},
    )
    registry = load_registry()
    assert "alias" not in registry.classes
    assert "declares id 'cash'" in registry.problems[0]


def test_only_enabled_and_fully_configured_gateways_are_offered():
    offered = [gateway.id for gateway in available_gateways(CONFIG, load_registry())]
    # paystack: key empty; not_installed: no such gateway; flutterwave: not enabled.
    assert offered == ["stripe", "sandbox", "pay_on_pickup"]


def test_nothing_is_offered_when_nothing_is_enabled():
    assert available_gateways({**CONFIG, "PAYMENTS_ENABLED_GATEWAYS": []}, load_registry()) == []


def test_a_plugin_reads_its_own_settings_from_the_environment(install, monkeypatch):
    install(
        "acme-env",
        {"acme_env": "acme_env_mod:Acme"},
        {"acme_env_mod": GOOD_PLUGIN.format(cls="Acme", gateway_id="acme_env")},
    )
    registry = load_registry()
    config = {**CONFIG, "PAYMENTS_ENABLED_GATEWAYS": ["acme_env"]}
    monkeypatch.delenv("ACME_TOKEN", raising=False)
    assert available_gateways(config, registry) == []
    monkeypatch.setenv("ACME_TOKEN", "t0k")
    [gateway] = available_gateways(config, registry)
    assert gateway.setting("ACME_TOKEN") == "t0k"


def test_a_plugin_whose_constructor_fails_is_not_offered(install):
    source = GOOD_PLUGIN.format(cls="Fragile", gateway_id="fragile") + (
        "\n    def __init__(self, settings):\n        raise KeyError('surprise')\n"
    )
    install("acme-fragile", {"fragile": "acme_fragile_mod:Fragile"}, {"acme_fragile_mod": source})
    config = {**CONFIG, "PAYMENTS_ENABLED_GATEWAYS": ["fragile", "stripe"], "ACME_TOKEN": "x"}
    assert [g.id for g in available_gateways(config, load_registry())] == ["stripe"]


def test_get_gateway_builds_a_configured_one_even_if_not_enabled():
    config = {**CONFIG, "PAYMENTS_ENABLED_GATEWAYS": []}
    assert get_gateway("stripe", config, load_registry()).id == "stripe"
    with pytest.raises(NotFoundError):
        get_gateway("paystack", config, load_registry())  # not configured
    with pytest.raises(NotFoundError):
        get_gateway("nope", config, load_registry())
