"""One table for people, one JSON file for machines (``bench/results/latest.json``).

A row either passes, fails, is informational (the baseline, growth tiers) or is skipped
with its reason. In ``--quick`` mode speed never fails a row: only errors (5xx, unexpected
statuses, socket errors) and oversold stock do, so CI catches breakage, not noise.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

PASS, FAIL, INFO, SKIP = "PASS", "FAIL", "info", "skip"


@dataclass
class Row:
    scenario: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    ratio: float | None = None  # to the baseline's req/s
    target: str = ""
    verdict: str = INFO
    note: str = ""
    details: dict = field(default_factory=dict)

    def judge(self, speed_ok: bool, quick: bool, correct: bool = True) -> Row:
        """Set the verdict: errors and ``correct`` always count; speed only outside quick mode."""
        if self.errors or not correct:
            self.verdict = FAIL
        elif quick:
            self.verdict = INFO if self.verdict != SKIP else SKIP  # speed is not judged
        else:
            self.verdict = PASS if speed_ok else FAIL
        return self


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[Row], baseline_rps: float | None) -> str:
    header = ("scenario", "req/s", "p50 ms", "p99 ms", "errors", "x baseline", "target", "result")
    lines = [
        (
            row.scenario,
            _fmt(row.rps, ",.0f"),
            _fmt(row.p50_ms, ".1f"),
            _fmt(row.p99_ms, ".1f"),
            str(row.errors),
            "-" if row.ratio is None else f"{row.ratio:.0%}",
            row.target,
            row.verdict,
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]

    def render(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [render(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [render(line) for line in lines]
    out.append("")
    out.append(f"baseline: {_fmt(baseline_rps, ',.0f')} req/s (GET /api/health/)")
    out += [f"- {row.scenario}: {row.note}" for row in rows if row.note]
    return "\n".join(out)


def failed(rows: list[Row]) -> list[Row]:
    return [row for row in rows if row.verdict == FAIL]


def write_json(path: Path, rows: list[Row], meta: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": [asdict(r) for r in rows]}, indent=2) + "\n")
