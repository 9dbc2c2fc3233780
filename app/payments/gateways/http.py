"""The one place gateways talk HTTP: timeouts, JSON, error mapping, logging, cached tokens.

Every provider call goes through ``GatewayHttp.request`` so that each gateway gets the same
answers to the same failures (a timeout is always a ``network`` error, a 401 always
``misconfigured``) and the same log line, which never contains headers or bodies: those hold
keys, tokens and phone numbers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from app.payments.gateways.errors import GatewayError, GatewayErrorKind

log = logging.getLogger(__name__)

#: Keys under which providers put a human-readable error, in order of preference.
_MESSAGE_KEYS = ("message", "errorMessage", "error_description", "reason", "error")


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: Any
    """Parsed JSON (floats as ``Decimal``, so money is never rounded), or None when empty."""


class GatewayHttp:
    """A ``requests`` session bound to one gateway's base URL and timeout."""

    def __init__(self, gateway: str, base_url: str, timeout: float) -> None:
        self.gateway = gateway
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        accept: Collection[int] = (),
    ) -> HttpReply:
        """Send one request; return its reply on 2xx (or a status in ``accept``), else raise.

        ``accept`` is for providers that answer an expected state with an error status
        (Daraja's "still processing" is a 500 the gateway must read, not a failure).
        """
        started = time.perf_counter()
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=json_body,
                params=params,
                headers=dict(headers or {}),
                auth=auth,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise self._error(GatewayErrorKind.NETWORK, f"{method} {path} timed out") from exc
        except requests.RequestException as exc:
            raise self._error(
                GatewayErrorKind.NETWORK, f"{method} {path} failed: {type(exc).__name__}"
            ) from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("%s %s %s -> %s in %.0f ms", self.gateway, method, path, response.status_code, elapsed_ms)
        body = self._parse(response)
        if response.ok or response.status_code in accept:
            return HttpReply(response.status_code, body)
        reason = f"{method} {path} -> {response.status_code}: {provider_message(body)}"
        if response.status_code >= 500 or response.status_code == 429:
            kind = GatewayErrorKind.NETWORK
        elif response.status_code in (401, 403):
            kind = GatewayErrorKind.MISCONFIGURED
        else:
            kind = GatewayErrorKind.REJECTED
        raise self._error(kind, reason, response.status_code)

    def _parse(self, response: requests.Response) -> Any:
        if not response.content.strip():
            return None
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            if not response.ok:
                return None  # an HTML error page from a proxy: the status says enough
            raise self._error(
                GatewayErrorKind.INVALID_RESPONSE, "reply is not JSON", response.status_code
            ) from exc

    def _error(self, kind: GatewayErrorKind, reason: str, status: int | None = None) -> GatewayError:
        return GatewayError(kind, self.gateway, reason, provider_status=status)


def provider_message(body: Any) -> str:
    """The provider's own words about an error, shortened for logs."""
    if isinstance(body, Mapping):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, Mapping):
                return provider_message(value)
            if value:
                return str(value)[:200]
    return "no details"


class TokenCache:
    """Bearer tokens shared by every gateway instance in the process, kept until near expiry.

    Gateways are cheap to build per request, but MoMo and M-Pesa limit token requests, so
    the token outlives the instance. Keys are hashed: they are built from credentials.
    """

    #: Renew this many seconds before the provider's expiry, so a token never dies in flight.
    MARGIN = 60

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, fetch: Callable[[], tuple[str, int]]) -> str:
        """Return a live token for ``key``, calling ``fetch() -> (token, lifetime_s)`` if needed."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        with self._lock:
            cached = self._tokens.get(digest)
            if cached and cached[1] > time.time():
                return cached[0]
            token, lifetime = fetch()
            self._tokens[digest] = (token, time.time() + max(int(lifetime) - self.MARGIN, 0))
            return token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


token_cache = TokenCache()
