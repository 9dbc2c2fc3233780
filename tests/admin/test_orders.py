"""Order actions in the console: only allowed transitions are offered, every change goes
through ``app.orders.services``, and illegal or forged requests change nothing."""

from __future__ import annotations

import pytest

from app.admin.views.orders import OrderView, PaidThrough
from app.extensions import admin, db
from app.orders import services as order_services
from app.orders.models import Order
from app.wishlist.models import WishlistItem
from tests.admin.conftest import csrf_token, make_order, pickup_order
from tests.factories import ProductFactory


def details(client, order) -> str:
    response = client.get(f"/admin/orders/details/?id={order.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_status(client, order, target, note="by the console"):
    token = csrf_token(client, f"/admin/orders/details/?id={order.id}")
    data = {"number": order.number, "target": target, "note": note, "csrf_token": token}
    return client.post("/admin/orders/status/", data=data)


def status_of(order) -> str:
    db.session.expire_all()
    return db.session.get(Order, order.id).status


def test_list_shows_money_in_its_currency_and_searches_by_email(staff_client, customer):
    make_order(customer, total=1_250_000, currency="NGN")
    make_order(customer, total=45_000, currency="UGX", country="UG")
    make_order(customer, total=1_250, currency="KWD", country="KW")
    page = staff_client.get("/admin/orders/").get_data(as_text=True)
    assert "₦12,500.00" in page
    assert "USh 45,000" in page
    assert "KWD 1.250" in page
    found = staff_client.get("/admin/orders/?search=ada@example").get_data(as_text=True)
    assert found.count("ada@example.com") >= 3
    assert "ada@example.com" not in staff_client.get("/admin/orders/?search=nobody").get_data(as_text=True)


def test_details_offer_only_the_allowed_manual_transitions(staff_client, customer):
    order = make_order(customer, status="paid")
    page = details(staff_client, order)
    for offered in ("processing", "ready_for_pickup", "cancelled"):
        assert f'value="{offered}"' in page
    for withheld in ("refunded", "partially_refunded", "shipped", "collected", "expired"):
        assert f'value="{withheld}"' not in page


def test_changing_status_calls_the_service(staff_client, customer, staff, monkeypatch):
    order = make_order(customer, status="paid")
    calls = []
    real = order_services.change_status
    monkeypatch.setattr(order_services, "change_status", lambda *a, **k: calls.append(a) or real(*a, **k))
    response = post_status(staff_client, order, "processing")
    assert response.status_code == 302
    assert calls
    assert calls[0][0].id == staff.id
    assert calls[0][1:3] == (order.number, "processing")
    assert status_of(order) == "processing"
    events = db.session.get(Order, order.id).events
    assert events[-1].actor_id == staff.id
    assert events[-1].note == "by the console"


@pytest.mark.parametrize(
    ("status", "target", "message"),
    [
        ("paid", "delivered", "cannot go from paid to delivered"),
        ("pending_payment", "paid", "set by the payment flow"),
        ("ready_for_pickup", "collected", "Confirm a collection with its code"),
        ("cancelled", "processing", "cannot go from cancelled"),
    ],
)
def test_illegal_transitions_are_refused(staff_client, customer, status, target, message):
    order = make_order(customer, status=status)
    response = post_status(staff_client, order, target)
    assert response.status_code == 302
    assert status_of(order) == status
    assert message in details(staff_client, order)


def test_status_change_without_csrf_token_is_refused(staff_client, customer):
    order = make_order(customer, status="paid")
    response = staff_client.post(
        "/admin/orders/status/", data={"number": order.number, "target": "processing"}
    )
    assert response.status_code == 302
    assert status_of(order) == "paid"
    assert "not accepted" in details(staff_client, order)


def test_customers_cannot_post_actions(client, customer):
    order = make_order(customer, status="paid")
    response = client.post("/admin/orders/status/", data={"number": order.number, "target": "cancelled"})
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]
    assert status_of(order) == "paid"


def test_confirm_collection_with_the_customers_code(staff_client, customer):
    order, code = pickup_order(customer)
    page = details(staff_client, order)
    assert "Confirm collection" in page
    token = csrf_token(staff_client, f"/admin/orders/details/?id={order.id}")
    wrong = staff_client.post(
        "/admin/orders/collect/", data={"number": order.number, "code": "000000", "csrf_token": token}
    )
    assert wrong.status_code == 302
    assert status_of(order) == "ready_for_pickup"
    assert "does not match" in details(staff_client, order)
    token = csrf_token(staff_client, f"/admin/orders/details/?id={order.id}")
    staff_client.post(
        "/admin/orders/collect/", data={"number": order.number, "code": code, "csrf_token": token}
    )
    assert status_of(order) == "collected"


def test_collection_is_not_offered_for_address_orders(staff_client, customer):
    order = make_order(customer, status="paid")
    assert "Confirm collection" not in details(staff_client, order)


def test_order_money_is_read_only(staff_client, customer):
    order = make_order(customer)
    assert staff_client.get(f"/admin/orders/edit/?id={order.id}").status_code == 302
    assert staff_client.post(f"/admin/orders/edit/?id={order.id}", data={"total": "1"}).status_code == 302
    assert db.session.get(Order, order.id).total == 1_250_000


def test_wishlists_show_the_customer_and_the_product(staff_client, customer):
    db.session.add(WishlistItem(user_id=customer.id, product_id=ProductFactory(name="Kente scarf").id))
    db.session.commit()
    page = staff_client.get("/admin/wishlists/").get_data(as_text=True)
    assert "Kente scarf" in page
    assert customer.email in page


def test_orders_are_found_by_phone_and_filtered_by_gateway(staff_client, customer, paid_payment):
    db.session.get(type(customer), customer.id).profile.phone = "+2348031234567"
    db.session.commit()
    paid_number = paid_payment[0]["number"]
    unpaid = make_order(customer, status="pending_payment")
    found = staff_client.get("/admin/orders/?search=8031234567").get_data(as_text=True)
    assert paid_number in found
    assert unpaid.number in found
    view = next(view for view in admin._views if isinstance(view, OrderView))
    arg = next(key for key, (_index, flt) in view._filter_args.items() if isinstance(flt, PaidThrough))
    through_sandbox = staff_client.get(f"/admin/orders/?flt0_{arg}=sandbox").get_data(as_text=True)
    assert paid_number in through_sandbox
    assert unpaid.number not in through_sandbox
