"""The account lifecycle through the HTTP API."""

from __future__ import annotations

import re

import pytest

from app.auth.models import User
from app.core.mail import outbox
from app.extensions import db
from tests.conftest import bearer, login
from tests.factories import DEFAULT_PASSWORD, UserFactory

NEW_PASSWORD = "Giraffe-Savanna-Sunset-42"


def register(client, email="new@example.com", password=NEW_PASSWORD, **extra):
    return client.post("/api/auth/register/", json={"email": email, "password": password, **extra})


def test_full_session_lifecycle(client):
    created = register(client, full_name="Ngozi A.", phone="+2348031234567", country="ng")
    assert created.status_code == 201
    assert created.json["email"] == "new@example.com"
    assert created.json["role"] == "customer"
    assert created.json["profile"] == {
        "full_name": "Ngozi A.",
        "phone": "+2348031234567",
        "country": "NG",
        "preferred_currency": None,
    }
    assert "password" not in created.json

    tokens = login(client, "New@Example.com", NEW_PASSWORD)
    me = client.get("/api/auth/me/", headers=bearer(tokens["access"]))
    assert me.status_code == 200
    assert me.json["email"] == "new@example.com"

    rotated = client.post("/api/auth/token/refresh/", json={"refresh": tokens["refresh"]})
    assert rotated.status_code == 200
    assert rotated.json["refresh"] != tokens["refresh"]

    reused = client.post("/api/auth/token/refresh/", json={"refresh": tokens["refresh"]})
    assert reused.status_code == 401
    assert reused.json["error"]["code"] == "token_revoked"

    session = login(client, "new@example.com", NEW_PASSWORD)
    assert client.get("/api/auth/me/", headers=bearer(session["access"])).status_code == 200
    logout = client.post("/api/auth/logout/", headers=bearer(session["access"]), json={})
    assert logout.status_code == 204
    after = client.get("/api/auth/me/", headers=bearer(session["access"]))
    assert after.status_code == 401
    assert after.json["error"]["code"] == "token_revoked"
    refresh_after = client.post("/api/auth/token/refresh/", json={"refresh": session["refresh"]})
    assert refresh_after.status_code == 401


def test_reusing_a_rotated_refresh_token_revokes_the_whole_session(client, customer):
    tokens = login(client, customer.email)
    rotated = client.post("/api/auth/token/refresh/", json={"refresh": tokens["refresh"]}).json
    assert client.post("/api/auth/token/refresh/", json={"refresh": tokens["refresh"]}).status_code == 401
    # The thief (or the victim) replayed a used token: the session it belongs to is dead.
    assert client.get("/api/auth/me/", headers=bearer(rotated["access"])).status_code == 401
    assert client.post("/api/auth/token/refresh/", json={"refresh": rotated["refresh"]}).status_code == 401


def test_refresh_accepts_the_refresh_token_as_bearer(client, customer):
    tokens = login(client, customer.email)
    response = client.post("/api/auth/token/refresh/", headers=bearer(tokens["refresh"]), json={})
    assert response.status_code == 200


def test_an_access_token_cannot_refresh(client, customer):
    tokens = login(client, customer.email)
    response = client.post("/api/auth/token/refresh/", json={"refresh": tokens["access"]})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"


def test_duplicate_email_in_any_case_is_a_conflict(client):
    assert register(client, email="dup@example.com").status_code == 201
    again = register(client, email="DUP@Example.COM")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "email_taken"
    assert db.session.query(User).count() == 1


def test_wrong_password_and_unknown_user_give_the_same_answer(client, customer):
    wrong = client.post("/api/auth/login/", json={"email": customer.email, "password": "Nope-Nope-Nope-1"})
    unknown = client.post("/api/auth/login/", json={"email": "ghost@example.com", "password": "Nope-Nope-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["error"]["code"] == unknown.json["error"]["code"] == "invalid_credentials"
    assert wrong.json["error"]["message"] == unknown.json["error"]["message"]


def test_login_is_rate_limited_per_email(client, customer):
    statuses = [
        client.post(
            "/api/auth/login/", json={"email": customer.email, "password": "Wrong-Guess-123"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    limited = client.post("/api/auth/login/", json={"email": customer.email, "password": DEFAULT_PASSWORD})
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers


def test_login_is_rate_limited_per_ip(app, client):
    app.config["RATELIMIT_LOGIN_PER_IP"] = "3/minute"
    try:
        statuses = [
            client.post("/api/auth/login/", json={"email": f"u{i}@example.com", "password": "x"}).status_code
            for i in range(4)
        ]
    finally:
        app.config["RATELIMIT_LOGIN_PER_IP"] = "50/minute"
    assert statuses == [401, 401, 401, 429]


def test_deactivated_user_is_locked_out_at_once(client, customer, admin, auth_headers):
    customer_headers = auth_headers(customer)
    response = client.patch(
        f"/api/admin/users/{customer.id}/", json={"is_active": False}, headers=auth_headers(admin)
    )
    assert response.status_code == 200
    assert response.json["is_active"] is False
    me = client.get("/api/auth/me/", headers=customer_headers)
    assert me.status_code == 401
    relogin = client.post("/api/auth/login/", json={"email": customer.email, "password": DEFAULT_PASSWORD})
    assert relogin.status_code == 401


def test_customer_calling_a_staff_endpoint_is_forbidden(client, customer, auth_headers):
    response = client.get("/api/admin/users/", headers=auth_headers(customer))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_anonymous_call_to_a_protected_endpoint_is_401_before_validation(client):
    response = client.patch("/api/auth/me/", json={"phone": 12})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "authentication_required"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_staff_can_list_users_but_only_admin_can_create_staff(client, staff, admin, auth_headers):
    listed = client.get("/api/admin/users/?role=staff", headers=auth_headers(staff))
    assert listed.status_code == 200
    assert [u["email"] for u in listed.json] == [staff.email]
    body = {"email": "new.staff@example.com", "password": NEW_PASSWORD, "role": "staff"}
    assert client.post("/api/admin/users/", json=body, headers=auth_headers(staff)).status_code == 403
    created = client.post("/api/admin/users/", json=body, headers=auth_headers(admin))
    assert created.status_code == 201
    assert created.json["role"] == "staff"


def test_demoted_staff_loses_access_on_the_next_request(client, staff, admin, auth_headers):
    staff_headers = auth_headers(staff)
    client.patch(f"/api/admin/users/{staff.id}/", json={"role": "customer"}, headers=auth_headers(admin))
    assert client.get("/api/admin/users/", headers=staff_headers).status_code == 403


def test_register_cannot_choose_a_role(client):
    response = register(client, role="admin")
    assert response.status_code == 422
    assert "role" in response.json["error"]["details"]["json"]
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password123", "common"),
        ("ngozi.okafor-2", "e-mail"),
        ("aaaaaaaaaaaa", "guess"),
    ],
)
def test_password_policy(client, password, reason):
    response = register(client, email="ngozi.okafor@example.com", password=password)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "weak_password"
    assert reason in " ".join(response.json["error"]["details"]["password"]).lower()
    assert db.session.query(User).count() == 0


def test_a_short_password_is_refused_by_the_schema(client):
    response = register(client, password="Short-1a")
    assert response.status_code == 422
    assert "length" in " ".join(response.json["error"]["details"]["json"]["password"]).lower()
    assert db.session.query(User).count() == 0


def test_me_patch_updates_profile_and_validates(client, customer, auth_headers):
    headers = auth_headers(customer)
    ok = client.patch(
        "/api/auth/me/", json={"phone": "+254712345678", "preferred_currency": "kes"}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.json["profile"]["phone"] == "+254712345678"
    assert ok.json["profile"]["preferred_currency"] == "KES"
    bad = client.patch("/api/auth/me/", json={"phone": "0803", "country": "XX"}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["error"]["details"]["json"]) == {"phone", "country"}
    assert client.get("/api/auth/me/", headers=headers).json["profile"]["phone"] == "+254712345678"


def test_password_change_ends_other_sessions(client, customer):
    other_device = login(client, customer.email)
    this_device = login(client, customer.email)
    response = client.post(
        "/api/auth/password/change/",
        json={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(this_device["access"]),
    )
    assert response.status_code == 200
    assert client.get("/api/auth/me/", headers=bearer(other_device["access"])).status_code == 401
    assert client.get("/api/auth/me/", headers=bearer(this_device["access"])).status_code == 401
    assert client.get("/api/auth/me/", headers=bearer(response.json["access"])).status_code == 200
    assert (
        client.post("/api/auth/token/refresh/", json={"refresh": other_device["refresh"]}).status_code == 401
    )
    login(client, customer.email, NEW_PASSWORD)


def test_password_change_needs_the_current_password(client, customer, auth_headers):
    response = client.post(
        "/api/auth/password/change/",
        json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD},
        headers=auth_headers(customer),
    )
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_credentials"
    login(client, customer.email)


def _reset_token_from_outbox() -> str:
    (mail,) = outbox()
    return re.search(r"token=(\S+)", mail.body).group(1)


def test_password_reset_flow_is_single_use(client, customer):
    session = login(client, customer.email)
    asked = client.post("/api/auth/password/reset/", json={"email": customer.email.upper()})
    assert asked.status_code == 202
    token = _reset_token_from_outbox()

    done = client.post(
        "/api/auth/password/reset/confirm/", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    again = client.post(
        "/api/auth/password/reset/confirm/", json={"token": token, "new_password": "Another-Pass-Phrase-7"}
    )
    assert again.status_code == 422
    assert again.json["error"]["code"] == "invalid_token"
    assert client.get("/api/auth/me/", headers=bearer(session["access"])).status_code == 401
    login(client, customer.email, NEW_PASSWORD)


def test_password_reset_for_unknown_email_looks_the_same(client):
    response = client.post("/api/auth/password/reset/", json={"email": "nobody@example.com"})
    assert response.status_code == 202
    assert outbox() == []


def test_password_reset_rejects_a_forged_token(client, customer):
    response = client.post(
        "/api/auth/password/reset/confirm/",
        json={"token": "forged.token.value", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 422
    login(client, customer.email)


def test_passwords_are_stored_as_argon2id(client):
    register(client)
    user = db.session.query(User).one()
    assert user.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in user.password_hash


def test_bad_and_expired_tokens(client, customer, app):
    assert client.get("/api/auth/me/", headers=bearer("not-a-jwt")).json["error"]["code"] == "invalid_token"
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    with app.test_request_context():
        expired = create_access_token(str(customer.id), expires_delta=timedelta(seconds=-5))
    response = client.get("/api/auth/me/", headers=bearer(expired))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_expired"


def test_user_factory_users_can_log_in(client):
    user = UserFactory()
    assert login(client, user.email)["access"]


def test_a_long_passphrase_is_accepted(client):
    passphrase = "the quiet river crosses seven hills under a copper moon " * 2
    assert register(client, password=passphrase).status_code == 201
    assert login(client, "new@example.com", passphrase)["access"]
