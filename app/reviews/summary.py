"""The rating summary stored on each product: average, count and a histogram of stars.

Recomputed from the visible reviews inside the transaction of every review write, with
the product row locked, so two reviews saved at once cannot both miss each other. The
columns change through the ORM, so the catalog's after-commit invalidation retires the
cached product pages and lists that show them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from app.core.transactions import locked
from app.extensions import db
from app.products.models import Product
from app.reviews.models import Review

STARS = range(1, 6)


def refresh_product_rating(product_id: int) -> None:
    """Recompute one product's summary in the caller's transaction (the caller commits)."""
    # FOR NO KEY UPDATE: review rows written in this transaction hold KEY SHARE locks on the
    # product (their foreign key), which a plain FOR UPDATE of another writer would wait on:
    # two reviews would deadlock. lazyload: the lock must not reach the category's outer join.
    query = sa.select(Product).where(Product.id == product_id).options(lazyload(Product.category))
    product = db.session.scalar(locked(query, key_share=True))
    if product is None:
        return
    counts = dict(
        db.session.execute(
            sa.select(Review.rating, sa.func.count())
            .where(Review.product_id == product_id, Review.is_hidden.is_(False))
            .group_by(Review.rating)
        ).all()
    )
    histogram = {str(star): counts.get(star, 0) for star in STARS}
    total = sum(histogram.values())
    stars = sum(star * counts.get(star, 0) for star in STARS)
    average = (Decimal(stars) / total).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else Decimal("0")
    product.rating_average = average
    product.rating_count = total
    product.rating_histogram = histogram
