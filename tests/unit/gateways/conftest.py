"""Gateway tests need no application and no database: they talk to ``responses`` stubs only."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    """Replace the suite-wide database cleanup: nothing here touches the database."""
