"""The FAQ: a public, cached read, and staff edits that clear the cache on commit.

The public page is read far more often than it changes, so the whole rendered FAQ sits
in the shared cache; each staff write deletes it after its commit, so the next reader
rebuilds it from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import cache, db
from app.support.models import Faq, FaqCategory

CACHE_KEY = "support:faqs:v1"
FAQ_FIELDS = ("question", "answer", "position", "is_published")
CATEGORY_FIELDS = ("slug", "name", "position")


def _faq_view(faq: Faq) -> dict[str, Any]:
    return {
        "id": faq.id,
        "question": faq.question,
        "answer": faq.answer,
        "position": faq.position,
        "is_published": faq.is_published,
        "category": faq.category.slug,
    }


def _published() -> list[dict[str, Any]]:
    categories = db.session.scalars(
        sa.select(FaqCategory)
        .options(selectinload(FaqCategory.faqs))
        .order_by(FaqCategory.position, FaqCategory.id)
    )
    tree = []
    for category in categories:
        faqs = [_faq_view(faq) for faq in category.faqs if faq.is_published]
        if faqs:
            tree.append({"slug": category.slug, "name": category.name, "faqs": faqs})
    return tree


def published_faqs() -> list[dict[str, Any]]:
    """Published questions grouped by category, in position order; served from the cache."""
    tree = cache.get(CACHE_KEY)
    if tree is None:
        tree = _published()
        cache.set(CACHE_KEY, tree, timeout=current_app.config["SUPPORT_FAQ_CACHE_SECONDS"])
    return tree


def _commit() -> None:
    """Commit, then drop the cached FAQ; a slug taken by a concurrent write is a 409."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError("An FAQ category with this slug already exists.") from exc
    cache.delete(CACHE_KEY)


def list_all(category: str | None = None) -> sa.Select:
    """Staff: every question, drafts included, in page order; paginated by the caller."""
    query = sa.select(Faq).join(FaqCategory).options(selectinload(Faq.category))
    if category is not None:
        query = query.where(FaqCategory.slug == category)
    return query.order_by(FaqCategory.position, FaqCategory.id, Faq.position, Faq.id)


def _category_by_slug(slug: str) -> FaqCategory:
    category = db.session.scalar(sa.select(FaqCategory).where(FaqCategory.slug == slug))
    if category is None:
        raise ValidationError("Unknown FAQ category.", details={"category": [f"No category {slug!r}."]})
    return category


def _faq(faq_id: int) -> Faq:
    faq = db.session.get(Faq, faq_id)
    if faq is None:
        raise NotFoundError("No such question.")
    return faq


def _apply(target: Any, data: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in data:
            setattr(target, field, data[field])


def create_faq(data: Mapping[str, Any]) -> Faq:
    faq = Faq(category=_category_by_slug(data["category"]))
    _apply(faq, data, FAQ_FIELDS)
    db.session.add(faq)
    _commit()
    return faq


def update_faq(faq_id: int, changes: Mapping[str, Any]) -> Faq:
    faq = _faq(faq_id)
    if "category" in changes:
        faq.category = _category_by_slug(changes["category"])
    _apply(faq, changes, FAQ_FIELDS)
    _commit()
    return faq


def delete_faq(faq_id: int) -> None:
    db.session.delete(_faq(faq_id))
    _commit()


def list_categories() -> sa.Select:
    return sa.select(FaqCategory).order_by(FaqCategory.position, FaqCategory.id)


def _category(category_id: int) -> FaqCategory:
    category = db.session.get(FaqCategory, category_id)
    if category is None:
        raise NotFoundError("No such FAQ category.")
    return category


def _ensure_slug_free(slug: str, except_id: int | None = None) -> None:
    query = sa.select(FaqCategory.id).where(FaqCategory.slug == slug)
    if except_id is not None:
        query = query.where(FaqCategory.id != except_id)
    if db.session.scalar(query) is not None:
        raise ConflictError("An FAQ category with this slug already exists.")


def create_category(data: Mapping[str, Any]) -> FaqCategory:
    _ensure_slug_free(data["slug"])
    category = FaqCategory()
    _apply(category, data, CATEGORY_FIELDS)
    db.session.add(category)
    _commit()
    return category


def update_category(category_id: int, changes: Mapping[str, Any]) -> FaqCategory:
    category = _category(category_id)
    if "slug" in changes:
        _ensure_slug_free(changes["slug"], except_id=category.id)
    _apply(category, changes, CATEGORY_FIELDS)
    _commit()
    return category


def delete_category(category_id: int) -> None:
    """Delete an empty category; one still holding questions is a 409."""
    category = _category(category_id)
    if db.session.scalar(sa.select(sa.func.count()).where(Faq.category_id == category.id)):
        raise ConflictError("Move or delete this category's questions first.")
    db.session.delete(category)
    _commit()
