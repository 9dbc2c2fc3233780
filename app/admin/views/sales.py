"""Coupons, written through ``app.cart.coupon_admin`` (code normalised, kind rules, a used
coupon retired instead of deleted)."""

from __future__ import annotations

from typing import Any

from wtforms.validators import NumberRange, Optional

from app.admin.base import ServiceModelView, where
from app.admin.fields import AmountsField
from app.admin.formatting import amounts_column
from app.cart import coupon_admin
from app.cart.models import Coupon
from app.extensions import db

CATEGORY = "Sales"


class CouponView(ServiceModelView):
    column_list = (
        "code",
        "kind",
        "percent_off",
        "amounts_off",
        "used_count",
        "usage_limit",
        "ends_at",
        "is_active",
    )
    column_formatters = {
        "amounts_off": amounts_column("amounts_off"),
        "min_subtotals": amounts_column("min_subtotals"),
    }
    column_formatters_detail = column_formatters
    column_searchable_list = ("code", "description")
    column_filters = ("kind", "is_active", "starts_at", "ends_at")
    form_columns = (
        "code", "description", "kind", "percent_off", "amounts", "minimums", "starts_at", "ends_at",
        "usage_limit", "per_user_limit", "is_active", "products", "categories",
    )  # fmt: skip
    form_choices = {"kind": [("percentage", "Percentage"), ("fixed", "Fixed amount per currency")]}
    form_extra_fields = {
        "amounts": AmountsField("Amounts off", description="Fixed only: NGN 500.00, KES 50"),
        "minimums": AmountsField("Minimum subtotals", description="Optional: NGN 5000.00"),
    }
    form_args = {
        "percent_off": {"validators": [Optional(), NumberRange(min=1, max=100)]},
        "usage_limit": {"validators": [Optional(), NumberRange(min=1)]},
        "per_user_limit": {"validators": [Optional(), NumberRange(min=1)]},
    }

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        coupon = db.session.get(Coupon, int(_id))
        form.amounts.data, form.minimums.data = coupon.amounts_off, coupon.min_subtotals

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["amounts_off"], data["min_subtotals"] = data.pop("amounts") or {}, data.pop("minimums") or {}
        data["product_ids"] = [product.id for product in data.pop("products") or ()]
        data["category_ids"] = [category.id for category in data.pop("categories") or ()]
        return data

    def create(self, data: dict[str, Any]) -> Coupon:
        return coupon_admin.create_coupon(data)

    def update(self, model: Coupon, data: dict[str, Any]) -> Coupon:
        return coupon_admin.update_coupon(model.id, data)

    def delete(self, model: Coupon) -> None:
        coupon_admin.delete_coupon(model.id)


def register(admin: Any) -> None:
    admin.add_view(CouponView(Coupon, "Coupons", category=CATEGORY, **where("coupons")))
