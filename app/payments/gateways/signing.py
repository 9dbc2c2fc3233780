"""Webhook signature checks shared by the gateways: HMACs and constant-time comparison."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, whatever the case of its name ("" when absent)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip()
    return ""


def hmac_hex(secret: str, message: bytes, algorithm: str = "sha256") -> str:
    return hmac.new(secret.encode(), message, getattr(hashlib, algorithm)).hexdigest()


def hmac_base64(secret: str, message: bytes, algorithm: str = "sha256") -> str:
    digest = hmac.new(secret.encode(), message, getattr(hashlib, algorithm)).digest()
    return base64.b64encode(digest).decode()


def same(expected: str, given: str) -> bool:
    """Constant-time equality that never accepts an empty secret or signature."""
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())
