"""Staff list of payments: filters, the fraud decision, refunds and the transaction log."""

from __future__ import annotations

import json

from tests.api.payments_helpers import deliver, pay, place_order, sandbox_webhook
from tests.factories import UserFactory


def test_staff_list_payments_with_their_transaction_log(
    app, client, payer, payment_gateways, staff, auth_headers
):
    user, headers = payer
    paid_order = place_order(client, user, headers)
    paid = pay(client, headers, paid_order["number"], gateway="sandbox").json["reference"]
    deliver(client, "sandbox", *sandbox_webhook(app, paid))
    open_order = place_order(client, user, headers)
    pending = pay(client, headers, open_order["number"], gateway="sandbox").json["reference"]
    staff_headers = auth_headers(staff)

    listing = client.get("/api/admin/payments/", headers=staff_headers)
    assert listing.status_code == 200
    assert [p["reference"] for p in listing.json] == [pending, paid]
    assert json.loads(listing.headers["X-Pagination"])["total"] == 2
    first = listing.json[1]
    assert first["customer"] == user.email
    assert first["fraud"]["decision"] == "allow"
    assert [(t["kind"], t["outcome"]) for t in first["transactions"]] == [
        ("initialize", "ok"),
        ("webhook", "succeeded"),
    ]
    assert first["transactions"][0]["latency_ms"] >= 0

    by_status = client.get("/api/admin/payments/?status=succeeded", headers=staff_headers).json
    assert [p["reference"] for p in by_status] == [paid]
    by_order = client.get(f"/api/admin/payments/?order={open_order['number']}", headers=staff_headers).json
    assert [p["reference"] for p in by_order] == [pending]
    assert client.get("/api/admin/payments/?flagged=true", headers=staff_headers).json == []
    by_email = client.get("/api/admin/payments/?email=ADA@", headers=staff_headers).json
    assert len(by_email) == 2
    detail = client.get(f"/api/admin/payments/{paid}/", headers=staff_headers)
    assert detail.status_code == 200
    assert detail.json["status"] == "succeeded"


def test_customers_cannot_list_payments(client, auth_headers):
    headers = auth_headers(UserFactory())
    assert client.get("/api/admin/payments/", headers=headers).status_code == 403
    assert client.get("/api/admin/payments/PAY-X/", headers=headers).status_code == 403


def test_the_list_takes_a_constant_number_of_queries(
    app, client, payer, payment_gateways, staff, auth_headers, count_queries
):
    user, headers = payer
    staff_headers = auth_headers(staff)

    def listed() -> int:
        with count_queries() as counter:
            assert client.get("/api/admin/payments/", headers=staff_headers).status_code == 200
        return counter.count

    pay(client, headers, place_order(client, user, headers)["number"], gateway="sandbox")
    one = listed()
    for _ in range(3):
        pay(client, headers, place_order(client, user, headers)["number"], gateway="sandbox")
    assert listed() == one
