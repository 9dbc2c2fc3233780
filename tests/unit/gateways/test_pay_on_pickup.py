"""Pay on pickup: cash at the bus station; no HTTP, no webhooks."""

from __future__ import annotations

import pytest

from app.core.money import Money
from app.payments.gateways.base import PaymentMethod, PaymentQuery, PaymentState
from app.payments.gateways.errors import GatewayError, GatewayErrorKind
from app.payments.gateways.pay_on_pickup import PayOnPickupGateway
from app.payments.testing import GatewayContract


class TestPayOnPickupContract(GatewayContract):
    gateway_class = PayOnPickupGateway
    settings: dict[str, str] = {}
    amounts = (Money(45000, "UGX"), Money(125050, "NGN"))
    verify_states = (PaymentState.PENDING,)
    makes_http_calls = False
    accepts_webhooks = False

    def stub_verify(self, rsps, request, state):
        return PaymentQuery(request.reference, f"pop_{request.reference}")


@pytest.fixture
def gateway() -> PayOnPickupGateway:
    return PayOnPickupGateway({})


def test_instructions_say_how_much_cash_and_which_reference(gateway):
    started = gateway.initialize_payment(TestPayOnPickupContract().payment_request(Money(125050, "NGN")))
    assert "1,250.50" in started.instructions
    assert "SOK-PAY-0001" in started.instructions
    assert started.status is PaymentState.PENDING


def test_it_is_a_cash_method_needing_no_settings():
    assert PayOnPickupGateway.methods == {PaymentMethod.CASH}
    assert PayOnPickupGateway.is_configured({})


def test_its_webhook_endpoint_accepts_nothing(gateway):
    assert not gateway.verify_webhook_signature(b"{}", {"anything": "at all"})
    with pytest.raises(GatewayError) as caught:
        gateway.parse_webhook_event(b"{}", {})
    assert caught.value.kind is GatewayErrorKind.UNSUPPORTED
