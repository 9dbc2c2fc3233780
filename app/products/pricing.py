"""What a client pays: list prices with the best running promotion applied.

A ``PriceBook`` holds every promotion that has not ended yet, so one book (loaded with a
single query and cached per promotions generation) prices any page at any moment: a
promotion starting or ending changes ``active_ids(now)`` and therefore the cache keys,
with no write needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.core.models import utcnow
from app.extensions import db
from app.products.models import Category, Promotion, promotion_categories, promotion_products


@dataclass(frozen=True, slots=True)
class Offer:
    """A price as shown: ``amount`` to pay, ``compare_at`` the list price when discounted."""

    amount: int
    currency: str
    compare_at: int | None = None
    promotion_id: int | None = None


@dataclass(frozen=True, slots=True)
class BookedPromotion:
    id: int
    name: str
    kind: str
    percent_off: int | None
    amounts_off: dict[str, int]
    starts_at: datetime
    ends_at: datetime | None
    product_ids: frozenset[int]
    category_paths: tuple[str, ...]

    def is_running(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def applies_to(self, product_id: int, category_path: str | None) -> bool:
        """Chosen directly, or through its category or any ancestor of it."""
        if product_id in self.product_ids:
            return True
        return bool(category_path) and any(category_path.startswith(p) for p in self.category_paths)

    def discounted(self, amount: int, currency: str) -> int:
        """The promoted price; the discount is rounded down, so the shop never over-discounts."""
        if self.kind == "percentage":
            return amount - amount * (self.percent_off or 0) // 100
        return max(amount - self.amounts_off.get(currency, 0), 0)


@dataclass(frozen=True, slots=True)
class PriceBook:
    promotions: tuple[BookedPromotion, ...]

    def running(self, now: datetime) -> list[BookedPromotion]:
        return [p for p in self.promotions if p.is_running(now)]

    def active_ids(self, now: datetime) -> str:
        """A fingerprint of the running promotions, part of every catalog cache key."""
        return ".".join(str(p.id) for p in self.running(now)) or "none"

    def offer(
        self, amount: int, currency: str, product_id: int, category_path: str | None, now: datetime
    ) -> Offer:
        """The best running promotion's price for one list price (no stacking)."""
        best = Offer(amount, currency)
        for promotion in self.running(now):
            if not promotion.applies_to(product_id, category_path):
                continue
            price = promotion.discounted(amount, currency)
            if price < best.amount:
                best = Offer(price, currency, compare_at=amount, promotion_id=promotion.id)
        return best


def load_price_book(now: datetime | None = None) -> PriceBook:
    """Every active promotion not yet ended, with its targets, in one query."""
    now = now or utcnow()
    targets = sa.union_all(
        sa.select(
            promotion_products.c.promotion_id,
            promotion_products.c.product_id,
            sa.null().label("path"),
        ),
        sa.select(promotion_categories.c.promotion_id, sa.null(), Category.path).join(
            Category, Category.id == promotion_categories.c.category_id
        ),
    ).subquery()
    fields = (
        Promotion.id,
        Promotion.name,
        Promotion.kind,
        Promotion.percent_off,
        Promotion.amounts_off,
        Promotion.starts_at,
        Promotion.ends_at,
    )
    rows = db.session.execute(  # plain rows, not entities: only read, to build the book
        sa.select(*fields, targets.c.product_id, targets.c.path)
        .outerjoin(targets, targets.c.promotion_id == Promotion.id)
        .where(Promotion.is_active, sa.or_(Promotion.ends_at.is_(None), Promotion.ends_at > now))
        .order_by(Promotion.id)
    ).all()
    grouped: dict[int, tuple[sa.Row, set[int], set[str]]] = {}
    for row in rows:
        _, products, paths = grouped.setdefault(row.id, (row, set(), set()))
        if row.product_id is not None:
            products.add(row.product_id)
        if row.path is not None:
            paths.add(row.path)
    return PriceBook(
        tuple(
            BookedPromotion(
                id=p.id,
                name=p.name,
                kind=p.kind,
                percent_off=p.percent_off,
                amounts_off=dict(p.amounts_off or {}),
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                product_ids=frozenset(products),
                category_paths=tuple(sorted(paths)),
            )
            for p, products, paths in grouped.values()
        )
    )
