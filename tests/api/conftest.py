"""Fixtures of the payment API tests (helpers in ``payments_helpers``)."""

from __future__ import annotations

import pytest
import responses

from app.payments.gateways.http import token_cache
from tests.api.payments_helpers import GATEWAY_SETTINGS


@pytest.fixture
def payment_gateways(app, monkeypatch):
    """Every built-in gateway enabled and configured against stub hosts."""
    for name, value in GATEWAY_SETTINGS.items():
        monkeypatch.setitem(app.config, name, value)
    token_cache.clear()
    yield app.config
    token_cache.clear()


@pytest.fixture
def gateway_http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def payer(client, customer, auth_headers):
    return customer, auth_headers(customer)
