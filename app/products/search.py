"""Product search: PostgreSQL full-text search, or a plain LIKE on SQLite.

On PostgreSQL ``q`` is parsed by ``websearch_to_tsquery`` (quotes, ``or``, ``-word``),
matched against the GIN-indexed weighted document of ``models.search_document`` and
ranked with ``ts_rank``, so name matches come before description matches. SQLite (the
embedded default) has no such thing: every word must appear in the name or the
description, and name matches rank first.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.products.models import SEARCH_CONFIG, Product, search_document

MAX_TERMS = 8


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_filter(q: str) -> tuple[sa.ColumnElement[bool], sa.ColumnElement]:
    """(condition, rank): the WHERE clause for ``q`` and a relevance to order by, best first."""
    if db.engine.dialect.name == "postgresql":
        document = search_document(Product.name, Product.description)
        query = sa.func.websearch_to_tsquery(sa.text(f"'{SEARCH_CONFIG}'::regconfig"), q)
        return document.op("@@")(query), sa.desc(sa.func.ts_rank(document, query))
    terms = q.lower().split()[:MAX_TERMS]
    conditions = [
        sa.or_(
            sa.func.lower(Product.name).like(_like_pattern(term), escape="\\"),
            sa.func.lower(Product.description).like(_like_pattern(term), escape="\\"),
        )
        for term in terms
    ]
    name_hits = sum(
        (
            sa.case((sa.func.lower(Product.name).like(_like_pattern(term), escape="\\"), 1), else_=0)
            for term in terms
        ),
        sa.literal(0),
    )
    return sa.and_(sa.true(), *conditions), sa.desc(name_hits)
