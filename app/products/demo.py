"""Demo catalog for ``flask seed``: a shop selling in Nigeria, Kenya, Ghana, Uganda and worldwide.

Everything is derived from fixed tables and a seeded random generator, so every run
produces the same shop and a second run only adds what is missing. ``seed_bulk`` adds
thousands of products with set-based inserts for benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from itertools import islice, product

import sqlalchemy as sa

from app.core.models import utcnow
from app.core.money import Money
from app.extensions import db
from app.products import cache, offers
from app.products.demo_data import LINES, PER_LINE, RATES, TAGS, Line
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
    product_tags,
)
from app.products.slugs import slugify


def local_prices(usd_cents: int) -> dict[str, int]:
    """The same price in each currency, in minor units, rounded to a believable step."""
    prices = {}
    for currency, (rate, step) in RATES.items():
        major = Decimal(usd_cents) / 100 * rate
        rounded = max((major / Decimal(step)).quantize(Decimal(1)) * Decimal(step), Decimal(step))
        prices[currency] = Money.from_major(rounded, currency).amount
    return prices


def _categories() -> dict[str, Category]:
    """The category tree (parents, then leaves), creating what is missing."""
    existing = {c.slug: c for c in db.session.scalars(sa.select(Category))}
    names = list(dict.fromkeys([line.parent for line in LINES]))
    tree = [(name, None) for name in names] + [(line.category, line.parent) for line in LINES]
    by_name: dict[str, Category] = {}
    for position, (name, parent) in enumerate(tree):
        category = existing.get(slugify(name))
        if category is None:
            category = Category(
                slug=slugify(name), name=name, position=position, parent=by_name.get(parent or "")
            )
            db.session.add(category)
            db.session.flush()
            category.path = f"{category.parent.path if category.parent else '/'}{category.id}/"
        by_name[name] = category
    return by_name


def _tags() -> list[Tag]:
    existing = {t.slug: t for t in db.session.scalars(sa.select(Tag))}
    tags = [existing.get(slugify(name)) or Tag(slug=slugify(name), name=name) for name in TAGS]
    db.session.add_all(tags)
    return tags


def _demo_products(rng: random.Random) -> Iterator[tuple[Line, str, str]]:
    """(line, name, brand) of every demo product, always in the same order."""
    for line in LINES:
        combos = list(product(line.styles, line.items))
        rng.shuffle(combos)
        for style, item in islice(combos, PER_LINE):
            yield line, f"{style} {item}", rng.choice(line.brands)


def _variant_rows(rng: random.Random, line: Line, sku_base: str) -> list[dict]:
    """Variants of one product: options, stock (some low, some out) and local prices."""
    base = rng.randint(*line.usd) * 100
    rows = []
    for index, options in enumerate(line.options):
        stock = rng.choice((0, 2, 4, 12, 25, 40, 80, 150))
        rows.append(
            {
                "sku": f"{sku_base}-{index + 1}",
                "options": options,
                "stock_on_hand": stock,
                "weight_grams": rng.randint(50, 3000),
                "position": index,
                "prices": local_prices(base + index * base // 10),
            }
        )
    return rows


def seed_catalog() -> dict[str, int]:
    """Create the demo catalog's missing parts; returns how many rows of each were added."""
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not secrets
    categories, tags = _categories(), _tags()
    taken = set(db.session.scalars(sa.select(Product.slug)))
    added = {"products": 0, "promotions": 0, "collections": 0}
    now = utcnow()
    for number, (line, name, brand) in enumerate(_demo_products(rng), start=1):
        slug = slugify(name)
        if slug in taken:
            continue
        taken.add(slug)
        own = random.Random(slug)  # noqa: S311 - per product, so skipping one changes no other
        variants = _variant_rows(own, line, f"DEMO-{number:04d}")
        rating = own.choice((0, 3.8, 4.2, 4.5, 4.9))
        item = Product(
            slug=slug,
            name=name,
            brand=brand,
            category=categories[line.category],
            description=f"{name} by {brand}. Quality {line.category.lower()} for everyday life, shipped "
            "across Nigeria, Kenya, Ghana and Uganda, and worldwide.",
            attributes={"origin": own.choice(("Nigeria", "Kenya", "Ghana", "Uganda", "Rwanda"))},
            rating_average=Decimal(str(rating)),
            rating_count=own.randint(3, 250) if rating else 0,
            sales_count=own.randint(0, 900),
            tags=own.sample(tags, k=own.randint(0, 2)),
            created_at=now - timedelta(days=own.randint(0, 180)),
            images=[ProductImage(url=f"https://picsum.photos/seed/{slug}/800/800", alt_text=name)],
        )
        for row in variants:
            prices = row.pop("prices")
            variant = ProductVariant(
                **row, prices=[VariantPrice(currency=c, amount=a) for c, a in prices.items()]
            )
            item.variants.append(variant)
        db.session.add(item)
        added["products"] += 1
    db.session.flush()
    added["promotions"] = _promotions(categories, now)
    added["collections"] = _collections()
    db.session.commit()
    return added


def _promotions(categories: dict[str, Category], now) -> int:
    existing = set(db.session.scalars(sa.select(Promotion.name)))
    wanted = [
        Promotion(
            name="Detty December Fashion Sale",
            kind="percentage",
            percent_off=15,
            starts_at=now - timedelta(days=3),
            ends_at=now + timedelta(days=30),
            categories=[categories["Fashion"]],
            amounts_off={},
        ),
        Promotion(
            name="Solar Week",
            kind="fixed",
            amounts_off={"NGN": 500_000, "KES": 50_000, "GHS": 5_000, "UGX": 15_000, "USD": 300},
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=6),
            categories=[categories["Solar & Power"]],
        ),
        Promotion(
            name="Back to School",
            kind="percentage",
            percent_off=10,
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=21),
            categories=[categories["Books & Stationery"]],
            amounts_off={},
        ),
    ]
    new = [promotion for promotion in wanted if promotion.name not in existing]
    db.session.add_all(new)
    return len(new)


def _collections() -> int:
    existing = set(db.session.scalars(sa.select(Collection.slug)))
    featured = list(db.session.scalars(sa.select(Product.id).order_by(Product.rating_count.desc()).limit(8)))
    wanted = [
        Collection(
            slug="featured",
            name="Featured",
            kind="manual",
            position=0,
            items=[CollectionItem(product_id=pid, position=i) for i, pid in enumerate(featured)],
        ),
        Collection(slug="new-arrivals", name="New arrivals", kind="newest", position=1),
        Collection(slug="best-sellers", name="Best sellers", kind="best_sellers", position=2),
        Collection(slug="top-rated", name="Top rated", kind="top_rated", position=3),
    ]
    new = [collection for collection in wanted if collection.slug not in existing]
    db.session.add_all(new)
    return len(new)


def seed_bulk(total: int, batch: int = 2000) -> int:
    """Grow the benchmark catalog to ``total`` products with set-based inserts; returns how many."""
    rng = random.Random(total)  # noqa: S311 - reproducible demo data, not secrets
    categories = _categories()
    tags = _tags()
    db.session.flush()
    prefix = "BULK-"
    have = db.session.scalar(sa.select(sa.func.count()).where(ProductVariant.sku.like(f"{prefix}%-1"))) or 0
    now, created = utcnow(), 0
    for start in range(have + 1, total + 1, batch):
        numbers = range(start, min(start + batch, total + 1))
        lines = [LINES[n % len(LINES)] for n in numbers]
        names = [
            f"{rng.choice(line.styles)} {rng.choice(line.items)} {n}"
            for n, line in zip(numbers, lines, strict=True)
        ]
        product_ids = db.session.scalars(
            sa.insert(Product).returning(Product.id, sort_by_parameter_order=True),
            [
                {
                    "slug": f"{slugify(name)}-bulk",
                    "name": name,
                    "brand": rng.choice(line.brands),
                    "category_id": categories[line.category].id,
                    "description": f"{name}: benchmark product.",
                    "attributes": {},
                    "sales_count": rng.randint(0, 500),
                    "created_at": now - timedelta(minutes=n),
                }
                for n, name, line in zip(numbers, names, lines, strict=True)
            ],
        ).all()
        variant_rows, price_rows = [], []
        for n, product_id, line in zip(numbers, product_ids, lines, strict=True):
            for row in _variant_rows(rng, line, f"{prefix}{n:07d}"):
                price_rows.append(row.pop("prices"))
                variant_rows.append({**row, "product_id": product_id})
        variant_ids = db.session.scalars(
            sa.insert(ProductVariant).returning(ProductVariant.id, sort_by_parameter_order=True), variant_rows
        ).all()
        db.session.execute(
            sa.insert(VariantPrice),
            [
                {"variant_id": vid, "currency": c, "amount": a}
                for vid, p in zip(variant_ids, price_rows, strict=True)
                for c, a in p.items()
            ],
        )
        db.session.execute(
            sa.insert(product_tags),
            [{"product_id": pid, "tag_id": tags[pid % len(tags)].id} for pid in product_ids],
        )
        offers.refresh(db.session.connection(), product_ids)  # set-based inserts bypass its listener
        created += len(product_ids)
    db.session.commit()
    cache.invalidate_all()  # set-based inserts bypass the ORM events that invalidate
    return created
