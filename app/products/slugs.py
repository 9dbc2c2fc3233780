"""URL slugs: readable, ASCII, unique, and never changed once given."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

import sqlalchemy as sa

from app.core.errors import ConflictError, NotFoundError
from app.extensions import db

T = TypeVar("T")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 100


def slugify(text: str) -> str:
    """``"Ankara Print Maxi Dress (Ọ̀yọ́)"`` → ``"ankara-print-maxi-dress-oyo"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")[:MAX_LENGTH].rstrip("-") or "item"


def unique_slug(column: sa.orm.InstrumentedAttribute, text: str) -> str:
    """A slug for ``text`` not yet used in ``column``: ``shoe``, then ``shoe-2``, ``shoe-3``…

    One query fetches every taken candidate, so a popular name costs no loop of queries.
    A concurrent insert of the same slug is still caught by the unique constraint.
    """
    base = slugify(text)
    taken = set(db.session.scalars(sa.select(column).where(column.like(f"{base}%"))))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def ensure_free(column: sa.orm.InstrumentedAttribute, slug: str, what: str) -> None:
    """409 when ``slug`` is taken (the unique constraint still guards against races)."""
    if db.session.scalar(sa.select(column).where(column == slug)) is not None:
        raise ConflictError(f"A {what} with this slug already exists.", details={"slug": ["Taken."]})


def new_slug(column: sa.orm.InstrumentedAttribute, requested: str | None, name: str, what: str) -> str:
    """The slug a new row gets: the one asked for (409 if taken), else one made from ``name``."""
    if requested:
        ensure_free(column, requested, what)
        return requested
    return unique_slug(column, name)


def change_slug(obj: Any, requested: str | None, what: str) -> None:
    """Give ``obj`` the slug asked for in an update, if it is a different, free one."""
    if requested and requested != obj.slug:
        ensure_free(type(obj).slug, requested, what)
        obj.slug = requested


def get_by_slug(model: type[T], slug: str, what: str) -> T:
    """The row of ``model`` with ``slug``, or a 404."""
    row = db.session.scalar(sa.select(model).where(model.slug == slug))
    if row is None:
        raise NotFoundError(f"No such {what}.")
    return row
