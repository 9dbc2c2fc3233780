"""What every delivery write does: copy the given fields, then commit or answer 409."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.core.errors import ConflictError
from app.extensions import db


def assign(target: Any, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Set the attributes of ``target`` named in ``fields`` that ``data`` carries (a PATCH)."""
    for key in fields:
        if key in data:
            setattr(target, key, data[key])


def commit(conflict: str) -> None:
    """Commit; a constraint lost to a concurrent write, or a row other tables still refer
    to, becomes a 409 with ``conflict`` as the message."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError(conflict) from exc
