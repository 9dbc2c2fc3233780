"""Every failure leaves the API in the one envelope, with the right status, storing nothing."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.extensions import db
from app.health import services as health_services

GOOD = {"email": "ok@example.com", "password": "Giraffe-Savanna-Sunset-42"}


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert db.session.query(User).count() == 0
    return error


def test_malformed_json_is_400(client):
    response = client.post("/api/auth/register/", data="{not json", content_type="application/json")
    assert_envelope(response, 400, "malformed_json")


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({**GOOD, "email": 42}, "email", "valid"),
        ({**GOOD, "password": ["x"]}, "password", "valid string"),
        ({**GOOD, "nickname": "x"}, "nickname", "unknown"),
        ({"email": GOOD["email"]}, "password", "required"),
        ({**GOOD, "email": "not-an-email"}, "email", "email"),
        ({**GOOD, "country": "ZZ"}, "country", "country code"),
        ({**GOOD, "preferred_currency": "XYZ"}, "preferred_currency", "currency code"),
        ({**GOOD, "phone": "0803 123 4567"}, "phone", "international"),
    ],
)
def test_bad_fields_are_422_with_details(client, body, field, fragment):
    error = assert_envelope(client.post("/api/auth/register/", json=body), 422, "validation_error")
    messages = error["details"]["json"][field]
    assert fragment in " ".join(messages).lower()


def test_a_json_array_body_is_a_validation_error(client):
    assert_envelope(client.post("/api/auth/register/", json=[GOOD]), 422, "validation_error")


def test_a_body_over_the_limit_is_413(client):
    huge = {**GOOD, "full_name": "x" * (2 * 1024 * 1024)}
    assert_envelope(client.post("/api/auth/register/", json=huge), 413, "payload_too_large")


def test_unknown_route_is_404(client):
    assert_envelope(client.get("/api/nothing-here/"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/auth/login/")
    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_unexpected_exception_is_a_500_with_only_the_request_id(client, caplog, monkeypatch):
    def explode():
        raise RuntimeError("secret internals: db password hunter2")

    monkeypatch.setattr(health_services, "readiness", explode)
    response = client.get("/api/health/ready/", headers={"X-Request-ID": "trace-me-12345"})
    error = assert_envelope(response, 500, "internal_error")
    assert error["request_id"] == "trace-me-12345"
    assert "hunter2" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert any("trace-me-12345" in r.getMessage() and r.exc_info for r in caplog.records)


def test_unsafe_incoming_request_id_is_replaced(client):
    response = client.get("/api/health/", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_security_headers_on_every_response(client):
    for response in (client.get("/api/health/"), client.get("/api/missing/"), client.get("/swagger/")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Request-ID"]
    assert client.get("/api/health/").headers["Cache-Control"] == "no-store"


def test_an_absurd_page_number_is_an_empty_page_not_a_500(client, staff, auth_headers):
    response = client.get("/api/admin/users/?page=97740349122228892205056", headers=auth_headers(staff))
    assert response.status_code == 200
    assert response.json == []


def test_a_phone_with_trailing_junk_beyond_the_limit_is_refused(client, customer, auth_headers):
    response = client.patch(
        "/api/auth/me/", json={"phone": "+2348031234567" + " " * 30 + "x"}, headers=auth_headers(customer)
    )
    assert response.status_code == 422
    assert "phone" in response.json["error"]["details"]["json"]


def test_cors_answers_only_the_configured_origins(client):
    allowed = client.options(
        "/api/products/",
        headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-Cart-Token, Idempotency-Key",
        },
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "x-cart-token" in allowed.headers["Access-Control-Allow-Headers"].lower()
    simple = client.get("/api/health/", headers={"Origin": "https://shop.example.com"})
    assert "X-Request-ID" in simple.headers["Access-Control-Expose-Headers"]
    foreign = client.get("/api/health/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers
