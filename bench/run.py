"""``python -m bench.run [--quick]``: seed, serve, load, judge; the table and latest.json.

The flow: seed the bench database once (reused after), flush Redis DB 8, start gunicorn
with the Production config and one RQ worker, and run each scenario from wrk in its own
process. The uncached list needs a restart with ``CATALOG_CACHE_ENABLED=false``, and each
growth tier its own database. Exit status 1 when any row fails (in ``--quick`` mode only
errors and oversold stock fail a row, never speed).
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import redis

from bench import fixtures, scenarios, stack
from bench.report import FAIL, Row, failed, table, write_json
from bench.scenarios import Context, Profile

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
#: Where an ``--only`` run writes, so a partial run never replaces the last whole one.
PARTIAL_RESULTS = RESULTS.with_name("partial.json")
WORKER_CLASSES = ("sync", "gthread")
#: What ``--only`` selects from (the baseline always runs: every ratio needs it).
SCENARIOS = ("cached", "detail", "conditional", "checkout", "webhooks", "uncached", "growth")


def parse(argv: list[str]) -> Profile:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds per scenario; fail only on errors"
    )
    parser.add_argument("--duration", type=float, help="seconds per measured run")
    parser.add_argument("--reps", type=int, help="measured runs per scenario (median reported)")
    parser.add_argument("--connections", type=int, help="concurrent connections")
    parser.add_argument(
        "--only",
        type=lambda names: tuple(names.split(",")),
        help=f"comma-separated scenarios to run beside the baseline: {','.join(SCENARIOS)}",
    )
    args = parser.parse_args(argv)
    if args.only and not set(args.only) <= set(SCENARIOS):
        parser.error(f"--only: unknown scenario(s) {', '.join(sorted(set(args.only) - set(SCENARIOS)))}")
    profile = scenarios.QUICK if args.quick else scenarios.FULL
    changes = {k: v for k, v in {"duration": args.duration, "reps": args.reps}.items() if v}
    if args.connections:
        changes["connections"] = args.connections
    return replace(profile, only=args.only, **changes)


def machine() -> dict[str, object]:
    load1, load5, _ = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "loadavg_1m_5m_at_start": [round(load1, 2), round(load5, 2)],
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


class LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds: how busy the machine was around the bench
    (on 2 cores, a load of 2 is the bench alone; more is neighbours' work on the same CPUs)."""

    def __init__(self, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every, self.samples = every, []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        values = sorted(self.samples) or [os.getloadavg()[0]]
        return {"min": values[0], "median": values[len(values) // 2], "max": values[-1]}


#: A scenario run against a server, as the worker class trial runs it.
Trial = Callable[[Context, stack.Server], Row]


def pick_worker_class(
    ctx: Context, keys: stack.Secrets, trial_runs: dict[str, Trial], log: Path
) -> tuple[str, dict]:
    """Short runs of a read and a write scenario with each gunicorn worker class; the class
    with the better product of their rates serves the bench. A cached read alone favours
    ``sync`` (no thread switching), while requests that wait on the database favour threads."""
    trial = replace(ctx.profile, reps=1, duration=min(ctx.profile.duration, 5), warmup=2)
    trial_ctx = replace(ctx, profile=trial)
    rates: dict[str, dict[str, float]] = {}
    for worker_class in WORKER_CLASSES:
        with stack.serving(trial.database, keys, log, worker_class) as server:
            rates[worker_class] = {
                name: (run(trial_ctx, server).rps or 0.0) for name, run in trial_runs.items()
            }
    best = max(rates, key=lambda worker_class: math.prod(rates[worker_class].values()))
    return best, rates


def one_at_a_time() -> IO[str]:
    """Wait for any other bench on this machine: two would share Redis DB 8 and its queue,
    and each would measure the other. The lock dies with the process."""
    lock = Path(tempfile.gettempdir()) / "sokoni-bench.lock"
    handle = lock.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"bench: another bench holds {lock}; waiting for it to finish...", flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def main(argv: list[str]) -> int:
    profile = parse(argv)
    stack.install_cleanup()
    with one_at_a_time():
        return bench(profile)


def bench(profile: Profile) -> int:
    """The whole run; returns the exit status."""
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="sokoni-bench-"))
    keys = stack.Secrets()
    box = machine()
    meta: dict[str, object] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if profile.quick else "full",
        "profile": profile.__dict__,
        "machine": box,
        "logs": str(workdir),
    }
    print(f"bench: {meta['mode']} run, logs in {workdir}", flush=True)
    sampler = LoadSampler()
    sampler.start()
    redis.Redis.from_url(stack.REDIS_URL).flushdb()
    stack.ensure_database(profile.database, profile.products, profile.orders, keys, workdir)
    app = fixtures.make_app(profile.database, keys)
    ctx = Context(profile, app, workdir)
    urls = fixtures.list_urls(app)
    details = fixtures.detail_paths(app, profile.products + 1_000)
    station = fixtures.pickup_station(app)
    pool, hot = fixtures.stock_pool(app, 200, 3)
    ctx.tokens = fixtures.shopper_tokens(app, profile.connections)

    worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
    if not profile.quick and profile.only is None:
        trial_runs = {
            "cached list": lambda c, server: scenarios.cached_list(c, server, urls),
            "checkout": lambda c, server: scenarios.checkout(c, server, station, pool, hot),
        }
        worker_class, scores = pick_worker_class(ctx, keys, trial_runs, workdir)
        meta["worker_class_trial_rps"] = scores
        print(f"bench: worker class {worker_class} ({scores})", flush=True)
    meta["worker_class"] = worker_class

    rows: list[Row] = []

    def step(label: str, run: Callable[[], Row | list[Row]], scenario: str = "") -> list[Row]:
        """Run one scenario (unless ``--only`` leaves it out); a crash becomes a failed row,
        so the other scenarios still report."""
        if scenario and not profile.runs(scenario):
            return []
        print(f"bench: {label}...", flush=True)
        try:
            result = run()
        except Exception as exc:  # reported in the table, and the run fails
            result = Row(label, verdict=FAIL, note=f"harness error: {type(exc).__name__}: {exc}"[:600])
        added = result if isinstance(result, list) else [result]
        rows.extend(added)
        return added

    peaks: list[float] = []
    with stack.serving(profile.database, keys, workdir, worker_class) as server:
        step("baseline", lambda: scenarios.baseline(ctx, server))
        step("cached list", lambda: scenarios.cached_list(ctx, server, urls), "cached")
        step("product detail", lambda: scenarios.product_detail(ctx, server, details), "detail")
        step(
            "conditional GET",
            lambda: scenarios.conditional_get(ctx, server, urls + details[:50]),
            "conditional",
        )
        step("checkout", lambda: scenarios.checkout(ctx, server, station, pool, hot), "checkout")
        step("webhooks", lambda: scenarios.webhooks(ctx, server), "webhooks")
    peaks.append(server.peak_rss_mb)
    if profile.runs("uncached"):
        with stack.serving(profile.database, keys, workdir, worker_class, cache=False) as server:
            step("uncached list", lambda: scenarios.uncached_list(ctx, server, urls))
        peaks.append(server.peak_rss_mb)

    def growth_tier(tier: int) -> list[Row]:
        database = f"sokoni_bench_g{tier}"
        stack.ensure_database(database, tier, tier, keys, workdir)
        tier_app = fixtures.make_app(database, keys)
        with stack.serving(database, keys, workdir, worker_class, cache=False) as server:
            try:
                return scenarios.growth_tier(ctx, server, tier_app, tier, fixtures.staff_token(tier_app))
            finally:
                peaks.append(server.peak_rss_mb)

    growth: list[Row] = []
    for tier in profile.tiers:
        label = f"growth tier {tier:,} (seeding sokoni_bench_g{tier} once)"
        growth += step(label, lambda t=tier: growth_tier(t), "growth")
    if profile.runs("growth"):
        rows.append(scenarios.growth_verdict(ctx, growth))
    rows.append(scenarios.memory(ctx, max(peaks)))

    meta["seconds"] = round(time.monotonic() - started)
    sampler.stopped.set()
    meta["loadavg_1m_during"] = {k: round(v, 2) for k, v in sampler.summary().items()}
    results = RESULTS if profile.only is None else PARTIAL_RESULTS
    write_json(results, rows, meta)
    print()
    print(table(rows, ctx.baseline_rps))
    print(
        f"\n{meta['mode']} run, {meta['seconds']} s, on {box['cpus']} x {box['cpu']}; "
        f"1-min load average during the run {meta['loadavg_1m_during']}; wrote {results}"
    )
    if bad := failed(rows):
        print("FAILED: " + ", ".join(row.scenario for row in bad))
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    finally:
        stack.stop_all()
