"""Keep ``product_offers`` (the product lists' read model) exact, inside each transaction.

A session listener finds the products whose offers a flush may have changed (a product
created, deleted or (de)activated; a variant added, removed, (de)activated or moved; a
price added, removed or changed) and recomputes their rows in the same transaction, so
a list can never disagree with the catalog, not even for a moment. Stock is not part of
an offer: a checkout never touches this table.

Beside the offers it keeps their counts per currency and category, so an unfiltered or
category-only list's total costs a handful of rows at any catalog size.

Writes that bypass the ORM (the bulk benchmark seed) call :func:`refresh` themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.core.models import changed_attributes
from app.products.models import Product, ProductOffer, ProductOfferCount, ProductVariant, VariantPrice

#: The attributes whose change can change a row of ``product_offers``.
RELEVANT = {
    Product: frozenset({"is_active", "category_id", "category"}),
    ProductVariant: frozenset({"is_active", "product_id", "product"}),
    VariantPrice: frozenset({"amount", "currency", "variant_id", "variant"}),
}
MOVES = frozenset({"product_id", "product"})
#: ``session.info`` key: products a flushing variant is leaving.
LEFT = "offers_products_left"
#: A product's category in the read model; 0 stands for "none" (keys cannot be NULL).
CATEGORY_KEY = sa.func.coalesce(Product.category_id, 0)

OFFERS = ProductOffer.__table__
COUNTS = ProductOfferCount.__table__


def offers_of(product_ids: Iterable[int] | None = None) -> sa.Select:
    """The ``product_offers`` rows of active products: all, or those of ``product_ids``."""
    stmt = (
        sa.select(
            ProductVariant.product_id, VariantPrice.currency, sa.func.min(VariantPrice.amount), CATEGORY_KEY
        )
        .join(VariantPrice, VariantPrice.variant_id == ProductVariant.id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.is_active, Product.is_active)
        .group_by(ProductVariant.product_id, VariantPrice.currency, Product.category_id)
    )
    return stmt if product_ids is None else stmt.where(ProductVariant.product_id.in_(product_ids))


def _tally(connection: Connection, product_ids: list[int] | None = None) -> Counter[tuple[str, int]]:
    """Offers per (currency, category key): of ``product_ids``, or of the whole catalog."""
    stmt = sa.select(OFFERS.c.currency, OFFERS.c.category_key, sa.func.count()).group_by(
        OFFERS.c.currency, OFFERS.c.category_key
    )
    if product_ids is not None:
        stmt = stmt.where(OFFERS.c.product_id.in_(product_ids))
    return Counter({(currency, key): n for currency, key, n in connection.execute(stmt)})


def _add_to_counts(connection: Connection, changes: dict[tuple[str, int], int]) -> None:
    """Add each difference to its count, creating the row the first time (an upsert)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(COUNTS).values(
        [{"currency": c, "category_key": k, "products": n} for (c, k), n in sorted(changes.items())]
    )
    added = COUNTS.c.products + stmt.excluded.products
    connection.execute(
        stmt.on_conflict_do_update(index_elements=["currency", "category_key"], set_={"products": added})
    )


def _insert_offers(connection: Connection, product_ids: list[int] | None) -> None:
    columns = ["product_id", "currency", "price", "category_key"]
    connection.execute(sa.insert(OFFERS).from_select(columns, offers_of(product_ids)))


def rebuild(connection: Connection) -> None:
    """Recompute the whole read model (after set-based writes that bypass the listener)."""
    connection.execute(sa.delete(OFFERS))
    _insert_offers(connection, None)
    connection.execute(sa.delete(COUNTS))
    if tally := _tally(connection):
        _add_to_counts(connection, tally)


def _replace(connection: Connection, product_ids: Iterable[int], *, reoffer: bool) -> None:
    """Delete the offers of ``product_ids``, recompute them if ``reoffer``, and move the
    counts by the difference.

    The products' rows are locked first (in id order), so two transactions replacing
    the same product's offers run one after the other and the second sees the first's rows.
    """
    ids = sorted(set(product_ids))
    if not ids:
        return
    connection.execute(
        sa.select(Product.id).where(Product.id.in_(ids)).order_by(Product.id).with_for_update()
    )
    before = _tally(connection, ids)
    connection.execute(sa.delete(OFFERS).where(OFFERS.c.product_id.in_(ids)))
    after: Counter[tuple[str, int]] = Counter()
    if reoffer:
        _insert_offers(connection, ids)
        after = _tally(connection, ids)
    changes = {
        key: after[key] - before[key] for key in before.keys() | after.keys() if after[key] != before[key]
    }
    if changes:
        _add_to_counts(connection, changes)


def refresh(connection: Connection, product_ids: Iterable[int]) -> None:
    """Recompute the offers of ``product_ids`` and move the counts by the difference."""
    _replace(connection, product_ids, reoffer=True)


def retire(connection: Connection, product_ids: Iterable[int]) -> None:
    """Remove the offers of products about to be deleted, and their share of the counts.

    Done before the flush deletes them: afterwards the rows are gone with the product
    (``ON DELETE CASCADE``) and the counts could no longer tell what they were.
    """
    _replace(connection, product_ids, reoffer=False)


def _relevant_change(obj: object) -> bool:
    relevant = RELEVANT.get(type(obj))
    return relevant is not None and bool(relevant & changed_attributes(obj))


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """The product ids, and the variant ids (of changed prices), a flush may have re-offered."""
    products: set[int] = set()
    variants: set[int] = set()
    added_or_removed = chain(session.new, session.deleted)
    # Only the catalog's own objects have their attribute histories inspected: this runs
    # on every flush of every request.
    changed = (obj for obj in session.dirty if _relevant_change(obj))
    for obj in chain(added_or_removed, changed):
        if isinstance(obj, Product):
            products.add(obj.id)
        elif isinstance(obj, ProductVariant):
            products.add(obj.product_id)
        elif isinstance(obj, VariantPrice):
            variants.add(obj.variant_id)
    return products, variants


def _before_flush(session: Session, _flush_context: object, _instances: object) -> None:
    """Retire the offers of products being deleted, and note the products that variants
    being moved leave: both are only known from the database before the flush."""
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Product) and obj.id is not None]
    if deleted:
        retire(session.connection(), deleted)
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
        ("before_flush", _before_flush),
        ("after_flush", _refresh_after_flush),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
