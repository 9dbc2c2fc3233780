"""Reading providers' payloads and writing their amounts, the same way in every gateway.

Providers send amounts as integers of minor units (Stripe, Paystack), JSON numbers of major
units (Flutterwave) or strings of major units (MoMo). Everything becomes ``Money`` here,
exactly or not at all: an amount with more decimals than its currency allows is an invalid
response, never something to round.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.money import Money
from app.payments.gateways.errors import GatewayError, GatewayErrorKind


def load_json(body: bytes, gateway: str) -> dict[str, Any]:
    """A webhook body as a JSON object (floats as ``Decimal``)."""
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as exc:
        raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, gateway, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise GatewayError(GatewayErrorKind.INVALID_RESPONSE, gateway, "body is not a JSON object")
    return data


def section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]`` when it is an object, else an empty one: providers omit what they like."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def major_string(amount: Money) -> str:
    """Major units as a plain decimal string: 12550 NGN → "125.50", 45000 UGX → "45000"."""
    return format(amount.to_major(), "f")


def money_from_major(value: Any, currency: Any, gateway: str) -> Money:
    """``Money`` from a provider's major-unit amount (number or string)."""
    try:
        return Money.from_major(Decimal(str(value)), str(currency).upper())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise GatewayError(
            GatewayErrorKind.INVALID_RESPONSE, gateway, f"unreadable amount {value!r} {currency!r}"
        ) from exc


def money_from_minor(value: Any, currency: Any, gateway: str) -> Money:
    """``Money`` from a provider's minor-unit amount (int, or a string of digits)."""
    try:
        return Money(int(str(value)), str(currency).upper())
    except (ValueError, TypeError) as exc:
        raise GatewayError(
            GatewayErrorKind.INVALID_RESPONSE, gateway, f"unreadable amount {value!r} {currency!r}"
        ) from exc


def msisdn(phone: str, gateway: str) -> str:
    """A phone number as the digits mobile-money APIs want (no "+", spaces or dashes)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 9:
        raise GatewayError(GatewayErrorKind.UNSUPPORTED, gateway, "a valid payer phone number is required")
    return digits


def mask_phone(phone: str) -> str:
    """Enough of a number to recognise it, never enough to use it: "2567******12"."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) <= 6:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]
