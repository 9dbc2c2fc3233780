"""The scenarios of issue 8, each a warm-up plus fixed-time repetitions; the median is reported."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from flask import Flask

from bench import fixtures
from bench.load import Measurement, median, median_of, wrk
from bench.report import SKIP, Row
from bench.stack import Server, query, scalar

OK_GET = frozenset({200})
OK_CONDITIONAL = frozenset({200, 304})
#: Checkout's business answers: added (201), emptied (204), sold out (409), empty cart (422).
OK_CHECKOUT = frozenset({200, 201, 204, 409, 422})
OK_WEBHOOK = frozenset({200})


@dataclass(frozen=True)
class Profile:
    """How long and how hard: the full run of issue 8, or CI's quick smoke test."""

    quick: bool
    warmup: float
    duration: float
    reps: int
    connections: int
    database: str
    products: int
    orders: int
    tiers: tuple[int, ...]
    webhooks_per_rep: int
    payments: int
    pool_stock: int = 1000
    hot_stock: int = 10
    only: tuple[str, ...] | None = None  # ``--only``: the scenarios to run; None: all of them

    def runs(self, scenario: str) -> bool:
        return self.only is None or scenario in self.only


FULL = Profile(False, 5, 15, 3, 32, "sokoni_bench", 10_000, 100_000, (1_000, 10_000, 100_000), 20_000, 300)
QUICK = Profile(True, 1, 3, 1, 32, "sokoni_bench_quick", 1_000, 2_000, (100, 1_000), 3_000, 20)


@dataclass
class Context:
    profile: Profile
    app: Flask
    workdir: Path
    baseline_rps: float | None = None
    tokens: list[str] = field(default_factory=list)

    def ratio(self, rps: float) -> float | None:
        return rps / self.baseline_rps if self.baseline_rps else None


def repeat(ctx: Context, server: Server, script: str, env: dict[str, str], **kw: int) -> list[Measurement]:
    """A discarded warm-up, then ``reps`` measured runs at fixed concurrency."""
    p = ctx.profile
    connections = kw.get("connections", p.connections)
    threads = kw.get("threads", 2)
    wrk(server.url, script, p.warmup, connections, threads, env)
    runs = [wrk(server.url, script, p.duration, connections, threads, env) for _ in range(p.reps)]
    server.sample_rss()
    return runs


def _row(ctx: Context, name: str, runs: list[Measurement], ok: frozenset[int]) -> tuple[Row, Measurement]:
    m = median_of(runs)
    errors = max(r.unexpected(ok) for r in runs)
    row = Row(name, m.rps, m.p50_ms, m.p99_ms, errors, ctx.ratio(m.rps))
    if errors:
        row.note = f"unexpected statuses {m.statuses}, socket errors {m.socket_errors}"
    return row, m


def _urls(ctx: Context, name: str, lines: list) -> dict[str, str]:
    return {"BENCH_URLS": str(fixtures.write_lines(ctx.workdir / f"{name}.txt", lines))}


def baseline(ctx: Context, server: Server) -> Row:
    runs = repeat(ctx, server, "urls", _urls(ctx, "health", ["/api/health/"]))
    row, m = _row(ctx, "baseline GET /api/health/", runs, OK_GET)
    ctx.baseline_rps = m.rps
    row.ratio, row.target = 1.0, "denominator"
    return row.judge(True, ctx.profile.quick)


def cached_list(ctx: Context, server: Server, urls: list[str]) -> Row:
    runs = repeat(ctx, server, "urls", _urls(ctx, "list", urls))
    row, _ = _row(ctx, f"cached catalog list ({len(urls)} URLs)", runs, OK_GET)
    row.target = ">=60% & p99<=25ms"
    return row.judge((row.ratio or 0) >= 0.60 and (row.p99_ms or 0) <= 25, ctx.profile.quick)


def uncached_list(ctx: Context, server: Server, urls: list[str]) -> Row:
    runs = repeat(ctx, server, "urls", _urls(ctx, "list-uncached", urls))
    row, _ = _row(ctx, "uncached catalog list (PostgreSQL)", runs, OK_GET)
    row.target = ">=25%"
    return row.judge((row.ratio or 0) >= 0.25, ctx.profile.quick)


def product_detail(ctx: Context, server: Server, paths: list[str]) -> Row:
    """Zipf-like popularity over every product; the hit rate covers the measured runs only.

    The warm-up first visits every product page once, as ``flask cache warm --all`` does
    at deploy time: otherwise a Zipf tail over 10k pages keeps ~10% of a minute's requests
    on never-seen pages (compulsory misses), which says nothing about the cache.
    """
    env = {**_urls(ctx, "detail", paths), "BENCH_PICK": "zipf", "BENCH_ZIPF_S": "1.0"}
    p = ctx.profile
    not_ok = fixtures.sweep(server.url, paths)
    wrk(server.url, "urls", p.warmup, p.connections, 2, env)
    hits0, misses0 = fixtures.cache_counts(ctx.app)
    runs = [wrk(server.url, "urls", p.duration, p.connections, 2, env) for _ in range(p.reps)]
    hits, misses = fixtures.cache_counts(ctx.app)
    server.sample_rss()
    hits, misses = hits - hits0, misses - misses0
    rate = hits / (hits + misses) if hits + misses else 0.0
    row, _ = _row(ctx, f"product detail (Zipf over {len(paths):,})", runs, OK_GET)
    row.target = "hit>=95% & >=60%"
    row.errors += not_ok
    row.note = f"cache hit rate {rate:.1%} ({hits:,} hits, {misses:,} misses after warming every page)"
    row.details = {"hit_rate": rate, "hits": hits, "misses": misses}
    return row.judge(rate >= 0.95 and (row.ratio or 0) >= 0.60, ctx.profile.quick)


def conditional_get(ctx: Context, server: Server, paths: list[str]) -> Row:
    """Clients revalidating what they hold: every request carries the current ETag."""
    pairs = fixtures.etags(server.url, paths)
    runs = repeat(ctx, server, "urls", _urls(ctx, "conditional", pairs))
    row, m = _row(ctx, "conditional GET (If-None-Match)", runs, OK_CONDITIONAL)
    rate = m.count(304) / m.requests if m.requests else 0.0
    row.target = ">=70%"
    row.note = f"304 rate {rate:.1%}"
    row.details = {"not_modified_rate": rate}
    return row.judge((row.ratio or 0) >= 0.70, ctx.profile.quick)


@dataclass(frozen=True)
class StockCheck:
    units_before: int
    units_after: int
    sold: int
    oversold: int  # units sold beyond what a variant had, or stock gone below zero

    @property
    def consistent(self) -> bool:
        return self.oversold == 0 and self.units_before - self.units_after == self.sold


def _stock(database: str, ids: list[int]) -> dict[int, int]:
    return dict(query(database, "SELECT id, stock_on_hand FROM product_variants WHERE id = ANY(%s)", (ids,)))


def _set_stock(database: str, ids: list[int], units: int) -> None:
    query(database, "UPDATE product_variants SET stock_on_hand = %s WHERE id = ANY(%s)", (units, ids))


def _csv(ids: list[int]) -> str:
    return ",".join(str(i) for i in ids)


def checkout(ctx: Context, server: Server, station: int, pool: list[int], hot: list[int]) -> Row:
    """Shoppers racing for stock; after each run the stock books must balance exactly."""
    p, db = ctx.profile, ctx.profile.database
    shoppers = fixtures.write_lines(ctx.workdir / "shoppers.txt", ctx.tokens[: p.connections])
    base = {
        "BENCH_SHOPPERS": str(shoppers),
        "BENCH_POOL": _csv(pool),
        "BENCH_HOT": _csv(hot),
        "BENCH_STATION": str(station),
    }
    every = pool + hot

    def one(seconds: float) -> tuple[Measurement, StockCheck]:
        _set_stock(db, pool, p.pool_stock)
        _set_stock(db, hot, p.hot_stock)
        before = _stock(db, every)
        marker = scalar(db, "SELECT coalesce(max(id), 0) FROM orders")
        env = {**base, "BENCH_NONCE": uuid.uuid4().hex[:10]}
        m = wrk(server.url, "checkout", seconds, p.connections, p.connections, env)
        _settle(db)
        books = query(
            db,  # one statement, one snapshot: stock left and units in this run's orders
            "SELECT v.id, v.stock_on_hand, (SELECT coalesce(sum(i.quantity), 0) FROM order_items i "
            "JOIN orders o ON o.id = i.order_id WHERE o.id > %s AND i.variant_id = v.id) "
            "FROM product_variants v WHERE v.id = ANY(%s)",
            (marker, every),
        )
        after = {vid: stock for vid, stock, _ in books}
        sold = {vid: int(units) for vid, _, units in books}
        oversold = sum(max(0, sold[v] - before[v]) + max(0, -after[v]) for v in every)
        return m, StockCheck(sum(before.values()), sum(after.values()), sum(sold.values()), oversold)

    one(p.warmup)
    results = [one(p.duration) for _ in range(p.reps)]
    server.sample_rss()
    runs = [m for m, _ in results]
    row, m = _row(ctx, "checkout (add 1-3 items, order)", runs, OK_CHECKOUT)
    orders_per_s = median([r.extra.get("orders", 0) / r.seconds for r in runs])
    bad = [check for _, check in results if not check.consistent]
    five_xx = sum(r.server_errors for r in runs)
    row.errors = max(row.errors, five_xx)
    row.target = ">=100 orders/s, 0 err, 0 oversold"
    oversold = sum(c.oversold for _, c in results)
    row.note = (
        f"{orders_per_s:.0f} orders/s; 5xx {five_xx}; oversold units {oversold}; stock books "
        + ("balance" if not bad else f"DO NOT balance: {bad}")
        + f" (e.g. {results[0][1].units_before - results[0][1].units_after} units taken = "
        f"{results[0][1].sold} units in new orders); sold-out refusals {m.extra.get('orders_refused', 0)}"
    )
    row.details = {
        "orders_per_s": orders_per_s,
        "server_errors": five_xx,
        "oversold_units": oversold,
        "stock_checks": [c.__dict__ for _, c in results],
    }
    return row.judge(orders_per_s >= 100, ctx.profile.quick, correct=not bad)


def _settle(db: str, quiet: float = 1.0, timeout: float = 60.0) -> None:
    """Wait until no order has been created for ``quiet`` seconds.

    wrk stops sending at the deadline, but the server still finishes the checkouts it
    was working on; reading the books before those commit would look like lost stock.
    """
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = scalar(db, "SELECT coalesce(max(id), 0) FROM orders")
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.2)


def webhook_available(server: Server) -> bool:
    """The endpoint answers an unsigned delivery with 401 (refused), not 404 (absent)."""
    response = requests.post(f"{server.url}/api/payments/webhooks/sandbox/", data=b"{}", timeout=10)
    return response.status_code in (400, 401)


def _backlog(db: str, marker: int) -> tuple[int, int]:
    """Deliveries of this run still waiting for the worker, and those it failed."""
    ((waiting, failed),) = query(
        db,
        "SELECT count(*) FILTER (WHERE status = 'received'), count(*) FILTER (WHERE status = 'failed') "
        "FROM webhook_events WHERE id > %s",
        (marker,),
    )
    return int(waiting), int(failed)


def webhooks(ctx: Context, server: Server) -> Row:
    """Signed deliveries at full speed; then how long one worker takes to apply them all."""
    name = "webhook ingest (signed sandbox)"
    target = ">=500/s; applied <=2x ingest"
    if not webhook_available(server):
        return Row(name, target=target, verdict=SKIP, note="not available: no sandbox webhook endpoint yet")
    p, db = ctx.profile, ctx.profile.database
    payments = fixtures.create_payments(server.url, ctx.tokens, p.payments)
    env = {"BENCH_PATH": "/api/payments/webhooks/sandbox/"}

    def ingest(rep: int, seconds: float, patience: float) -> tuple[Measurement, float, int]:
        """Post for ``seconds``; then (ingest + apply time) / ingest time, or inf if not done."""
        path = ctx.workdir / f"webhooks-{rep}.txt"
        fixtures.signed_webhooks(ctx.app, payments, p.webhooks_per_rep, path)
        marker = scalar(db, "SELECT coalesce(max(id), 0) FROM webhook_events")
        started = time.monotonic()
        m = wrk(server.url, "webhooks", seconds, p.connections, 2, {**env, "BENCH_WEBHOOKS": str(path)})
        deadline = started + patience
        while (waiting := _backlog(db, marker))[0] and time.monotonic() < deadline:
            time.sleep(0.25)
        factor = (time.monotonic() - started) / m.seconds if not waiting[0] else float("inf")
        return m, factor, waiting[1]

    ingest(0, 1, patience=120)  # warm-up: a second of deliveries, applied before measuring
    runs, applied, failures = [], [], 0
    for rep in range(1, p.reps + 1):
        m, factor, failed = ingest(rep, p.duration, patience=max(60.0, 6 * p.duration))
        runs.append(m)
        applied.append(factor)
        failures += failed
        if factor == float("inf"):
            break  # its backlog would be charged to the next repetition
    server.sample_rss()
    row, m = _row(ctx, name, runs, OK_WEBHOOK)
    row.errors += failures
    factor = median(applied)
    accepted = m.count(200) / m.seconds
    row.target = target
    row.note = (
        f"{accepted:.0f} accepted/s; all applied by one worker after "
        + (f"{factor:.1f}x the ingest time" if factor != float("inf") else "more than the patience allowed")
        + f"; {len(payments)} sandbox payments, {failures} failed jobs"
    )
    finite = factor if factor != float("inf") else None
    row.details = {"accepted_per_s": accepted, "applied_factor": finite, "payments": len(payments)}
    if not payments:  # deliveries for no payment measure only the "unknown reference" path
        row.note += " (no payment could be made for the deliveries to settle: the row is void)"
    return row.judge(accepted >= 500 and factor <= 2, ctx.profile.quick, correct=bool(payments))


#: The staff analytics of API.md; probed first, and skipped with a note until they exist.
ANALYTICS = (
    "/api/analytics/summary/",
    "/api/analytics/sales/?interval=day",
    "/api/analytics/top-products/",
    "/api/analytics/payments/",
)


def growth_tier(ctx: Context, server: Server, app: Flask, tier: int, staff: str) -> list[Row]:
    """List (cache off: the database's cost) and staff analytics latency at one data size."""
    urls = fixtures.list_urls(app, 20)
    runs = repeat(ctx, server, "urls", _urls(ctx, f"growth-{tier}", urls))
    rows = [_row(ctx, f"growth: list, {tier:,} products", runs, OK_GET)[0]]
    rows[0].target = "(see ratio row)"
    rows[0].judge(True, ctx.profile.quick)
    probe = requests.get(server.url + ANALYTICS[0], headers={"Authorization": f"Bearer {staff}"}, timeout=30)
    if probe.status_code == 404:
        rows.append(
            Row(
                f"growth: analytics, {tier:,} orders",
                verdict=SKIP,
                note="not available: no analytics endpoints yet",
            )
        )
        return rows
    env = {**_urls(ctx, f"analytics-{tier}", list(ANALYTICS)), "BENCH_AUTH": f"Bearer {staff}"}
    runs = repeat(ctx, server, "urls", env)
    analytics = _row(ctx, f"growth: analytics, {tier:,} orders", runs, OK_GET)[0]
    analytics.target = "(see ratio row)"
    rows.append(analytics.judge(True, ctx.profile.quick))
    return rows


def growth_verdict(ctx: Context, rows: list[Row]) -> Row:
    """Cost should stay flat: the list p50 at the largest tier within 1.5x the smallest's."""
    lists = [r for r in rows if r.scenario.startswith("growth: list") and r.p50_ms]
    row = Row("growth: list p50, largest / smallest", target="<=1.5x")
    if len(lists) < 2:
        row.verdict, row.note = SKIP, "fewer than two tiers measured"
        return row
    factor = lists[-1].p50_ms / lists[0].p50_ms
    row.note = f"{factor:.2f}x ({lists[0].p50_ms:.1f} ms -> {lists[-1].p50_ms:.1f} ms)"
    row.details = {"factor": factor}
    return row.judge(factor <= 1.5, ctx.profile.quick)


def memory(ctx: Context, peak_mb: float) -> Row:
    row = Row("memory: peak gunicorn worker RSS", target="<=150 MB", note=f"{peak_mb:.0f} MB (VmHWM)")
    row.details = {"peak_rss_mb": peak_mb}
    return row.judge(peak_mb <= 150, ctx.profile.quick)
