"""``flask seed`` builds the demo catalog once, and ``--products N`` a benchmark catalog."""

from __future__ import annotations

import json

from app.extensions import db
from app.products.demo import local_prices
from app.products.models import Collection, Product, Promotion, VariantPrice


def count(model) -> int:
    return db.session.query(model).count()


def test_local_prices_follow_each_currencys_exponent():
    assert local_prices(1999) == {"USD": 1999, "NGN": 3_000_000, "KES": 260_000, "GHS": 30_000, "UGX": 74_000}


def test_seed_is_idempotent_and_prices_in_five_currencies(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    products, promotions, collections = count(Product), count(Promotion), count(Collection)
    assert products >= 190
    assert (promotions, collections) == (3, 4)
    currencies = {c for (c,) in db.session.query(VariantPrice.currency).distinct()}
    assert currencies == {"NGN", "KES", "GHS", "UGX", "USD"}
    again = runner.invoke(args=["seed"])
    assert "0 products added" in again.output
    assert (count(Product), count(Promotion), count(Collection)) == (products, promotions, collections)
    listed = client.get("/api/products/?currency=UGX&category=fashion&sort=price")
    assert json.loads(listed.headers["X-Pagination"])["total"] > 20
    assert any(card["on_sale"] for card in listed.json)  # the running fashion sale
    assert [c["slug"] for c in client.get("/api/collections/").json][:2] == ["featured", "new-arrivals"]


def test_bulk_products_are_added_up_to_the_target_and_invalidate_the_cache(app, client):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed"])
    before = json.loads(client.get("/api/products/").headers["X-Pagination"])["total"]  # now cached
    result = runner.invoke(args=["seed", "--products", "30"])
    assert "30 products added" in result.output, result.output
    assert "0 products added (target 30)" in runner.invoke(args=["seed", "--products", "30"]).output
    assert json.loads(client.get("/api/products/").headers["X-Pagination"])["total"] == before + 30
