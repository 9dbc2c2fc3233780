"""Payments in the console: refunds, re-verification and webhook retries go through the
payments services; admin-only sections stay admin-only; secrets are never shown."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.orders.models import Order
from app.payments.models import ExchangeRate, Payment, Refund, WebhookEvent
from app.payments.services import payment_service, refund_service
from tests.admin.conftest import csrf_token
from tests.api.payments_helpers import pay, payment_row, place_order, sandbox_webhook


def payment_page(client, reference: str) -> str:
    payment = payment_row(reference)
    return f"/admin/payments/details/?id={payment.id}"


def post_refund(client, reference, amount="", reason="Damaged in transit", key=None):
    page = payment_page(client, reference)
    html = client.get(page).get_data(as_text=True)
    token = csrf_token(client, page)
    key = key or html.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    data = {
        "reference": reference,
        "amount": amount,
        "reason": reason,
        "idempotency_key": key,
        "csrf_token": token,
    }
    return client.post("/admin/payments/refund/", data=data)


def order_status(number: str) -> str:
    db.session.expire_all()
    return db.session.scalar(db.select(Order.status).where(Order.number == number))


@pytest.mark.parametrize(
    "url", ["/admin/payments/", "/admin/refunds/", "/admin/webhooks/", "/admin/transactions/"]
)
def test_staff_see_payments_sections(staff_client, url):
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/rates/", "/admin/gateways/"])
def test_rates_and_gateway_settings_are_admin_only(client, staff_client, url):
    assert url not in staff_client.get("/admin/").get_data(as_text=True)
    assert staff_client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/admin/rates/", "/admin/gateways/"])
def test_admins_see_rates_and_gateway_settings(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_payment_details_show_money_and_the_transaction_log(staff_client, paid_payment):
    _order, reference = paid_payment
    page = staff_client.get(payment_page(staff_client, reference)).get_data(as_text=True)
    assert "₦" in page
    assert "Transactions" in page
    assert "webhook" in page
    assert 'id="payment-refund-form"' in page
    assert 'id="payment-reverify-form"' not in page
    assert "payment.succeeded — processed" in page  # the webhook that settled it
    order_page = staff_client.get(f"/admin/orders/details/?id={payment_row(reference).order_id}")
    assert reference in order_page.get_data(as_text=True)


def test_full_refund_goes_through_the_refund_service(staff_client, staff, paid_payment, monkeypatch):
    order, reference = paid_payment
    calls = []
    real = refund_service.create_refund
    monkeypatch.setattr(
        refund_service, "create_refund", lambda *a, **k: calls.append((a, k)) or real(*a, **k)
    )
    assert post_refund(staff_client, reference).status_code == 302
    ((args, kwargs),) = calls
    assert args == (db.session.get(type(staff), staff.id), reference)
    assert kwargs["amount"] is None
    assert kwargs["idempotency_key"].startswith("console:")
    assert payment_row(reference).status == "refunded"
    assert order_status(order["number"]) == "refunded"
    refund = db.session.scalar(db.select(Refund))
    assert refund.created_by_id == staff.id
    assert refund.reason == "Damaged in transit"


def test_partial_refund_in_major_units_and_not_a_unit_more(staff_client, paid_payment):
    order, reference = paid_payment
    total = order["total"]["amount"]
    post_refund(staff_client, reference, amount="500.00")
    payment = payment_row(reference)
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", 50_000)
    too_much = f"{(total - 50_000 + 1) / 100:.2f}"
    post_refund(staff_client, reference, amount=too_much)
    assert payment_row(reference).amount_refunded == 50_000
    page = staff_client.get(payment_page(staff_client, reference)).get_data(as_text=True)
    assert "refund" in page.lower()
    assert "₦" in page
    post_refund(staff_client, reference, amount="abc")
    assert payment_row(reference).amount_refunded == 50_000


def test_a_resubmitted_refund_form_refunds_once(staff_client, paid_payment):
    _order, reference = paid_payment
    post_refund(staff_client, reference, amount="100.00", key="console:same-form")
    post_refund(staff_client, reference, amount="100.00", key="console:same-form")
    assert payment_row(reference).amount_refunded == 10_000


def test_refund_without_csrf_token_is_refused(staff_client, paid_payment):
    _order, reference = paid_payment
    data = {"reference": reference, "reason": "x", "idempotency_key": "console:x"}
    assert staff_client.post("/admin/payments/refund/", data=data).status_code == 302
    assert payment_row(reference).amount_refunded == 0


def test_customers_cannot_refund(client, customer, paid_payment):
    _order, reference = paid_payment
    data = {"reference": reference, "reason": "x", "idempotency_key": "console:x"}
    response = client.post("/admin/payments/refund/", data=data)
    assert "/admin/login/" in response.headers["Location"]
    assert payment_row(reference).amount_refunded == 0


def test_an_unpaid_payment_offers_reverify_not_refund(staff_client, pending_payment, monkeypatch):
    _order, reference = pending_payment
    page = staff_client.get(payment_page(staff_client, reference)).get_data(as_text=True)
    assert 'id="payment-reverify-form"' in page
    assert 'id="payment-refund-form"' not in page
    calls = []
    real = payment_service.verify
    monkeypatch.setattr(payment_service, "verify", lambda *a: calls.append(a) or real(*a))
    token = csrf_token(staff_client, payment_page(staff_client, reference))
    staff_client.post("/admin/payments/reverify/", data={"reference": reference, "csrf_token": token})
    assert calls
    assert calls[0][1] == reference
    assert "is pending at the gateway" in staff_client.get(payment_page(staff_client, reference)).get_data(
        as_text=True
    )
    refused = post_refund(staff_client, reference, key="console:k")  # forged: no refund form was offered
    assert refused.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Refund.id))) == 0


def test_retrying_a_failed_webhook_settles_the_payment(app, staff_client, pending_payment):
    _order, reference = pending_payment
    body, _headers = sandbox_webhook(app, reference)
    event = WebhookEvent(
        gateway="sandbox", event_id="evt_retry", body=body.decode(), signature_valid=True, status="failed",
        error="ConnectionError: database restarted", attempts=1, reference=reference,
    )  # fmt: skip
    db.session.add(event)
    db.session.commit()
    token = csrf_token(staff_client, "/admin/webhooks/")
    staff_client.post(
        "/admin/webhooks/action/", data={"action": "retry", "rowid": [event.id], "csrf_token": token}
    )
    db.session.expire_all()
    assert db.session.get(WebhookEvent, event.id).status == "processed"
    assert db.session.scalar(db.select(Payment.status).where(Payment.reference == reference)) == "succeeded"


def test_only_failed_webhooks_are_retried(staff_client, paid_payment):
    processed = db.session.scalar(db.select(WebhookEvent))
    token = csrf_token(staff_client, "/admin/webhooks/")
    response = staff_client.post(
        "/admin/webhooks/action/", data={"action": "retry", "rowid": [processed.id], "csrf_token": token}
    )
    assert response.status_code == 302
    assert "only failed deliveries" in staff_client.get("/admin/webhooks/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(WebhookEvent, processed.id).attempts == 1


def test_gateway_settings_name_missing_settings_but_never_secrets(
    admin_client, payment_gateways, monkeypatch
):
    monkeypatch.setitem(payment_gateways, "PAYSTACK_SECRET_KEY", "")
    page = admin_client.get("/admin/gateways/").get_data(as_text=True)
    assert "sandbox" in page
    assert "missing PAYSTACK_SECRET_KEY" in page
    assert "test-sandbox-secret" not in page
    assert "sk_test_stripe" not in page


def test_admins_add_exchange_rates_through_the_currency_service(admin_client):
    token = csrf_token(admin_client, "/admin/rates/new/")
    data = {
        "base": "usd",
        "quote": "ngn",
        "rate": "1550.5",
        "as_of": "2026-11-25 09:00:00",
        "csrf_token": token,
    }
    admin_client.post("/admin/rates/new/", data=data)
    rate = db.session.scalar(db.select(ExchangeRate))
    assert (rate.base, rate.quote, str(rate.rate.normalize())) == ("USD", "NGN", "1550.5")
    assert rate.as_of.isoformat() == "2026-11-25T08:00:00+00:00"  # 09:00 in Lagos


@pytest.mark.parametrize(("decision", "status"), [("approve", "pending"), ("reject", "cancelled")])
def test_a_held_payment_is_approved_or_rejected_through_the_service(
    staff_client, client, customer, auth_headers, payment_gateways, monkeypatch, decision, status
):
    monkeypatch.setitem(payment_gateways, "PAYMENTS_FRAUD_REVIEW_SCORE", 0)  # hold every payment
    headers = auth_headers(customer)
    order = place_order(client, customer, headers)
    reference = pay(client, headers, order["number"], gateway="sandbox").json["reference"]
    assert payment_row(reference).status == "held"
    page = payment_page(staff_client, reference)
    assert 'id="payment-held-review"' in staff_client.get(page).get_data(as_text=True)
    token = csrf_token(staff_client, page)
    data = {"reference": reference, "decision": decision, "csrf_token": token}
    staff_client.post("/admin/payments/review/", data=data)
    assert payment_row(reference).status == status
    token = csrf_token(staff_client, page)
    staff_client.post("/admin/payments/review/", data={**data, "csrf_token": token})  # no longer held
    assert "not held" in staff_client.get(page).get_data(as_text=True)
