"""Bump the catalog cache generations after every commit that changes what clients see.

SQLAlchemy session events collect the domains touched while flushing and bump them only
once the transaction commits (a rolled-back write retires nothing). Changes nobody sees
are ignored: a sale moving ``sales_count``, or stock moving without crossing a stock
status boundary, would otherwise empty the cache on every order.
"""

from __future__ import annotations

from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.core.models import changed_attributes
from app.products import cache
from app.products.models import (
    Category,
    Collection,
    CollectionItem,
    Product,
    ProductImage,
    ProductVariant,
    Promotion,
    Tag,
    VariantPrice,
)
from app.products.stock import stock_status

MODEL_DOMAINS: dict[type, str] = {
    Category: "categories",
    Tag: "tags",
    Product: "products",
    ProductImage: "products",
    ProductVariant: "products",
    VariantPrice: "products",
    Promotion: "promotions",
    Collection: "collections",
    CollectionItem: "collections",
}
#: Attributes whose change alone is invisible to clients.
INVISIBLE = frozenset({"updated_at", "sales_count"})
PENDING = "catalog_dirty_domains"


def _visible_change(obj: object) -> bool:
    """Whether an updated object changes any response (stock only at status boundaries)."""
    changed = changed_attributes(obj) - INVISIBLE
    if isinstance(obj, ProductVariant) and changed == {"stock_on_hand"}:
        history = inspect(obj).attrs.stock_on_hand.history
        before = history.deleted[0] if history.deleted else None
        threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
        return before is None or stock_status(before, threshold) != stock_status(obj.stock_on_hand, threshold)
    return bool(changed)


def _collect(session: Session, _flush_context: object) -> None:
    pending: set[str] = session.info.setdefault(PENDING, set())
    for obj in chain(session.new, session.deleted):
        if (domain := MODEL_DOMAINS.get(type(obj))) is not None:
            pending.add(domain)
    for obj in session.dirty:
        domain = MODEL_DOMAINS.get(type(obj))
        if domain is not None and domain not in pending and _visible_change(obj):
            pending.add(domain)


def _publish(session: Session) -> None:
    domains = session.info.pop(PENDING, None)
    if domains and has_app_context():
        cache.bump(domains)


def _discard(session: Session) -> None:
    session.info.pop(PENDING, None)


def register() -> None:
    """Listen on every ORM session (idempotent)."""
    listeners = (("after_flush", _collect), ("after_commit", _publish), ("after_rollback", _discard))
    for name, listener in listeners:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
