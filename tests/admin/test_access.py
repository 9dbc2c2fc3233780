"""Who may see which part of the console, and how the login and logout behave."""

from __future__ import annotations

import pytest

from app.admin import dashboard
from app.auth.models import User
from app.extensions import db
from config import Production
from tests.admin.conftest import console_login, csrf_token
from tests.factories import UserFactory

STAFF_SECTIONS = [
    "/admin/",
    "/admin/products/",
    "/admin/variants/",
    "/admin/categories/",
    "/admin/tags/",
    "/admin/promotions/",
    "/admin/collections/",
    "/admin/orders/",
    "/admin/coupons/",
    "/admin/bus_stations/",
    "/admin/zones/",
    "/admin/methods/",
    "/admin/payments/",
    "/admin/refunds/",
    "/admin/webhooks/",
    "/admin/transactions/",
    "/admin/jobs/",
    "/admin/wishlists/",
    "/admin/cache/",
]
ADMIN_SECTIONS = ["/admin/users/", "/admin/rates/", "/admin/gateways/"]


@pytest.mark.parametrize("url", STAFF_SECTIONS + ADMIN_SECTIONS)
def test_anonymous_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("url", STAFF_SECTIONS + ADMIN_SECTIONS)
def test_a_customer_cannot_sign_in_nor_see_anything(client, customer, url):
    response = console_login(client, customer.email)
    assert response.status_code == 400
    assert "cannot use the console" in response.get_data(as_text=True)
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("url", STAFF_SECTIONS)
def test_staff_see_the_staff_sections(staff_client, url):
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ADMIN_SECTIONS)
def test_admin_sections_are_hidden_from_staff(staff_client, url):
    assert url not in staff_client.get("/admin/").get_data(as_text=True)
    response = staff_client.get(url)
    assert response.status_code == 403
    assert "for administrators" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", STAFF_SECTIONS + ADMIN_SECTIONS)
def test_admins_see_everything(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_admin_menu_lists_admin_sections(admin_client):
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert all(url in page for url in ADMIN_SECTIONS)


def test_wrong_password_is_refused_with_the_same_message(client, staff):
    response = console_login(client, staff.email, "not-the-password")
    assert response.status_code == 400
    assert "E-mail or password is incorrect" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(client, staff):
    from tests.factories import DEFAULT_PASSWORD

    response = client.post("/admin/login/", data={"email": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, staff):
    token = csrf_token(client, "/admin/login/?next=/admin/orders/")
    data = {"email": staff.email, "password": "Correct-Horse-Battery-9", "csrf_token": token}
    response = client.post("/admin/login/", data={**data, "next": "/admin/orders/"})
    assert response.headers["Location"] == "/admin/orders/"
    client.post("/admin/logout/", data={"csrf_token": csrf_token(client, "/admin/")})
    token = csrf_token(client, "/admin/login/")
    response = client.post(
        "/admin/login/", data={**data, "csrf_token": token, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/admin/"


def test_session_cookie_is_httponly_lax_and_limited_to_the_console(client, staff):
    response = console_login(client, staff.email)
    cookie = response.headers["Set-Cookie"]
    assert "sokoni_console=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/admin" in cookie


def test_logout_needs_its_csrf_token_and_ends_the_session(staff_client):
    staff_client.post("/admin/logout/", data={})
    assert staff_client.get("/admin/").status_code == 200  # a forged logout does nothing
    token = csrf_token(staff_client, "/admin/")
    assert staff_client.post("/admin/logout/", data={"csrf_token": token}).status_code == 302
    assert staff_client.get("/admin/").status_code == 302


def test_deactivated_or_demoted_staff_are_locked_out_at_once(staff_client, staff):
    user = db.session.get(User, staff.id)
    user.role = "customer"
    db.session.commit()
    assert staff_client.get("/admin/orders/").status_code == 302


def test_a_password_change_ends_console_sessions(staff_client, staff):
    user = db.session.get(User, staff.id)
    user.token_epoch += 1
    db.session.commit()
    assert staff_client.get("/admin/").status_code == 302


def test_login_is_rate_limited(app, client):
    user = UserFactory(email="slow@example.com", role="staff")
    statuses = [console_login(client, user.email, "wrong-password").status_code for _ in range(11)]
    assert statuses[-1] == 429
    assert "Too many sign-in attempts" in console_login(client, user.email).get_data(as_text=True)


def test_console_pages_are_html_with_the_page_policy(staff_client):
    response = staff_client.get("/admin/")
    assert response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/admin/orders/details/?id=abc", "/admin/payments/details/?id=1e3"])
def test_a_malformed_id_is_no_such_record_not_an_error(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code == 302
    assert "does not exist" in staff_client.get(response.headers["Location"]).get_data(as_text=True)


def test_list_actions_ignore_malformed_ids(admin_client):
    token = csrf_token(admin_client, "/admin/users/")
    data = {"action": "deactivate", "rowid": ["1 or 1=1", "x"], "csrf_token": token}
    assert admin_client.post("/admin/users/action/", data=data).status_code == 302


def test_console_errors_are_pages_and_the_api_keeps_its_envelope(staff_client, client, monkeypatch):
    def broken(*_args):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(dashboard, "figures", broken)
    response = staff_client.get("/admin/")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Request id" in response.get_data(as_text=True)
    assert "database on fire" not in response.get_data(as_text=True)
    api = client.get("/api/nope/")
    assert api.status_code == 404
    assert api.json["error"]["code"] == "not_found"


def test_production_sends_the_console_cookie_over_https_only():
    assert Production.SESSION_COOKIE_SECURE is True
    assert Production.SESSION_COOKIE_HTTPONLY is True
    assert Production.SESSION_COOKIE_SAMESITE == "Lax"
