"""Keep ``product_offers`` (the product lists' read model) exact, inside each transaction.

A session listener finds the products whose offers a flush may have changed (a product
created, deleted or (de)activated; a variant added, removed, (de)activated or moved; a
price added, removed or changed) and recomputes their rows in the same transaction, so
a list can never disagree with the catalog, not even for a moment. Stock is not part of
an offer: a checkout never touches this table.

Writes that bypass the ORM (the bulk benchmark seed) call :func:`refresh` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.models import changed_attributes
from app.products.models import Product, ProductOffer, ProductVariant, VariantPrice

#: The attributes whose change can change a row of ``product_offers``.
RELEVANT = {
    Product: frozenset({"is_active"}),
    ProductVariant: frozenset({"is_active", "product_id", "product"}),
    VariantPrice: frozenset({"amount", "currency", "variant_id", "variant"}),
}
MOVES = frozenset({"product_id", "product"})
#: ``session.info`` key: products a flushing variant is leaving.
LEFT = "offers_products_left"


def offers_of(product_ids: Iterable[int] | None = None) -> sa.Select:
    """(product_id, currency, lowest active list price) of active products; all, or ``product_ids``."""
    stmt = (
        sa.select(ProductVariant.product_id, VariantPrice.currency, sa.func.min(VariantPrice.amount))
        .join(VariantPrice, VariantPrice.variant_id == ProductVariant.id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.is_active, Product.is_active)
        .group_by(ProductVariant.product_id, VariantPrice.currency)
    )
    return stmt if product_ids is None else stmt.where(ProductVariant.product_id.in_(product_ids))


def refresh(connection: Connection, product_ids: Iterable[int] | None = None) -> None:
    """Recompute the offers of ``product_ids`` (every product when ``None``).

    The products' rows are locked first (in id order), so two transactions refreshing
    the same product run one after the other and the second sees the first's rows.
    """
    table = ProductOffer.__table__
    delete = sa.delete(table)
    ids = None if product_ids is None else sorted(set(product_ids))
    if ids is not None:
        if not ids:
            return
        connection.execute(
            sa.select(Product.id).where(Product.id.in_(ids)).order_by(Product.id).with_for_update()
        )
        delete = delete.where(table.c.product_id.in_(ids))
    connection.execute(delete)
    connection.execute(sa.insert(table).from_select(["product_id", "currency", "price"], offers_of(ids)))


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """The product ids, and the variant ids (of changed prices), a flush may have re-offered."""
    products: set[int] = set()
    variants: set[int] = set()
    added_or_removed = chain(session.new, session.deleted)
    changed = (obj for obj in session.dirty if RELEVANT.get(type(obj), frozenset()) & changed_attributes(obj))
    for obj in chain(added_or_removed, changed):
        if isinstance(obj, Product):
            products.add(obj.id)
        elif isinstance(obj, ProductVariant):
            products.add(obj.product_id)
        elif isinstance(obj, VariantPrice):
            variants.add(obj.variant_id)
    return products, variants


def _remember_previous_owners(session: Session, _flush_context: object, _instances: object) -> None:
    """Before a flush moves variants to another product, note the products they leave.

    Their old owner is only in the database by then (a committed object's old value is
    not kept), so it is read while the rows still say it.
    """
    moved = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, ProductVariant) and obj.id is not None and MOVES & changed_attributes(obj)
    ]
    if moved:
        with session.no_autoflush:
            owners = session.scalars(sa.select(ProductVariant.product_id).where(ProductVariant.id.in_(moved)))
            session.info.setdefault(LEFT, set()).update(owners)


def _refresh_after_flush(session: Session, _flush_context: object) -> None:
    products, variants = _touched(session)
    products.update(session.info.pop(LEFT, ()))
    if not products and not variants:
        return
    connection = session.connection()
    if variants:
        owners = sa.select(ProductVariant.product_id).where(ProductVariant.id.in_(variants - {None}))
        products.update(connection.scalars(owners))
    refresh(connection, products - {None})


def register() -> None:
    """Listen on every ORM session (idempotent)."""
    for name, listener in (
        ("before_flush", _remember_previous_owners),
        ("after_flush", _refresh_after_flush),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
