"""Console fixtures: signing in through the login page, and reading CSRF tokens from forms."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.factories import DEFAULT_PASSWORD

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the first form on ``url`` (the session keeps it valid)."""
    page = client.get(url)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match[1]


def console_login(client: FlaskClient, email: str, password: str = DEFAULT_PASSWORD):
    token = csrf_token(client, "/admin/login/")
    return client.post("/admin/login/", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def staff_client(client: FlaskClient, staff) -> FlaskClient:
    assert console_login(client, staff.email).status_code == 302
    return client


@pytest.fixture
def admin_client(client: FlaskClient, admin) -> FlaskClient:
    assert console_login(client, admin.email).status_code == 302
    return client


def post_form(client: FlaskClient, form_page: str, url: str, data: dict, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of ``form_page``."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_page)}, **kwargs)
