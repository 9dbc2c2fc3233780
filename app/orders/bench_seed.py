"""``flask seed --orders N``: years of realistic order history, inserted in bulk.

Benchmarks of order lists and analytics mean nothing on an empty table, and placing
100,000 orders through checkout would take an hour. These rows are written set-based
(a few thousand per statement) and look like the real thing: customers, one to three
lines of catalog variants priced in the order's currency, VAT, bus-station or address
delivery, and the state history that led to each final status.

Historical orders never touch stock and none is left awaiting payment, so the expiry
sweep and the stock counters of a seeded shop are exactly what they were before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import Profile, User
from app.auth.passwords import hash_password
from app.core.models import utcnow
from app.extensions import db
from app.orders.models import Order, OrderEvent, OrderItem
from app.orders.states import OrderStatus as S
from app.orders.totals import compute_totals
from app.products.models import Product, ProductVariant, VariantPrice

#: Where an order in each currency is delivered (USD: buyers abroad, no VAT).
CURRENCY_COUNTRY = {"NGN": "NG", "KES": "KE", "GHS": "GH", "UGX": "UG", "USD": "US"}
CURRENCY_WEIGHTS = (("NGN", 45), ("KES", 20), ("GHS", 12), ("UGX", 10), ("USD", 13))
#: How orders end up, roughly as in a shop a few years old.
FINAL_WEIGHTS = (
    (S.COMPLETED, 50),
    (S.DELIVERED, 8),
    (S.SHIPPED, 4),
    (S.PROCESSING, 3),
    (S.PAID, 2),
    (S.COLLECTED, 4),
    (S.READY_FOR_PICKUP, 2),
    (S.CANCELLED, 12),
    (S.EXPIRED, 10),
    (S.REFUNDED, 3),
    (S.PARTIALLY_REFUNDED, 2),
)
_SHIPPED = (S.PENDING_PAYMENT, S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED, S.COMPLETED)
_PICKED_UP = (S.PENDING_PAYMENT, S.PAID, S.READY_FOR_PICKUP, S.COLLECTED, S.COMPLETED)
PICKUP_ONLY = frozenset({S.READY_FOR_PICKUP, S.COLLECTED})
ADDRESS_ONLY = frozenset({S.PROCESSING, S.SHIPPED, S.DELIVERED})
NUMBER_MARK = "-H"  # SK-H0000001: never clashes with checkout's SK-<yy><id>
HISTORY_DAYS = 730
CUSTOMER_DOMAIN = "history.sokoni.test"
#: Lines are drawn from this many variants (the popular end of the catalog).
VARIANT_POOL = 5000


@dataclass(frozen=True)
class _Variant:
    id: int
    product_id: int
    name: str
    slug: str
    sku: str
    options: dict[str, str]
    prices: dict[str, int]


def status_path(final: S, pickup: bool) -> tuple[S, ...]:
    """The states an order went through to reach ``final`` (always legal transitions)."""
    if final in (S.CANCELLED, S.EXPIRED):
        return (S.PENDING_PAYMENT, final)
    if final in (S.REFUNDED, S.PARTIALLY_REFUNDED):
        return (S.PENDING_PAYMENT, S.PAID, final)
    path = _PICKED_UP if pickup else _SHIPPED
    return path[: path.index(final) + 1]


def seed_orders(total: int, batch: int = 5000) -> int:
    """Grow the order history to ``total`` seeded orders; returns how many were added."""
    prefix = current_app.config["ORDER_NUMBER_PREFIX"] + NUMBER_MARK
    have = db.session.scalar(sa.select(sa.func.count()).where(Order.number.like(f"{prefix}%"))) or 0
    if have >= total:
        return 0
    variants = _variant_pool()
    if not variants:
        raise RuntimeError("Seed the catalog before orders: no priced variants to sell.")
    customers = _customers(max(1, min(5000, total // 20)))
    rng = random.Random(total)  # noqa: S311 - reproducible demo data, not secrets
    now = utcnow()
    for start in range(have + 1, total + 1, batch):
        numbers = range(start, min(start + batch, total + 1))
        drafts = [_draft(rng, n, total, now, prefix, customers, variants) for n in numbers]
        ids = db.session.scalars(
            sa.insert(Order).returning(Order.id, sort_by_parameter_order=True), [d.order for d in drafts]
        ).all()
        items = [{**item, "order_id": oid} for oid, d in zip(ids, drafts, strict=True) for item in d.items]
        events = [
            {**event, "order_id": oid} for oid, d in zip(ids, drafts, strict=True) for event in d.events
        ]
        db.session.execute(sa.insert(OrderItem), items)
        db.session.execute(sa.insert(OrderEvent), events)
    db.session.commit()
    return total - have


@dataclass
class _Draft:
    order: dict
    items: list[dict]
    events: list[dict]


def _draft(
    rng: random.Random,
    n: int,
    total: int,
    now: datetime,
    prefix: str,
    customers: list[int],
    variants: list[_Variant],
) -> _Draft:
    """One order, its lines and its history; older numbers are older orders."""
    currency = _weighted(rng, CURRENCY_WEIGHTS)
    country = CURRENCY_COUNTRY[currency]
    final = _weighted(rng, FINAL_WEIGHTS)
    pickup = final in PICKUP_ONLY or (final not in ADDRESS_ONLY and country != "US" and rng.random() < 0.3)
    created = now - timedelta(days=HISTORY_DAYS * (total - n) / total, minutes=rng.randint(0, 600))
    lines = [(v, rng.choice((1, 1, 1, 2, 2, 3))) for v in rng.sample(variants, rng.randint(1, 3))]
    subtotal = sum(v.prices[currency] * qty for v, qty in lines)
    discount = subtotal // 10 if rng.random() < 0.08 else 0
    shipping = 0 if pickup else rng.choice((0, 1, 2)) * subtotal // 20
    totals = compute_totals(subtotal, discount, shipping, country)
    path = status_path(final, pickup)
    user_id = customers[n % len(customers)]
    order = {
        "number": f"{prefix}{n:07d}",
        "user_id": user_id,
        "status": final.value,
        "idempotency_key": f"history-{n}",
        "currency": currency,
        "subtotal": subtotal,
        "discount": discount,
        "shipping": shipping,
        "tax": totals.tax,
        "tax_rate_bp": totals.tax_rate_bp,
        "prices_include_tax": totals.prices_include_tax,
        "total": totals.total,
        "coupon_code": "WELCOME10" if discount else None,
        "delivery_type": "bus_station" if pickup else "address",
        "shipping_method_name": None if pickup else "Standard courier",
        "address": None if pickup else _address(n, country),
        "bus_station": {"name": "Main bus park", "country": country} if pickup else None,
        "country": country,
        "created_at": created,
        "updated_at": created + timedelta(days=len(path) - 1),
    }
    items = [
        {
            "variant_id": v.id,
            "product_id": v.product_id,
            "product_name": v.name,
            "product_slug": v.slug,
            "sku": v.sku,
            "options": v.options,
            "quantity": qty,
            "unit_price": v.prices[currency],
            "total": v.prices[currency] * qty,
        }
        for v, qty in lines
    ]
    events = [
        {
            "from_status": None if step == 0 else path[step - 1].value,
            "to_status": status.value,
            "actor_id": user_id if step == 0 else None,
            "actor_role": "customer" if step == 0 else "system",
            "created_at": created + timedelta(days=step),
        }
        for step, status in enumerate(path)
    ]
    return _Draft(order, items, events)


def _weighted(rng: random.Random, table: tuple) -> object:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _address(n: int, country: str) -> dict[str, str]:
    return {
        "recipient_name": f"Customer {n % 997}",
        "line1": f"{n % 200 + 1} Market Road",
        "country": country,
    }


def _variant_pool() -> list[_Variant]:
    """Active variants priced in every currency orders are seeded in."""
    priced = (
        sa.select(VariantPrice.variant_id)
        .where(VariantPrice.currency.in_(CURRENCY_COUNTRY))
        .group_by(VariantPrice.variant_id)
        .having(sa.func.count() == len(CURRENCY_COUNTRY))
        .order_by(VariantPrice.variant_id)
        .limit(VARIANT_POOL)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(ProductVariant, Product.name, Product.slug)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.id.in_(priced))
    ).all()
    prices: dict[int, dict[str, int]] = {}
    for vid, currency, amount in db.session.execute(
        sa.select(VariantPrice.variant_id, VariantPrice.currency, VariantPrice.amount).where(
            VariantPrice.variant_id.in_(priced)
        )
    ):
        prices.setdefault(vid, {})[currency] = amount
    return [
        _Variant(v.id, v.product_id, name, slug, v.sku, dict(v.options or {}), prices[v.id])
        for v, name, slug in rows
    ]


def _customers(count: int) -> list[int]:
    """Ids of ``count`` history customers, creating the missing ones in bulk.

    They share one argon2 hash of a random password nobody knows: real accounts that
    cannot be logged into, at the cost of a single hash.
    """
    emails = [f"customer{i:05d}@{CUSTOMER_DOMAIN}" for i in range(count)]
    existing = dict(db.session.execute(sa.select(User.email, User.id).where(User.email.in_(emails))).all())
    missing = [e for e in emails if e not in existing]
    if missing:
        shared = hash_password(f"unusable-{random.SystemRandom().getrandbits(128):x}")
        ids = db.session.scalars(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [{"email": e, "password_hash": shared, "role": "customer"} for e in missing],
        ).all()
        db.session.execute(
            sa.insert(Profile),
            [{"user_id": uid, "full_name": f"Customer {uid}", "country": "NG"} for uid in ids],
        )
        existing.update(zip(missing, ids, strict=True))
    return [existing[e] for e in emails]
