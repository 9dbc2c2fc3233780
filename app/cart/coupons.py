"""Coupon rules: who may use a code, on what, and how much it takes off.

Checked when a code is applied and again at checkout (a code may expire or run out in
between); counted only when the order is placed, atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.cart.models import Coupon, CouponRedemption
from app.core.errors import ConflictError, ErrorCode, ValidationError
from app.core.models import utcnow
from app.extensions import db


@dataclass(frozen=True, slots=True)
class Line:
    """What coupon scope and discount need to know about one cart or order line."""

    product_id: int
    category_path: str | None
    quantity: int
    unit_price: int

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


def coupon_error(reason: str) -> ValidationError:
    return ValidationError(f"This coupon cannot be used: {reason}", code=ErrorCode.COUPON_INVALID)


def find_coupon(code: str) -> Coupon:
    coupon = db.session.scalar(sa.select(Coupon).where(Coupon.code == code.strip().upper()))
    if coupon is None or not coupon.is_active:
        raise coupon_error("unknown code.")
    return coupon


def _in_scope(coupon: Coupon, line: Line) -> bool:
    if not coupon.products and not coupon.categories:
        return True
    if any(product.id == line.product_id for product in coupon.products):
        return True
    return bool(line.category_path) and any(
        line.category_path.startswith(category.path) for category in coupon.categories
    )


def eligible_subtotal(coupon: Coupon, lines: Sequence[Line]) -> int:
    return sum(line.total for line in lines if _in_scope(coupon, line))


def uses_by(coupon: Coupon, user_id: int | None) -> int:
    if user_id is None:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CouponRedemption)
        .where(CouponRedemption.coupon_id == coupon.id, CouponRedemption.user_id == user_id)
    )


def check_coupon(
    coupon: Coupon, lines: Sequence[Line], currency: str, user_id: int | None, now: datetime | None = None
) -> int:
    """The discount ``coupon`` gives on ``lines`` now, or ``ValidationError`` saying why not."""
    now = now or utcnow()
    if not coupon.is_active:
        raise coupon_error("it is no longer active.")
    if coupon.starts_at and now < coupon.starts_at:
        raise coupon_error("it is not valid yet.")
    if coupon.ends_at and now >= coupon.ends_at:
        raise coupon_error("it has expired.")
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        raise ConflictError("This coupon has been used up.", code=ErrorCode.COUPON_EXHAUSTED)
    if coupon.per_user_limit is not None and uses_by(coupon, user_id) >= coupon.per_user_limit:
        raise coupon_error("you have already used it.")
    if coupon.kind == "fixed" and currency not in coupon.amounts_off:
        raise coupon_error(f"it does not apply to {currency} carts.")
    subtotal = sum(line.total for line in lines)
    minimum = coupon.min_subtotals.get(currency)
    if minimum is not None and subtotal < minimum:
        raise coupon_error(f"the cart must come to at least {minimum} (minor units of {currency}).")
    eligible = eligible_subtotal(coupon, lines)
    if eligible == 0:
        raise coupon_error("no item in the cart qualifies.")
    if coupon.kind == "percentage":
        return eligible * (coupon.percent_off or 0) // 100
    return min(coupon.amounts_off[currency], eligible)


def redeem(coupon: Coupon, user_id: int, order_id: int, amount: int) -> None:
    """Count one use, in the caller's transaction; the last use goes to exactly one order.

    The conditional UPDATE locks the coupon row until commit, so the per-user count read
    after it cannot race with the same user's other checkout either.
    """
    table = Coupon.__table__
    taken = db.session.execute(
        sa.update(table)
        .where(table.c.id == coupon.id)
        .where(sa.or_(table.c.usage_limit.is_(None), table.c.used_count < table.c.usage_limit))
        .values(used_count=table.c.used_count + 1)
    ).rowcount
    if not taken:
        raise ConflictError("This coupon has been used up.", code=ErrorCode.COUPON_EXHAUSTED)
    if coupon.per_user_limit is not None and uses_by(coupon, user_id) >= coupon.per_user_limit:
        raise coupon_error("you have already used it.")
    db.session.add(
        CouponRedemption(
            coupon_id=coupon.id, user_id=user_id, order_id=order_id, amount=amount, created_at=utcnow()
        )
    )
