"""Categories (a tree kept as materialised paths) and tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.core.errors import ConflictError, ValidationError
from app.extensions import db
from app.products.models import Category, Product, Tag
from app.products.services import category_by_slug, commit
from app.products.slugs import change_slug, get_by_slug, new_slug

CATEGORY_FIELDS = ("name", "description", "position", "is_active")


def category_tree(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    """The whole tree, nested, from one query; an inactive category hides its subtree."""
    stmt = sa.select(Category).order_by(Category.position, Category.name)
    nodes: dict[int, dict[str, Any]] = {}
    categories = list(db.session.scalars(stmt))
    for category in categories:
        nodes[category.id] = {
            "id": category.id,
            "slug": category.slug,
            "name": category.name,
            "description": category.description,
            "position": category.position,
            "is_active": category.is_active,
            "parent": None,
            "children": [],
        }
    roots = []
    for category in categories:
        if not (category.is_active or include_inactive):
            continue
        node = nodes[category.id]
        if category.parent_id is None:
            roots.append(node)
        elif category.parent_id in nodes:
            parent = nodes[category.parent_id]
            node["parent"] = parent["slug"]
            parent["children"].append(node)
    return roots


def _move(category: Category, parent: Category | None) -> None:
    """Re-parent ``category``, rewriting its path and every descendant's in one UPDATE."""
    if parent is not None and parent.path.startswith(category.path):
        raise ValidationError(
            "A category cannot move under itself or its descendants.",
            details={"parent": ["Would create a cycle."]},
        )
    old_path = category.path
    new_path = f"{parent.path if parent else '/'}{category.id}/"
    category.parent = parent
    category.path = new_path
    db.session.execute(
        sa.update(Category)
        .where(Category.path.startswith(old_path), Category.id != category.id)
        .values(path=sa.literal(new_path) + sa.func.substr(Category.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )


def create_category(data: Mapping[str, Any]) -> Category:
    parent = category_by_slug(data.get("parent"), field="parent")
    slug = new_slug(Category.slug, data.get("slug"), data["name"], "category")
    category = Category(slug=slug, parent=parent)
    for name in CATEGORY_FIELDS:
        if name in data:
            setattr(category, name, data[name])
    db.session.add(category)
    db.session.flush()  # the id is part of the path
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    commit("A category with this slug already exists.")
    return category


def update_category(slug: str, data: Mapping[str, Any]) -> Category:
    category = get_by_slug(Category, slug, "category")
    change_slug(category, data.get("slug"), "category")
    for name in CATEGORY_FIELDS:
        if name in data:
            setattr(category, name, data[name])
    if "parent" in data:
        _move(category, category_by_slug(data["parent"], field="parent"))
    commit("A category with this slug already exists.")
    return category


def delete_category(slug: str) -> None:
    """Delete an empty leaf; a category with products or children is a 409."""
    category = get_by_slug(Category, slug, "category")
    in_use = db.session.scalar(
        sa.select(
            sa.or_(
                sa.exists().where(Category.parent_id == category.id),
                sa.exists().where(Product.category_id == category.id),
            )
        )
    )
    if in_use:
        raise ConflictError("Move or delete its products and subcategories first.")
    db.session.delete(category)
    db.session.commit()


def category_view(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "description": category.description,
        "position": category.position,
        "is_active": category.is_active,
        "parent": category.parent.slug if category.parent else None,
        "children": [],
    }


# ---- tags -----------------------------------------------------------------------------


def list_tags() -> list[Tag]:
    return list(db.session.scalars(sa.select(Tag).order_by(Tag.name)))


def create_tag(data: Mapping[str, Any]) -> Tag:
    tag = Tag(name=data["name"], slug=new_slug(Tag.slug, data.get("slug"), data["name"], "tag"))
    db.session.add(tag)
    commit("A tag with this slug already exists.")
    return tag


def update_tag(slug: str, data: Mapping[str, Any]) -> Tag:
    tag = get_by_slug(Tag, slug, "tag")
    change_slug(tag, data.get("slug"), "tag")
    if "name" in data:
        tag.name = data["name"]
    commit("A tag with this slug already exists.")
    return tag


def delete_tag(slug: str) -> None:
    db.session.delete(get_by_slug(Tag, slug, "tag"))
    db.session.commit()
