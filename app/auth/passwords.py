"""Password hashing (argon2id) and the password policy.

The policy follows NIST SP 800-63B: length over composition rules, and a refusal of
passwords found in breach lists (zxcvbn's 30,000 most common) or guessable from the
account itself.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.core.errors import ErrorCode, ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128
#: zxcvbn scores 0 to 4; below 2 is "too guessable" (under ~10^6 guesses).
MIN_SCORE = 2
#: zxcvbn refuses longer input; the first 72 characters decide the estimate anyway.
ZXCVBN_MAX_LENGTH = 72

_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int) -> tuple[PasswordHasher, str]:
    """An argon2id hasher and a dummy hash made with it.

    Verifying against the dummy keeps a login for an unknown e-mail as slow as a real one.
    """
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    return hasher, hasher.hash("sokoni-timing-equaliser")


def _hasher() -> tuple[PasswordHasher, str]:
    """Parameters come from config (argon2-cffi's RFC 9106 defaults; lighter in tests)."""
    config = current_app.config
    return _hasher_for(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-effort check; ``None`` (no such user) still spends one argon2 verify."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other argon2 parameters than today's."""
    return _hasher()[0].check_needs_rehash(password_hash)


def check_policy(password: str, *, email: str, field: str = "password") -> None:
    """Raise ``ValidationError`` (code ``weak_password``) with the reasons the password fails."""
    problems = []
    lowered = password.lower()
    local_part = email.lower().split("@", 1)[0]
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if lowered == email.lower() or (len(local_part) >= 4 and local_part in lowered):
        problems.append("Do not use your e-mail address in your password.")
    if lowered in _COMMON:
        problems.append("This password is too common.")
    elif not problems:
        result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[email, local_part])
        if result["score"] < MIN_SCORE:
            problems.append(result["feedback"]["warning"] or "This password is too easy to guess.")
            problems.extend(result["feedback"]["suggestions"])
    if problems:
        raise ValidationError(
            "The password does not meet the policy.",
            code=ErrorCode.WEAK_PASSWORD,
            details={field: problems},
        )
