"""Console fixtures: signing in through the login page, and reading CSRF tokens from forms."""

from __future__ import annotations

import re
import uuid

import pytest
from flask.testing import FlaskClient

from app.core.models import utcnow
from app.delivery.collection_codes import new_collection_code
from app.extensions import db
from app.orders.models import Order
from tests.api.payments_helpers import GATEWAY_SETTINGS, deliver, pay, place_order, sandbox_webhook
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


def make_order(user, *, status="paid", total=1_250_000, currency="NGN", created_at=None, **fields) -> Order:
    """An order row as checkout leaves it (no cart run: the console only reads and moves it)."""
    order = Order(
        number=fields.pop("number", f"SK-A{uuid.uuid4().hex[:6].upper()}"),
        user_id=user.id,
        status=status,
        currency=currency,
        subtotal=total,
        total=total,
        delivery_type=fields.pop("delivery_type", "address"),
        country=fields.pop("country", "NG"),
        created_at=created_at or utcnow(),
        **fields,
    )
    db.session.add(order)
    db.session.commit()
    return order


def pickup_order(user, status="ready_for_pickup") -> tuple[Order, str]:
    """A bus-station order and the collection code its customer holds."""
    code, code_hash = new_collection_code()
    station = {"id": 1, "name": "Jibowu Park", "city": "Lagos"}
    order = make_order(
        user, status=status, delivery_type="bus_station", bus_station=station, collection_code_hash=code_hash
    )
    return order, code


@pytest.fixture
def payment_gateways(app, monkeypatch):
    """The built-in gateways enabled and configured (the sandbox settles locally)."""
    for name, value in GATEWAY_SETTINGS.items():
        monkeypatch.setitem(app.config, name, value)
    return app.config


@pytest.fixture
def pending_payment(client, customer, auth_headers, payment_gateways) -> tuple[dict, str]:
    """An order placed and a sandbox payment started for it: (order JSON, payment reference)."""
    headers = auth_headers(customer)
    order = place_order(client, customer, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    return order, reference


@pytest.fixture
def paid_payment(app, client, pending_payment) -> tuple[dict, str]:
    """The same, paid: the sandbox's signed webhook delivered and settled."""
    order, reference = pending_payment
    assert deliver(client, "sandbox", *sandbox_webhook(app, reference)).status_code == 200
    return order, reference
