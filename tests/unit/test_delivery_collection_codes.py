"""Collection codes: random, short, numeric; stored only as a keyed hash; checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
from unittest import mock

import pytest

from app.delivery import collection_codes
from app.delivery.collection_codes import (
    generate_collection_code,
    hash_collection_code,
    new_collection_code,
    verify_collection_code,
)


def test_codes_are_six_random_digits_with_leading_zeros_kept(app):
    codes = {generate_collection_code() for _ in range(300)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 290  # random, not a counter
    with mock.patch.object(collection_codes.secrets, "choice", return_value="0"):
        assert generate_collection_code() == "000000"
    assert len(generate_collection_code(8)) == 8
    with pytest.raises(ValueError, match="at least 4 digits"):
        generate_collection_code(3)


def test_only_a_keyed_hash_is_stored(app):
    code, digest = new_collection_code()
    assert code not in digest
    assert len(digest) == 64
    assert digest != hashlib.sha256(code.encode()).hexdigest()  # not brute-forceable offline
    assert hash_collection_code(code) == digest  # deterministic, so it can be checked
    expected = hmac.new(
        app.config["SECRET_KEY"].encode(), b"sokoni.delivery.collection-code:" + code.encode(), hashlib.sha256
    ).hexdigest()
    assert digest == expected


def test_the_hash_depends_on_the_secret_key(app):
    digest = hash_collection_code("123456")
    with mock.patch.dict(app.config, {"SECRET_KEY": "another-key-entirely-for-this-test"}):
        assert hash_collection_code("123456") != digest
        assert not verify_collection_code("123456", digest)


def test_verification_accepts_the_code_as_typed_and_nothing_else(app):
    code, digest = new_collection_code()
    assert verify_collection_code(code, digest)
    assert verify_collection_code(f" {code[:3]}-{code[3:]} ", digest)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in (wrong, "", "abcdef", code + "0", code[:-1]):
        assert not verify_collection_code(attempt, digest)
    assert not verify_collection_code(code, "")


def test_verification_compares_in_constant_time(app):
    code, digest = new_collection_code()
    with mock.patch.object(collection_codes.hmac, "compare_digest", wraps=hmac.compare_digest) as compare:
        assert verify_collection_code(code, digest)
    compare.assert_called_once_with(digest, digest)
