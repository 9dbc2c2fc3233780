"""The RQ jobs view (arrives with its own commit)."""

from typing import Any


def register(_admin: Any) -> None:
    """Nothing to add yet."""
