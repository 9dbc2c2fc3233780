"""Collection codes: what a customer shows at the bus station to take their parcel.

The code is short and numeric (read out over a counter, typed on a feature phone), so
its space is small: a plain SHA-256 of a 6-digit code falls to a million guesses in
under a second. Only an HMAC-SHA256 keyed with the app's ``SECRET_KEY`` is stored, so a
leaked table is useless without the key. Verification compares in constant time.

The code itself is shown to its owner once, when the order is placed; it is never
stored. Limiting how often staff may try codes belongs to the endpoint that checks them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app

CODE_LENGTH = 6
#: Separates these hashes from any other HMAC made with the same key.
_PURPOSE = b"sokoni.delivery.collection-code:"


def generate_collection_code(length: int = CODE_LENGTH) -> str:
    """A uniformly random numeric code from the OS's CSPRNG (leading zeros kept)."""
    if length < 4:
        raise ValueError("A collection code needs at least 4 digits.")
    return "".join(secrets.choice("0123456789") for _ in range(length))


def hash_collection_code(code: str) -> str:
    """The keyed hash to store (64 hex characters)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, _PURPOSE + _normalise(code).encode(), hashlib.sha256).hexdigest()


def verify_collection_code(code: str, stored_hash: str) -> bool:
    """True when ``code`` (as typed: spaces and dashes ignored) matches ``stored_hash``."""
    if not stored_hash or not _normalise(code).isdigit():
        return False
    return hmac.compare_digest(hash_collection_code(code), stored_hash)


def new_collection_code(length: int = CODE_LENGTH) -> tuple[str, str]:
    """``(code, hash)``: give the code to the customer, store only the hash."""
    code = generate_collection_code(length)
    return code, hash_collection_code(code)


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if ch not in " -")
