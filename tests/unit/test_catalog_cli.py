"""``flask cache warm | clear | stats``."""

from __future__ import annotations

from tests.factories import CategoryFactory, CollectionFactory, VariantFactory


def test_warm_fills_the_cache_that_live_requests_then_hit(app, client, count_queries):
    category = CategoryFactory(name="Phones")
    prices = {"NGN": 100_000, "KES": 9_000}
    variant = VariantFactory(product__name="Tecno Spark", product__category=category, prices=prices)
    CollectionFactory(name="Featured", products=[variant.product])
    runner = app.test_cli_runner()
    warmed = runner.invoke(args=["cache", "warm"])
    assert warmed.exit_code == 0, warmed.output
    assert "Warmed" in warmed.output
    urls = ["/api/products/", "/api/products/?category=phones", "/api/products/tecno-spark/"]
    urls += ["/api/collections/", "/api/categories/"]
    with count_queries() as counter:
        for url in urls:
            assert client.get(url).status_code == 200
    assert counter.count == 0
    with count_queries() as counter:
        client.get("/api/products/?currency=KES")
    assert counter.count > 0  # other currencies only with --all
    everything = runner.invoke(args=["cache", "warm", "--all"])
    assert everything.exit_code == 0
    with count_queries() as counter:
        client.get("/api/products/tecno-spark/?currency=KES")
    assert counter.count == 0


def test_stats_and_clear(app, client):
    VariantFactory()
    client.get("/api/products/")
    client.get("/api/products/")
    runner = app.test_cli_runner()
    stats = runner.invoke(args=["cache", "stats"])
    assert "hits: 1  misses: 1  hit rate: 50.0%" in stats.output
    cleared = runner.invoke(args=["cache", "clear"])
    assert cleared.exit_code == 0
    assert "Deleted" in cleared.output
    assert "hits: 0  misses: 0" in runner.invoke(args=["cache", "stats"]).output
