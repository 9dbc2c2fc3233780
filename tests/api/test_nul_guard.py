"""NUL (U+0000) never reaches PostgreSQL: refused at the door, published in the document."""

from __future__ import annotations

import pytest

from app.auth.models import User
from app.extensions import db
from app.payments.gateways.signing import hmac_hex
from app.payments.models import WebhookEvent
from tests.api.payments_helpers import deliver
from tests.api.test_errors import GOOD, assert_envelope


def test_a_nul_in_a_json_field_is_422_naming_it_and_stores_nothing(client):
    body = {**GOOD, "full_name": "Ada\x00Obi", "addresses": [{"city": "La\x00gos"}]}
    error = assert_envelope(client.post("/api/auth/register/", json=body), 422, "validation_error")
    assert set(error["details"]["json"]) == {"full_name", "addresses[0].city"}
    assert db.session.query(User).count() == 0


def test_a_nul_in_a_json_key_is_422(client):
    response = client.post("/api/auth/register/", json={**GOOD, "x\x00": 1})
    error = assert_envelope(response, 422, "validation_error")
    assert list(error["details"]["json"]) == ["x\\u0000"]


@pytest.mark.parametrize("path", ["/api/products/?q=tea%00", "/api/products/?brand=%00&sort=name"])
def test_a_nul_in_the_query_string_is_422_naming_it(client, path):
    error = assert_envelope(client.get(path), 422, "validation_error")
    assert list(error["details"]["query"]) in (["q"], ["brand"])


def test_authentication_answers_before_the_nul_check(client, customer, auth_headers):
    assert client.get("/api/orders/?status=pai%00d").status_code == 401
    promotion = {"name": "x", "kind": "fixed", "amounts_off": {"N\x00": 1}}
    assert client.post("/api/promotions/", json=promotion, headers=auth_headers(customer)).status_code == 403
    response = client.get("/api/orders/?status=pai%00d", headers=auth_headers(customer))
    assert (response.status_code, response.json["error"]["code"]) == (422, "validation_error")


def test_a_nul_in_the_path_is_404(client):
    assert_envelope(client.get("/api/products/te%00a/"), 404, "not_found")


def test_a_nul_in_a_form_field_is_422(client):
    assert_envelope(client.post("/admin/login/", data={"email": "a\x00@b.c"}), 422, "validation_error")


def test_a_webhook_body_is_left_to_its_signature_check(client, payment_gateways):
    """A raw body with NUL is still judged by its signature (401), and storable for the record."""
    body = b'{"id": "evt\\u0000", "note": "\x00"}'
    response = deliver(client, "sandbox", body, {"Content-Type": "application/json"})
    assert response.status_code == 401
    (event,) = db.session.scalars(db.select(WebhookEvent)).all()
    assert "\x00" not in event.body
    assert event.status == "rejected"


def test_a_signed_webhook_carrying_nul_is_stored_without_it(client, payment_gateways):
    body = b'{"id": "evt-nul", "type": "payment.succeeded\\u0000", "data": {"reference": "r\\u0000"}}'
    headers = {"X-Sandbox-Signature": hmac_hex("test-sandbox-secret", body)}
    response = deliver(client, "sandbox", body, headers)
    assert response.status_code in (200, 422), response.json
    for event in db.session.scalars(db.select(WebhookEvent)):
        assert "\x00" not in (event.event_type or "") + (event.reference or "") + event.body


def test_the_document_says_free_text_has_no_nul(client):
    spec = client.get("/api/openapi.json").json
    register = spec["components"]["schemas"]["Register"]["properties"]
    assert register["full_name"]["pattern"] == "^[^\\u0000]*$"
    assert "pattern" not in register["email"]  # its format already excludes it
    assert register["phone"]["pattern"].startswith("^\\+")  # a field's own pattern wins
