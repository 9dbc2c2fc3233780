"""Statements that opt in run as server-side prepared statements on PostgreSQL.

``app.core.prepared_statements`` turns a statement wrapped in ``prepared`` into a
``PREPARE`` the first time a connection runs it and an ``EXECUTE`` after; the whole cart
and checkout suite runs through it on PostgreSQL. These tests pin what it promises: the
same rows as the plain statement, one preparation per connection, a rollback that keeps it,
and nothing prepared that did not opt in.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.prepared_statements import _prepared_forms, prepared
from app.extensions import db
from app.products.models import ProductVariant
from tests.factories import VariantFactory

_VARIANTS = ProductVariant.__table__
_PREPARED = sa.text("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'sokoni\\_%'")


def test_placeholders_are_numbered_in_order_of_first_use_and_passed_by_name():
    body, execute = _prepared_forms(
        "sokoni_7", "SELECT %(b)s, %(a)s FROM t WHERE x = %(b)s AND y LIKE 'a%%' AND z = %(a_2)s"
    )
    assert body == "SELECT $1, $2 FROM t WHERE x = $1 AND y LIKE 'a%' AND z = $3"
    assert execute == "EXECUTE sokoni_7(%(b)s, %(a)s, %(a_2)s)"
    assert _prepared_forms("sokoni_8", "SELECT 1") == ("SELECT 1", "EXECUTE sokoni_8")


def _sku_lookup() -> sa.Select:
    """A fresh statement (its own text) with a repeated name, an IN list and a literal %."""
    sku = _VARIANTS.c.sku
    return sa.select(_VARIANTS.c.id, sku).where(
        _VARIANTS.c.id.in_(sa.bindparam("ids", expanding=True)),
        sa.or_(sku == sa.bindparam("sku"), sku.like(sa.literal_column("'%'"))),
        sa.or_(sku != sa.bindparam("sku"), _VARIANTS.c.id > 0),
    )


def test_an_opted_in_statement_is_prepared_once_per_connection_and_outlives_a_rollback(postgres):
    first, second, _other = VariantFactory(), VariantFactory(), VariantFactory()
    values = {"ids": [first.id, second.id], "sku": first.sku}
    plain = _sku_lookup()
    opted_in = prepared(plain)
    with db.engine.connect() as connection:
        before = set(connection.execute(_PREPARED).scalars())
        expected = connection.execute(plain, values).all()
        assert set(connection.execute(_PREPARED).scalars()) == before  # not opted in: not prepared

        got = connection.execute(opted_in, values).all()
        connection.rollback()  # PREPARE is not undone by a rollback
        again = connection.execute(opted_in, values).all()
        added = set(connection.execute(_PREPARED).scalars()) - before

    rows = [(first.id, first.sku), (second.id, second.sku)]
    assert sorted(got) == sorted(again) == sorted(expected) == rows
    assert len(added) == 1, added
    assert "product_variants.sku" in added.pop()
