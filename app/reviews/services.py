"""Review rules: one review per customer and product, author-only edits, staff moderation,
helpful votes, and the product's rating summary kept in step with every write.

Plain functions, each owning its transaction and raising ``AppError`` subclasses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core.errors import ConflictError, ErrorCode, NotFoundError, ValidationError
from app.core.models import utcnow
from app.extensions import db
from app.products.models import Product
from app.reviews.models import Review, ReviewVote
from app.reviews.purchases import has_received
from app.reviews.summary import refresh_product_rating

EDITABLE = ("rating", "title", "body")
SORTS: dict[str, tuple[Any, ...]] = {
    "newest": (Review.created_at.desc(),),
    "highest": (Review.rating.desc(), Review.created_at.desc()),
    "lowest": (Review.rating.asc(), Review.created_at.desc()),
    "most_helpful": (Review.helpful_count.desc(), Review.created_at.desc()),
}
ALREADY_REVIEWED = "You have already reviewed this product; edit your review instead."


def _product(slug: str) -> Product:
    product = db.session.scalar(sa.select(Product).where(Product.slug == slug))
    if product is None or not product.is_active:
        raise NotFoundError("No such product.")
    return product


def _with_author(query: sa.Select) -> sa.Select:
    return query.options(joinedload(Review.author), joinedload(Review.product))


def list_reviews(
    slug: str, sort: str = "newest", rating: int | None = None, verified: bool | None = None
) -> sa.Select:
    """A product's visible reviews in the chosen order; paginated by the caller."""
    product = _product(slug)
    query = sa.select(Review).where(Review.product_id == product.id, Review.is_hidden.is_(False))
    if rating is not None:
        query = query.where(Review.rating == rating)
    if verified is not None:
        query = query.where(Review.verified_purchase.is_(verified))
    return _with_author(query).order_by(*SORTS[sort], Review.id.desc())


def list_for_moderation(hidden: bool | None = None, product: str | None = None) -> sa.Select:
    """Staff: every review, newest first, optionally only (un)hidden ones or one product's."""
    query = sa.select(Review)
    if hidden is not None:
        query = query.where(Review.is_hidden.is_(hidden))
    if product is not None:
        query = query.where(Review.product_id == _product(product).id)
    return _with_author(query).order_by(Review.created_at.desc(), Review.id.desc())


def _commit_with_summary(review: Review) -> Review:
    """Refresh the product's summary in the same transaction, then commit."""
    try:
        db.session.flush()
        refresh_product_rating(review.product_id)
        db.session.commit()
    except IntegrityError as exc:  # a second review by the same customer saved at the same moment
        db.session.rollback()
        raise ConflictError(ALREADY_REVIEWED, code=ErrorCode.ALREADY_REVIEWED) from exc
    return review


def create_review(user: User, slug: str, data: Mapping[str, Any]) -> Review:
    """Review a product once; ``verified_purchase`` when the customer has received it."""
    product = _product(slug)
    exists = sa.select(Review.id).where(Review.product_id == product.id, Review.user_id == user.id)
    if db.session.scalar(exists) is not None:
        raise ConflictError(ALREADY_REVIEWED, code=ErrorCode.ALREADY_REVIEWED)
    review = Review(
        product_id=product.id,
        user_id=user.id,
        verified_purchase=has_received(user.id, product.id),
        **{field: data[field] for field in EDITABLE},
    )
    db.session.add(review)
    return _commit_with_summary(review)


def _review(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        raise NotFoundError("No such review.")
    return review


def _own_review(user: User, review_id: int) -> Review:
    """The author's review; someone else's is a 404, as if it did not exist."""
    review = _review(review_id)
    if review.user_id != user.id:
        raise NotFoundError("No such review.")
    return review


def update_review(user: User, review_id: int, changes: Mapping[str, Any]) -> Review:
    """The author edits; the purchase badge is re-checked (the parcel may have arrived since)."""
    review = _own_review(user, review_id)
    for field in EDITABLE:
        if field in changes:
            setattr(review, field, changes[field])
    review.verified_purchase = review.verified_purchase or has_received(user.id, review.product_id)
    return _commit_with_summary(review)


def delete_review(user: User, review_id: int) -> None:
    """Delete the author's review and its votes (explicitly: SQLite enforces no cascades)."""
    review = _own_review(user, review_id)
    db.session.execute(sa.delete(ReviewVote).where(ReviewVote.review_id == review.id))
    db.session.delete(review)
    _commit_with_summary(review)


def hide_review(staff: User, review_id: int, reason: str) -> Review:
    """Staff: take a review out of sight (and out of the rating), saying why."""
    review = _review(review_id)
    review.is_hidden, review.hidden_reason = True, reason
    review.hidden_by_id, review.hidden_at = staff.id, utcnow()
    return _commit_with_summary(review)


def unhide_review(review_id: int) -> Review:
    """Staff: restore a hidden review."""
    review = _review(review_id)
    review.is_hidden, review.hidden_reason, review.hidden_by_id, review.hidden_at = False, None, None, None
    return _commit_with_summary(review)


def _votable(user: User, review_id: int) -> Review:
    review = _review(review_id)
    if review.is_hidden:
        raise NotFoundError("No such review.")
    if review.user_id == user.id:
        raise ValidationError(
            "You cannot vote for your own review.", code=ErrorCode.OWN_REVIEW, details={"review": [review_id]}
        )
    return review


def _count_vote(review_id: int, delta: int) -> None:
    """Move ``helpful_count`` in SQL (no lost update), leaving ``updated_at`` as the author left it."""
    db.session.execute(
        sa.update(Review)
        .where(Review.id == review_id)
        .values(helpful_count=Review.helpful_count + delta, updated_at=Review.updated_at)
        .execution_options(synchronize_session=False)
    )


def vote_helpful(user: User, review_id: int) -> Review:
    """Mark a review helpful; a second vote by the same user changes nothing."""
    review = _votable(user, review_id)
    if db.session.get(ReviewVote, (review.id, user.id)) is None:
        db.session.add(ReviewVote(review_id=review.id, user_id=user.id))
        try:
            db.session.flush()
        except IntegrityError:  # the same vote, sent twice at once: the other one counted
            db.session.rollback()
            return _review(review_id)
        _count_vote(review.id, +1)
        db.session.commit()
    return review


def withdraw_vote(user: User, review_id: int) -> Review:
    """Take a helpful vote back; withdrawing one never cast changes nothing."""
    review = _votable(user, review_id)
    deleted = db.session.execute(
        sa.delete(ReviewVote).where(ReviewVote.review_id == review.id, ReviewVote.user_id == user.id)
    ).rowcount
    if deleted:
        _count_vote(review.id, -1)
    db.session.commit()
    return review
