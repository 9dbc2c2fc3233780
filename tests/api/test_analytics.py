"""Analytics against a fixed data set whose figures are computed by hand below.

The week of Monday 2 March 2026 (UTC), reported with ``from=2026-03-02&to=2026-03-08``:

======  ========  ==================  =========  ==================================  ====
order   currency  status              total      lines (product: units, total)        day
======  ========  ==================  =========  ==================================  ====
O1      NGN       delivered           1,000,000  P1: 2, 800,000 · P2: 1, 200,000      03-02 10:00
O2      NGN       paid                  500,000  P2: 5, 500,000                       03-02 23:59:59
O3      NGN       partially_refunded    300,000  P1: 1, 300,000 (160,000 refunded)    03-04
O4      USD       completed               5,000  P1: 1, 5,000                         03-04
O5      USD       refunded                2,000  P2: 2, 2,000 (all refunded)          03-05
O6      NGN       cancelled             900,000  not a sale                           03-03
O7      NGN       expired               400,000  not a sale                           03-05
O8      NGN       pending_payment       100,000  not a sale                           03-05
O9/O10  NGN       delivered             700,000  outside the range (03-09 00:00, 03-01 23:59:59)
======  ========  ==================  =========  ==================================  ====

One USD buys 1,600 NGN (as of 1 January; a later rate of 2,000 is published after the range).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.cart.models import Cart
from app.extensions import cache, db
from app.orders.models import OrderItem
from app.payments.models import ExchangeRate, Refund
from tests.factories import OrderFactory, PaymentFactory, ProductFactory, UserFactory, VariantFactory

RANGE = "from=2026-03-02&to=2026-03-08"


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency}


def order(status, currency, total, created_at, lines=()):
    items = [
        OrderItem(
            product_id=product.id,
            product_name=product.name,
            product_slug=product.slug,
            sku=f"SKU-P{product.id}",
            quantity=quantity,
            unit_price=line_total // quantity,
            total=line_total,
        )
        for product, quantity, line_total in lines
    ]
    return OrderFactory(
        status=status, currency=currency, subtotal=total, total=total, created_at=created_at, items=items
    )


def pay(order_, gateway, status, created_at, seconds=None, method="card", **fields):
    completed = created_at + timedelta(seconds=seconds) if seconds is not None else None
    return PaymentFactory(
        order=order_,
        gateway=gateway,
        method=method,
        status=status,
        created_at=created_at,
        completed_at=completed,
        **fields,
    )


def refund(payment, amount, created_at, status="succeeded"):
    db.session.add(
        Refund(
            reference=f"RF-{payment.id}-{amount}",
            payment_id=payment.id,
            amount=amount,
            currency=payment.currency,
            status=status,
            reason="Damaged in transit",
            created_at=created_at,
        )
    )
    db.session.commit()


@pytest.fixture
def shop():
    """The data set of the module docstring; returns the two products."""
    p1, p2 = ProductFactory(name="Kitenge"), ProductFactory(name="Shea butter")
    for created_at in (at(3), at(8, 23, 59, 59), at(9, 0)):  # two new customers in the range
        UserFactory(created_at=created_at)
    o1 = order("delivered", "NGN", 1_000_000, at(2, 10), [(p1, 2, 800_000), (p2, 1, 200_000)])
    o2 = order("paid", "NGN", 500_000, at(2, 23, 59, 59), [(p2, 5, 500_000)])
    o3 = order("partially_refunded", "NGN", 300_000, at(4), [(p1, 1, 300_000)])
    o4 = order("completed", "USD", 5_000, at(4), [(p1, 1, 5_000)])
    o5 = order("refunded", "USD", 2_000, at(5), [(p2, 2, 2_000)])
    order("cancelled", "NGN", 900_000, at(3), [(p1, 9, 900_000)])
    order("expired", "NGN", 400_000, at(5), [(p2, 4, 400_000)])
    o8 = order("pending_payment", "NGN", 100_000, at(5), [(p2, 1, 100_000)])
    order("delivered", "NGN", 700_000, at(9, 0), [(p1, 7, 700_000)])
    order("delivered", "NGN", 700_000, at(1, 23, 59, 59), [(p1, 7, 700_000)])

    pay(o1, "paystack", "succeeded", at(2, 10), seconds=60)
    pay(o2, "paystack", "failed", at(2, 23))
    pay(o2, "paystack", "succeeded", at(3, 9), seconds=180)
    flutterwave = pay(o3, "flutterwave", "partially_refunded", at(4), seconds=120)
    pay(o4, "stripe", "succeeded", at(4), seconds=30)
    stripe = pay(o5, "stripe", "refunded", at(5), seconds=90)
    pay(o8, "stripe", "pending", at(5))
    refund(flutterwave, 160_000, at(6))
    refund(stripe, 2_000, at(7))
    refund(stripe, 1, at(7), status="failed")

    for day in range(2, 9):  # ten carts in the range, one before it
        for _ in range(2 if day in (2, 3, 4) else 1):
            db.session.add(
                Cart(
                    user_id=UserFactory(created_at=at(1)).id,
                    currency="NGN",
                    status="checked_out",
                    created_at=at(day),
                )
            )
    db.session.add(
        Cart(user_id=UserFactory(created_at=at(1)).id, currency="NGN", status="open", created_at=at(1))
    )
    db.session.add_all(
        [
            ExchangeRate(base="USD", quote="NGN", rate=Decimal(1600), as_of=at(1, month=1)),
            ExchangeRate(base="USD", quote="NGN", rate=Decimal(2000), as_of=at(1, month=6)),
        ]
    )
    db.session.commit()
    return p1, p2


@pytest.fixture
def staff_headers(staff, auth_headers):
    return auth_headers(staff)


def get(client, headers, path):
    response = client.get(f"/api/analytics/{path}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_summary_per_currency_and_converted(client, shop, staff_headers):
    body = get(client, staff_headers, f"summary/?{RANGE}")

    assert body["from"] == "2026-03-02"
    assert body["to"] == "2026-03-08"
    assert body["orders"] == 5
    assert body["new_customers"] == 2  # the staff member and the cart owners joined outside the range
    assert body["carts"] == 10
    assert body["conversion"] == 0.5
    assert body["currencies"] == [
        {
            "currency": "NGN",
            "orders": 3,
            "gross": money(1_800_000, "NGN"),
            "refunds": money(160_000, "NGN"),
            "revenue": money(1_640_000, "NGN"),
            "average_order_value": money(600_000, "NGN"),
        },
        {
            "currency": "USD",
            "orders": 2,
            "gross": money(7_000, "USD"),
            "refunds": money(2_000, "USD"),
            "revenue": money(5_000, "USD"),
            "average_order_value": money(3_500, "USD"),
        },
    ]
    # NGN at 1,600 a dollar: 18,000 → $11.25, 1,600 → $1.00, 16,400 → $10.25.
    assert body["converted"] == {
        "currency": "USD",
        "gross": money(1_125 + 7_000, "USD"),
        "refunds": money(100 + 2_000, "USD"),
        "revenue": money(1_025 + 5_000, "USD"),
        "average_order_value": money(1_625, "USD"),
    }


def test_summary_in_another_reporting_currency_and_without_a_rate(client, shop, staff_headers):
    body = get(client, staff_headers, f"summary/?{RANGE}&currency=NGN")
    assert body["converted"]["revenue"] == money(1_640_000 + 5_000 * 1_600, "NGN")

    assert get(client, staff_headers, f"summary/?{RANGE}&currency=KES")["converted"] is None


def test_empty_range(client, shop, staff_headers):
    body = get(client, staff_headers, "summary/?from=2025-01-01&to=2025-01-31")
    assert (body["orders"], body["carts"], body["conversion"], body["currencies"]) == (0, 0, None, [])
    assert body["converted"]["gross"] == money(0, "USD")


def test_sales_per_day_are_zero_filled(client, shop, staff_headers):
    body = get(client, staff_headers, f"sales/?interval=day&{RANGE}")

    ngn, usd = body["series"]
    days = [f"2026-03-0{day}" for day in range(2, 9)]
    assert [point["period"] for point in ngn["points"]] == days
    assert [(p["orders"], p["revenue"]["amount"]) for p in ngn["points"]] == [
        (2, 1_500_000), (0, 0), (1, 140_000), (0, 0), (0, 0), (0, 0), (0, 0),
    ]  # fmt: skip
    assert usd["currency"] == "USD"
    assert {p["revenue"]["currency"] for p in usd["points"]} == {"USD"}
    assert [(p["orders"], p["revenue"]["amount"]) for p in usd["points"]] == [
        (0, 0), (0, 0), (1, 5_000), (1, 0), (0, 0), (0, 0), (0, 0),
    ]  # fmt: skip


def test_sales_per_week_and_month(client, shop, staff_headers):
    week = get(client, staff_headers, f"sales/?interval=week&{RANGE}")["series"][0]["points"]
    assert week == [{"period": "2026-03-02", "orders": 3, "revenue": money(1_640_000, "NGN")}]

    month = get(client, staff_headers, "sales/?interval=month&from=2026-02-20&to=2026-03-31")["series"][0]
    assert [(p["period"], p["orders"], p["revenue"]["amount"]) for p in month["points"]] == [
        ("2026-02-01", 0, 0),
        ("2026-03-01", 5, 1_640_000 + 2 * 700_000),  # O9 and O10 are in March too
    ]


def test_top_products_by_units_and_by_revenue(client, shop, staff_headers):
    p1, p2 = shop
    by_units = get(client, staff_headers, f"top-products/?by=units&{RANGE}")["products"]
    assert [(p["product_id"], p["name"], p["units"]) for p in by_units] == [
        (p2.id, "Shea butter", 6),
        (p1.id, "Kitenge", 4),
    ]

    by_revenue = get(client, staff_headers, f"top-products/?by=revenue&limit=1&{RANGE}")["products"]
    assert by_revenue == [
        {
            "product_id": p1.id,
            "name": "Kitenge",
            "units": 4,
            "revenue": [money(1_100_000, "NGN"), money(5_000, "USD")],
            "converted_revenue": money(688 + 5_000, "USD"),  # 11,000 NGN is $6.875, rounded half-up
        }
    ]


def test_payments_per_gateway_and_method(client, shop, staff_headers):
    body = get(client, staff_headers, f"payments/?{RANGE}")

    assert body["methods"] == [
        {
            "gateway": "flutterwave", "method": "card", "attempts": 1, "succeeded": 1, "open": 0,
            "success_rate": 1.0, "volume": [money(300_000, "NGN")], "median_seconds_to_success": 120.0,
        },
        {
            "gateway": "paystack", "method": "card", "attempts": 3, "succeeded": 2, "open": 0,
            "success_rate": pytest.approx(2 / 3), "volume": [money(1_500_000, "NGN")],
            "median_seconds_to_success": 120.0,
        },
        {
            "gateway": "stripe", "method": "card", "attempts": 3, "succeeded": 2, "open": 1,
            "success_rate": 1.0, "volume": [money(7_000, "USD")], "median_seconds_to_success": 60.0,
        },
    ]  # fmt: skip
    assert body["refunds"] == [
        {"gateway": "flutterwave", "count": 1, "amount": [money(160_000, "NGN")]},
        {"gateway": "stripe", "count": 1, "amount": [money(2_000, "USD")]},
    ]


def test_low_stock(client, staff_headers):
    for sku, stock in (("A", 0), ("B", 3), ("C", 5), ("D", 6)):
        VariantFactory(sku=sku, stock_on_hand=stock)
    VariantFactory(sku="E", stock_on_hand=1, is_active=False)

    body = get(client, staff_headers, "low-stock/")
    assert body["threshold"] == 5
    assert [(v["sku"], v["stock"]) for v in body["variants"]] == [("A", 0), ("B", 3), ("C", 5)]
    assert [v["sku"] for v in get(client, staff_headers, "low-stock/?threshold=3&limit=1")["variants"]] == [
        "A"
    ]


@pytest.mark.parametrize("path", ["summary/", "sales/", "top-products/", "payments/", "low-stock/"])
def test_staff_only(client, customer, auth_headers, path):
    assert client.get(f"/api/analytics/{path}").status_code == 401
    assert client.get(f"/api/analytics/{path}", headers=auth_headers(customer)).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "sales/?from=2026-03-08&to=2026-03-02",
        "sales/?interval=year",
        "summary/?from=2020-01-01&to=2026-01-01",
        "summary/?currency=XYZ",
        "top-products/?by=price",
        "top-products/?limit=0",
        "low-stock/?threshold=-1",
        "payments/?from=1999-12-31",
    ],
)
def test_invalid_parameters(client, staff_headers, query):
    response = client.get(f"/api/analytics/{query}", headers=staff_headers)
    assert response.status_code == 422, response.json


def test_default_range_is_the_last_days_up_to_today(client, app, staff_headers):
    body = get(client, staff_headers, "summary/")
    today = datetime.now(UTC).date()
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - timedelta(days=app.config["ANALYTICS_DEFAULT_DAYS"] - 1)).isoformat()


def test_reports_are_cached_per_parameters(client, shop, staff_headers, count_queries):
    first = get(client, staff_headers, f"summary/?{RANGE}")
    order("delivered", "NGN", 50_000, at(6))  # a sale the cached report does not see yet

    with count_queries() as counter:
        assert get(client, staff_headers, f"summary/?{RANGE}") == first
    assert not [sql for sql in counter.statements if "orders" in sql]

    with count_queries() as counter:
        other = get(client, staff_headers, f"summary/?{RANGE}&currency=NGN")
    assert [sql for sql in counter.statements if "orders" in sql]
    assert other["orders"] == 6


def test_every_report_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").json
    for path in ("summary", "sales", "top-products", "payments", "low-stock"):
        operation = spec["paths"][f"/api/analytics/{path}/"]["get"]
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "401", "403", "422"} <= set(operation["responses"])
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert spec["components"]["schemas"][schema.rsplit("/", 1)[1]]["required"]
    sales = {p["name"]: p["schema"] for p in spec["paths"]["/api/analytics/sales/"]["get"]["parameters"]}
    assert sales["interval"]["enum"] == ["day", "week", "month"]
    assert sales["from"]["format"] == "date"


def test_top_products_look_each_rate_up_once(client, shop, staff_headers, count_queries):
    for number in range(5):
        product = ProductFactory(name=f"Extra {number}")
        order("delivered", "NGN", 1_000, at(6), [(product, 1, 1_000)])

    with count_queries() as counter:
        products = get(client, staff_headers, f"top-products/?by=revenue&limit=100&{RANGE}")["products"]
    assert len(products) == 7
    # One lookup of NGN→USD for all seven products: the direct rate (none), then the inverse.
    assert len([sql for sql in counter.statements if "exchange_rates" in sql]) == 2


def test_reports_are_served_when_the_cache_is_down(client, shop, staff_headers, monkeypatch):
    def down(*_args, **_kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", down)
    assert get(client, staff_headers, f"summary/?{RANGE}")["orders"] == 5
    monkeypatch.undo()
    monkeypatch.setattr(cache, "set", down)
    assert get(client, staff_headers, f"summary/?{RANGE}")["orders"] == 5
