"""Bearer tokens are verified once per process; what must still be refused is refused.

``app.auth.token_cache`` keeps the verified claims of recent tokens. These tests present a
token while it is good, so that its claims are remembered, and then the same token once it
has expired or been revoked, altered by a byte, or signed under a secret no longer in use.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from tests.conftest import bearer, login

ME = "/api/auth/me/"


def error_code(response) -> str:
    assert response.status_code == 401, response.json
    return response.json["error"]["code"]


def test_a_remembered_token_is_refused_once_it_expires(app, client, customer):
    lifetime, start = app.config["JWT_ACCESS_TOKEN_EXPIRES"], datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    with freeze_time(start):
        token = login(client, customer.email)["access"]
        assert client.get(ME, headers=bearer(token)).status_code == 200
    with freeze_time(start + lifetime - timedelta(seconds=1)):
        assert client.get(ME, headers=bearer(token)).status_code == 200
    with freeze_time(start + lifetime + timedelta(seconds=1)):
        assert error_code(client.get(ME, headers=bearer(token))) == "token_expired"


def test_a_remembered_token_is_refused_once_revoked(client, customer):
    tokens = login(client, customer.email)
    assert client.get(ME, headers=bearer(tokens["access"])).status_code == 200
    logout = client.post(
        "/api/auth/logout/", json={"refresh": tokens["refresh"]}, headers=bearer(tokens["access"])
    )
    assert logout.status_code == 204, logout.json
    assert error_code(client.get(ME, headers=bearer(tokens["access"]))) == "token_revoked"


def test_a_remembered_token_altered_by_a_byte_is_verified_afresh(client, customer):
    token = login(client, customer.email)["access"]
    assert client.get(ME, headers=bearer(token)).status_code == 200
    last = token[-2]
    forged = token[:-2] + ("A" if last != "A" else "B") + token[-1]
    assert error_code(client.get(ME, headers=bearer(forged))) == "invalid_token"


def test_a_token_verified_under_a_retired_secret_is_refused(app, client, customer, monkeypatch):
    token = login(client, customer.email)["access"]
    assert client.get(ME, headers=bearer(token)).status_code == 200
    monkeypatch.setitem(app.config, "JWT_SECRET_KEY", "a-new-secret-of-at-least-thirty-two-characters")
    assert error_code(client.get(ME, headers=bearer(token))) == "invalid_token"
