"""``flask seed`` adds demo reviews (with their products' rating summaries) and the FAQ, once."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.products.models import Product
from app.reviews.models import Review
from app.reviews.seed import DEMO_REVIEWS
from app.support.models import Faq


def test_seed_adds_reviews_and_faqs_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert f"Demo reviews: {len(DEMO_REVIEWS)} added" in first.output
    second = runner.invoke(args=["seed"])
    assert "Demo reviews: 0 added; FAQ: 0 questions added." in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == len(DEMO_REVIEWS)
    review = db.session.scalars(sa.select(Review).order_by(Review.id)).first()
    product = db.session.get(Product, review.product_id)
    assert product.rating_count == 1
    assert product.rating_histogram[str(review.rating)] == 1
    faqs = db.session.scalar(sa.select(sa.func.count()).select_from(Faq))
    assert faqs > 0
    sections = client.get("/api/faqs/").json
    assert sum(len(section["faqs"]) for section in sections) == faqs
