"""Staff management of coupon codes (the rules themselves live in ``coupons``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.cart.models import Coupon
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db
from app.products.models import Category, Product

FIELDS = (
    "description",
    "kind",
    "percent_off",
    "amounts_off",
    "min_subtotals",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_user_limit",
    "is_active",
)


def list_coupons(active: bool | None = None) -> sa.Select:
    query = sa.select(Coupon).order_by(Coupon.id.desc())
    return query if active is None else query.where(Coupon.is_active == active)


def get_coupon(coupon_id: int) -> Coupon:
    coupon = db.session.get(Coupon, coupon_id)
    if coupon is None:
        raise NotFoundError("No such coupon.")
    return coupon


def _by_ids(model: type, ids: list[int], field: str) -> list[Any]:
    found = list(db.session.scalars(sa.select(model).where(model.id.in_(ids))))
    missing = sorted(set(ids) - {row.id for row in found})
    if missing:
        raise ValidationError(f"Unknown {field}: {missing}.", details={field: [f"Unknown ids {missing}."]})
    return found


def _apply(coupon: Coupon, data: Mapping[str, Any]) -> None:
    for field in FIELDS:
        if field in data:
            setattr(coupon, field, data[field])
    if "code" in data:
        coupon.code = data["code"].strip().upper()
    if "product_ids" in data:
        coupon.products = _by_ids(Product, data["product_ids"], "product_ids")
    if "category_ids" in data:
        coupon.categories = _by_ids(Category, data["category_ids"], "category_ids")
    if coupon.kind == "percentage" and not coupon.percent_off:
        raise ValidationError(
            "A percentage coupon needs percent_off.", details={"percent_off": ["Required."]}
        )
    if coupon.kind == "fixed" and not coupon.amounts_off:
        raise ValidationError("A fixed coupon needs amounts_off.", details={"amounts_off": ["Required."]})
    if coupon.starts_at and coupon.ends_at and coupon.ends_at <= coupon.starts_at:
        raise ValidationError("ends_at must be after starts_at.", details={"ends_at": ["Before starts_at."]})


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ConflictError("A coupon with this code already exists.") from exc


def create_coupon(data: Mapping[str, Any]) -> Coupon:
    coupon = Coupon(amounts_off={}, min_subtotals={}, used_count=0, is_active=True)
    _apply(coupon, data)
    db.session.add(coupon)
    _commit()
    return coupon


def update_coupon(coupon_id: int, changes: Mapping[str, Any]) -> Coupon:
    coupon = get_coupon(coupon_id)
    _apply(coupon, changes)
    _commit()
    return coupon


def delete_coupon(coupon_id: int) -> None:
    """Deactivate rather than delete once used: redemptions keep their history."""
    coupon = get_coupon(coupon_id)
    if coupon.used_count:
        coupon.is_active = False
    else:
        db.session.delete(coupon)
    db.session.commit()
