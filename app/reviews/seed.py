"""Demo reviews: the demo customers review the first demo products (idempotent)."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.products.models import Product
from app.reviews import services
from app.reviews.models import Review

#: (stars, title, body), given in turn to the demo products.
DEMO_REVIEWS = (
    (5, "Worth every naira", "Arrived in Lagos in two days, well packed, exactly as pictured."),
    (4, "Good value", "Does the job. The instructions could be clearer, but support answered fast."),
    (5, "Bought a second one", "My mother in Kisumu liked it so much I ordered another for her."),
    (3, "Okay", "Decent quality for the price; the colour is a little darker than in the photos."),
    (4, "Solid", "Picked it up at the Jibowu bus station; the collection code worked first time."),
    (2, "Not for me", "Smaller than I expected. Returning it was easy though."),
)


def seed_reviews(customer_emails: list[str]) -> int:
    """Each demo customer reviews the first demo products once; returns reviews added.

    Goes through ``services.create_review``, so each product's rating summary is right.
    """
    customers = list(db.session.scalars(sa.select(User).where(User.email.in_(customer_emails))))
    products = list(
        db.session.scalars(
            sa.select(Product).where(Product.is_active).order_by(Product.id).limit(len(DEMO_REVIEWS))
        )
    )
    added = 0
    for user in customers:
        reviewed = set(db.session.scalars(sa.select(Review.product_id).where(Review.user_id == user.id)))
        for product, (stars, title, body) in zip(products, DEMO_REVIEWS, strict=False):
            if product.id not in reviewed:
                services.create_review(user, product.slug, {"rating": stars, "title": title, "body": body})
                added += 1
    return added
