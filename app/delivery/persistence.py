"""Database helpers of the delivery services: find a row by id, copy fields, commit or 409."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.interfaces import ORMOption

from app.core.errors import ConflictError
from app.extensions import db

M = TypeVar("M")

#: The largest id an INTEGER primary key can hold on PostgreSQL (and what SQLite accepts).
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """False for ids no row can have; a huge id from a URL or a body must be a 404, not a
    database overflow error."""
    return 0 < value <= MAX_ID


def find(model: type[M], row_id: int, *options: ORMOption) -> M | None:
    """The row of ``model`` with this primary key (loaded with ``options``), or None (also
    for impossible ids)."""
    return db.session.get(model, row_id, options=options) if is_valid_id(row_id) else None


def assign(target: Any, data: Mapping[str, Any], fields: Iterable[str]) -> None:
    """Set the attributes of ``target`` named in ``fields`` that ``data`` carries (a PATCH)."""
    for key in fields:
        if key in data:
            setattr(target, key, data[key])


@contextmanager
def transaction(conflict: str) -> Iterator[None]:
    """Run a write and commit it, or roll everything back.

    An ``IntegrityError`` anywhere inside (an autoflush included: loading a collection
    flushes pending changes first) is a constraint lost to a duplicate or a concurrent
    write, or a row other tables still refer to: a 409 with ``conflict`` as its message.
    """
    try:
        yield
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError(conflict) from exc
    except Exception:
        db.session.rollback()
        raise
