"""The state machine: every allowed move passes, every other move is a 409."""

from __future__ import annotations

import itertools

import pytest

from app.core.errors import ConflictError
from app.orders.states import TRANSITIONS, OrderStatus, ensure_transition

ALL_PAIRS = list(itertools.product(OrderStatus, OrderStatus))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transitions(current, target):
    ensure_transition(current, target)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_other_transition_is_a_409(current, target):
    with pytest.raises(ConflictError) as caught:
        ensure_transition(current, target)
    assert caught.value.code == "invalid_transition"
    assert caught.value.details["from"] == current


def test_the_happy_paths_exist():
    delivery = ["pending_payment", "paid", "processing", "shipped", "delivered", "completed"]
    pickup = ["pending_payment", "ready_for_pickup", "collected", "completed"]
    for path in (delivery, pickup):
        for current, target in itertools.pairwise(path):
            ensure_transition(current, target)


def test_final_states_are_final():
    for final in (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUNDED):
        assert TRANSITIONS[final] == frozenset()
