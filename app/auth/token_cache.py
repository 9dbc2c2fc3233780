"""A JWT manager that verifies each bearer token once per process, not on every request.

flask-jwt-extended parses a token three times a request (its claims unverified, its header,
then all of it verified); with PyJWT's character-by-character check of each segment that
was 7 % of the web workers' CPU under the bench's checkout load, for a token every request
of a session carries unchanged. The verified claims are kept in a bounded LRU keyed by the
whole token and the key that verified it: its signature is part of the key, so a token
differing by one byte is a different key and is verified afresh, and a token verified under
one secret is never taken for verified under another (a rotated secret, a second app).

Only what verification established is reused. Expiry is checked again on every use (an
expired token goes through the library's own path, which refuses it with its usual
error), and revocation, the user's state and the token's epoch are the request-time checks
of ``app.auth.sessions``, which run every time as before.
"""

from __future__ import annotations

import functools
import time
from datetime import timedelta
from typing import Any

from flask_jwt_extended import JWTManager
from flask_jwt_extended.config import config

#: Tokens kept per process (about 2 KB each, measured: the token, its claims, the LRU node). Each
#: signed-in client presents one access token at a time; beyond this many at once, the
#: least recently seen are verified again on their next request.
VERIFIED_TOKENS = 1024


class VerifiedTokenJWTManager(JWTManager):
    """``JWTManager`` with the verified claims of recent tokens remembered (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS)(self._verify)

    def _verify(self, _decode_key: str, encoded_token: str) -> dict[str, Any]:
        return super()._decode_jwt_from_config(encoded_token)

    def _decode_jwt_from_config(
        self, encoded_token: str, csrf_value: str | None = None, allow_expired: bool = False
    ) -> dict[str, Any]:
        if csrf_value is not None or allow_expired:  # cookies' CSRF check; the expired path
            return super()._decode_jwt_from_config(encoded_token, csrf_value, allow_expired)
        claims = self._verified(config.decode_key, encoded_token)
        if "exp" in claims and claims["exp"] <= time.time() - _seconds(config.leeway):
            return super()._decode_jwt_from_config(encoded_token)  # raises as the library does
        return dict(claims)  # a copy: the request may not change what the next one reads


def _seconds(leeway: int | timedelta) -> float:
    return leeway.total_seconds() if isinstance(leeway, timedelta) else leeway
