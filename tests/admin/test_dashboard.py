"""The dashboard's figures (shop-local days, revenue per currency) and its self-served charts."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.admin import dashboard
from app.admin.formatting import format_money
from app.core.models import utcnow
from tests.admin.conftest import make_order
from tests.api.payments_helpers import pay, place_order
from tests.factories import ProductFactory, VariantFactory

STATIC = Path(__file__).resolve().parents[2] / "app" / "admin" / "static"


def test_today_starts_at_midnight_in_the_shop_time_zone(app):
    # 23:30 UTC on the 24th is already 00:30 on the 25th in Lagos (UTC+1).
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert dashboard.shop_today(now).isoformat() == "2026-11-25"
    assert dashboard.shop_midnight(dashboard.shop_today(now)) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)


def test_revenue_counts_paid_orders_per_currency(app, customer):
    make_order(customer, status="paid", total=1_000_000)
    make_order(customer, status="completed", total=250_000)
    make_order(customer, status="pending_payment", total=999_999)
    make_order(customer, status="cancelled", total=777_777)
    make_order(customer, status="collected", total=45_000, currency="UGX", country="UG")
    make_order(customer, status="paid", total=5_000_000, created_at=utcnow() - timedelta(days=40))
    figures = dashboard.figures()
    assert figures["today"].orders == 5
    assert figures["today"].revenue == {"NGN": 1_250_000, "UGX": 45_000}
    assert figures["today"].revenue_text == ["₦12,500.00", "USh 45,000"]
    sales = figures["sales"]
    assert len(sales["labels"]) == 30
    assert sales["labels"][-1] == dashboard.shop_today().isoformat()
    assert sales["orders"][-1] == 5
    assert sales["revenue"]["NGN"][-1] == 12_500.0
    assert sales["revenue"]["UGX"][-1] == 45_000.0


def test_low_stock_lists_active_variants_at_or_under_the_threshold(app):
    product = ProductFactory(name="Ankara tote")
    VariantFactory(product=product, sku="TOTE-LOW", stock_on_hand=2)
    VariantFactory(product=product, sku="TOTE-OK", stock_on_hand=50)
    rows = dashboard.low_stock()
    assert [row["sku"] for row in rows] == ["TOTE-LOW"]


def test_dashboard_page_shows_the_figures_and_chart_data(staff_client, customer):
    make_order(customer, status="paid", total=1_250_000)
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert "₦12,500.00" in page
    assert 'id="sales-chart"' in page
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S)[1])
    assert data["sales"]["revenue"]["NGN"][-1] == 12_500.0
    assert "/admin/assets/vendor/chartjs/chart.umd.min.js" in page


def test_the_chart_library_is_served_by_sokoni_with_its_licence(staff_client):
    response = staff_client.get("/admin/assets/vendor/chartjs/chart.umd.min.js")
    assert response.status_code == 200
    assert "javascript" in response.mimetype
    assert "MIT" in (STATIC / "vendor" / "chartjs" / "LICENSE.md").read_text()
    assert staff_client.get("/admin/assets/dashboard.js").status_code == 200


def test_payments_by_gateway_with_success_rates(staff_client, paid_payment, customer, auth_headers):
    headers = auth_headers(customer)
    pay(staff_client, headers, place_order(staff_client, customer, headers)["number"], gateway="sandbox")
    (row,) = dashboard.figures()["payments"]
    assert (row["gateway"], row["attempts"], row["succeeded"], row["open"]) == ("sandbox", 2, 1, 1)
    assert row["success_rate"] == 1.0
    total = paid_payment[0]["total"]
    assert row["received_text"] == [format_money(total["amount"], total["currency"])]
    page = staff_client.get("/admin/").get_data(as_text=True)
    assert 'id="payment-mix-chart"' in page
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S)[1])
    assert data["payment_mix"] == {"labels": ["sandbox"], "counts": [1]}
