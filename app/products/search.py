"""Product search: PostgreSQL full-text search, or a plain LIKE on SQLite.

On PostgreSQL ``q`` is parsed by ``websearch_to_tsquery`` (quotes, ``or``, ``-word``),
matched against the GIN-indexed weighted document the database keeps in
``products.search_vector`` (``models.SEARCH_VECTOR``) and ranked with ``ts_rank``, so
name matches come before description matches. SQLite (the embedded default) has no such
thing: every word must appear in the name or the description, and name matches rank first.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from app.extensions import db
from app.products.models import SEARCH_CONFIG, SEARCH_VECTOR, Product

MAX_TERMS = 8


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _words(q: str) -> list[str]:
    return q.lower().split()[:MAX_TERMS]


def search_terms(q: str) -> int:
    """How many values ``search_filter`` binds for ``q``: the whole query on PostgreSQL,
    one pattern per word on SQLite."""
    return 1 if _on_postgresql() else len(_words(q))


def search_values(q: str) -> dict[str, str]:
    """The values of the parameters ``search_filter(search_terms(q))`` binds."""
    if _on_postgresql():
        return {"q": q}
    return {f"term_{index}": _like_pattern(word) for index, word in enumerate(_words(q))}


def search_filter(terms: int) -> tuple[sa.ColumnElement[bool], sa.ColumnElement]:
    """(condition, rank): the WHERE clause of a search and a relevance to order by, best
    first, with the search's values bound by name (``search_values``), so one statement
    serves every search with as many ``terms``."""
    if _on_postgresql():
        document = sa.literal_column(f"{Product.__tablename__}.{SEARCH_VECTOR}", TSVECTOR)
        config = sa.text(f"'{SEARCH_CONFIG}'::regconfig")
        query = sa.func.websearch_to_tsquery(config, sa.bindparam("q", type_=sa.String))
        return document.op("@@")(query), sa.desc(sa.func.ts_rank(document, query))
    patterns = [sa.bindparam(f"term_{index}", type_=sa.String) for index in range(terms)]
    name, description = sa.func.lower(Product.name), sa.func.lower(Product.description)
    conditions = [
        sa.or_(name.like(pattern, escape="\\"), description.like(pattern, escape="\\"))
        for pattern in patterns
    ]
    name_hits = sum(
        (sa.case((name.like(pattern, escape="\\"), 1), else_=0) for pattern in patterns), sa.literal(0)
    )
    return sa.and_(sa.true(), *conditions), sa.desc(name_hits)
