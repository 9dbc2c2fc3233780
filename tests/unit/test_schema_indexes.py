"""Every foreign key leads an index: the reads that follow it and the deletes it guards.

PostgreSQL indexes the referenced key, never the referencing column. Without an index of
its own, loading an order's lines reads every line ever sold (on the bench's 200,000
lines, a parallel sequential scan for each order e-mail and order page), and deleting a
product, user or coupon scans each table that points at it, for its ``ON DELETE`` action.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db


def _leading_columns(table: sa.Table) -> set[str]:
    """Columns that lead an index, a unique constraint or the primary key of ``table``
    (a column's ``index=True`` or ``unique=True`` is one of these too)."""
    keys = [index.columns for index in table.indexes]
    keys += [
        c.columns for c in table.constraints if isinstance(c, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
    ]
    return {next(iter(columns)).name for columns in keys if len(columns)}  # not expression indexes


def test_every_foreign_key_leads_an_index(app):
    unindexed = sorted(
        f"{table.name}.{fk.parent.name}"
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.parent.name not in _leading_columns(table)
    )
    assert unindexed == []
