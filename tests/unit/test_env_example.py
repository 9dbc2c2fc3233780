""".env.example lists every variable the application reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = re.compile(
    r"""\benv(?:_int|_bool|_list|_rates)?\(\s*["']([A-Z0-9_]+)["']|environ\.get\(\s*["']([A-Z0-9_]+)["']"""
)


def test_every_variable_read_is_documented():
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    sources = [ROOT / "config.py", ROOT / "gunicorn.conf.py", *(ROOT / "app").rglob("*.py")]
    read = {name for path in sources for match in READERS.findall(path.read_text()) for name in match if name}
    assert read - documented == set(), "add these to .env.example with a comment"
