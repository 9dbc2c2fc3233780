"""Pagination of SQLAlchemy queries for flask-smorest's ``@blp.paginate``."""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from app.extensions import db


class QueryPage(Page):
    """Pages a ``select()``: one COUNT and one LIMIT/OFFSET query, whatever the page."""

    @property
    def items(self) -> list:
        params = self.page_params
        query = self.collection.limit(params.page_size).offset(params.first_item)
        return list(db.session.scalars(query).unique())

    @property
    def item_count(self) -> int:
        counted = self.collection.order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted))
