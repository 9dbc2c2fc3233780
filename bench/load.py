"""Load from a separate process: ``wrk`` with the Lua scripts in ``bench/lua``.

wrk (C, epoll) costs a fraction of a core where a Python client would need one per few
hundred requests, so on a 2-core machine the server keeps almost all of the CPU. Each
script ends with one ``BENCH_JSON`` line (statuses, percentiles, counters) parsed here.
"""

from __future__ import annotations

import ast
import os
import shutil
import statistics
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class Measurement:
    """One wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    statuses: dict[int, int]
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, *codes: int) -> int:
        return sum(self.statuses.get(code, 0) for code in codes)

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    def unexpected(self, expected: frozenset[int]) -> int:
        """Responses with a status the scenario never expects, plus socket errors."""
        return self.socket_errors + sum(n for code, n in self.statuses.items() if code not in expected)


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed (make bench installs it with apt-get)")
    return path


def wrk(
    url: str,
    script: str,
    seconds: float,
    connections: int,
    threads: int = 2,
    env: Mapping[str, str] | None = None,
) -> Measurement:
    """Run ``bench/lua/<script>.lua`` against ``url`` for ``seconds`` at fixed concurrency."""
    cmd = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / f"{script}.lua"),
        url,
    ]
    run_env = {**os.environ, "BENCH_LUA": str(LUA), "BENCH_THREADS": str(threads), **(env or {})}
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        cmd, env=run_env, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    if done.returncode or MARKER not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout[-2000:]}")
    return parse(done.stdout)


def parse(stdout: str) -> Measurement:
    """The ``BENCH_JSON`` line of a run (Lua's ``%q`` quoting reads as Python literals)."""
    line = next(ln for ln in stdout.splitlines() if ln.startswith(MARKER))
    data = ast.literal_eval(line[len(MARKER) :])
    return Measurement(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        socket_errors=int(data["socket_errors"]),
        statuses={int(code): int(n) for code, n in data["statuses"].items()},
        extra={name: int(n) for name, n in data["extra"].items()},
    )


def median_of(runs: list[Measurement]) -> Measurement:
    """The run with the median throughput (its own latencies, not a blend of runs)."""
    return sorted(runs, key=lambda m: m.rps)[(len(runs) - 1) // 2]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
