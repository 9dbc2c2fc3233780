"""The bench harness's own arithmetic: wrk's summary line, the median run, and verdicts
(quick mode fails on errors only, never on speed)."""

from __future__ import annotations

import pytest

from bench.load import Measurement, median_of, parse
from bench.report import FAIL, INFO, PASS, SKIP, Row, failed, table

WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:8000
BENCH_JSON {"requests": 3000, "duration_us": 15000000, "socket_errors": 1, "p50_us": 1500.5, \
"p99_us": 25000, "statuses": {"200": 2990, "304": 7, "502": 3}, "extra": {"orders": 12}}
"""


def run(requests: int) -> Measurement:
    return Measurement(requests, 10.0, 1.0, 2.0, 0, {200: requests})


def test_the_lua_summary_line_is_read_with_codes_as_numbers():
    m = parse(WRK_OUTPUT)
    assert (m.requests, m.rps, m.p50_ms, m.p99_ms) == (3000, 200.0, 1.5005, 25.0)
    assert m.statuses == {200: 2990, 304: 7, 502: 3}
    assert (m.server_errors, m.count(200, 304), m.extra["orders"]) == (3, 2997, 12)
    assert m.unexpected(frozenset({200, 304})) == 4  # the 502s and the socket error


def test_the_median_run_is_reported_whole():
    assert median_of([run(300), run(100), run(200)]).requests == 200
    assert median_of([run(300), run(100)]).requests == 100  # the lower of two: never flattering


def test_speed_fails_a_full_run_but_never_a_quick_one():
    assert Row("slow").judge(speed_ok=False, quick=False).verdict == FAIL
    assert Row("slow").judge(speed_ok=False, quick=True).verdict == INFO
    assert Row("fast").judge(speed_ok=True, quick=False).verdict == PASS


def test_errors_and_oversold_stock_fail_even_a_quick_run():
    assert Row("5xx", errors=2).judge(speed_ok=True, quick=True).verdict == FAIL
    assert Row("oversold").judge(speed_ok=True, quick=True, correct=False).verdict == FAIL


def test_the_table_shows_ratios_and_skipped_rows_with_their_reason():
    rows = [
        Row("baseline", rps=1000.0, p50_ms=1.0, p99_ms=3.0, ratio=1.0, verdict=PASS),
        Row("analytics", verdict=SKIP, note="not available: no analytics endpoints yet"),
    ]
    text = table(rows, 1000.0)
    assert "| baseline " in text
    assert "100%" in text
    assert "- analytics: not available" in text
    assert failed(rows) == []


def test_only_selects_scenarios_and_refuses_unknown_ones():
    from bench import run

    profile = run.parse(["--only", "checkout,webhooks"])
    assert (profile.runs("checkout"), profile.runs("webhooks"), profile.runs("cached")) == (True, True, False)
    assert run.parse([]).runs("cached")
    with pytest.raises(SystemExit):
        run.parse(["--only", "checkout,teleport"])
