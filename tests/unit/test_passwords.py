"""The password policy and hashing, called as services call them (CLI included)."""

from __future__ import annotations

import pytest

from app.auth import passwords
from app.core.errors import ValidationError


@pytest.mark.usefixtures("app")
class TestPolicy:
    def test_accepts_a_strong_password(self):
        passwords.check_policy("Mango-Harmattan-Breeze-31", email="ada@example.com")

    @pytest.mark.parametrize(
        ("password", "reason"),
        [
            ("Sh0rt-pw", "at least 10"),
            ("x" * 129, "at most 128"),
            ("ada@example.com", "e-mail"),
            ("qwertyuiop", "common"),
            ("1234512345", "guess"),
        ],
    )
    def test_refuses(self, password, reason):
        with pytest.raises(ValidationError) as caught:
            passwords.check_policy(password, email="ada@example.com")
        assert caught.value.code == "weak_password"
        assert reason in " ".join(caught.value.details["password"]).lower()


@pytest.mark.usefixtures("app")
def test_hash_verify_and_unknown_user():
    hashed = passwords.hash_password("Mango-Harmattan-Breeze-31")
    assert passwords.verify_password(hashed, "Mango-Harmattan-Breeze-31")
    assert not passwords.verify_password(hashed, "mango-harmattan-breeze-31")
    assert not passwords.verify_password(None, "sokoni-timing-equaliser")
    assert not passwords.verify_password("not-a-hash", "anything")


def test_hashes_made_with_other_parameters_need_a_rehash(app):
    hashed = passwords.hash_password("Mango-Harmattan-Breeze-31")
    assert not passwords.needs_rehash(hashed)
    app.config["ARGON2_TIME_COST"] += 1
    try:
        assert passwords.needs_rehash(hashed)
    finally:
        app.config["ARGON2_TIME_COST"] -= 1
