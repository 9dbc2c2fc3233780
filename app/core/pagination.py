"""Pagination of SQLAlchemy queries for flask-smorest's ``@blp.paginate``."""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from app.extensions import db

#: Offsets beyond this (page 10**20…) cannot hold rows and would overflow the database's
#: integers; such pages are simply empty.
MAX_OFFSET = 2**53


class QueryPage(Page):
    """Pages a ``select()``: one COUNT and one LIMIT/OFFSET query, whatever the page."""

    @property
    def items(self) -> list:
        params = self.page_params
        if params.first_item > MAX_OFFSET:
            return []
        query = self.collection.limit(params.page_size).offset(params.first_item)
        return list(db.session.scalars(query).unique())

    @property
    def item_count(self) -> int:
        counted = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted))
