"""Demo coupon codes, so a fresh shop can show a discount at checkout."""

from __future__ import annotations

import sqlalchemy as sa

from app.cart.models import Coupon
from app.extensions import db

DEMO_COUPONS = (
    {"code": "KARIBU10", "description": "10 % off your first order", "kind": "percentage", "percent_off": 10},
    {
        "code": "AKWAABA500",
        "description": "₦500 / KSh 50 / GH₵ 5 off orders above ₦10,000 / KSh 1,000 / GH₵ 100",
        "kind": "fixed",
        "amounts_off": {"NGN": 50_000, "KES": 5_000, "GHS": 500},
        "min_subtotals": {"NGN": 1_000_000, "KES": 100_000, "GHS": 10_000},
    },
)


def seed_coupons() -> int:
    """Create the demo coupons that are missing; returns how many were added."""
    existing = set(db.session.scalars(sa.select(Coupon.code)))
    added = [Coupon(**fields) for fields in DEMO_COUPONS if fields["code"] not in existing]
    db.session.add_all(added)
    db.session.commit()
    return len(added)
