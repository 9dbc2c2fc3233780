"""Wishlists (read-only): what customers want, to plan stock and promotions."""

from __future__ import annotations

from typing import Any

from app.admin.base import ConsoleModelView, CustomerColumn, customer_email, where
from app.wishlist.models import WishlistItem


class WishlistItemView(CustomerColumn, ConsoleModelView):
    column_list = ("product.name", "variant.sku", "customer", "created_at")
    column_labels = {"product.name": "Product", "variant.sku": "Variant"}
    column_formatters = {"customer": customer_email}
    column_formatters_detail = column_formatters
    column_details_list = column_list
    column_searchable_list = ("product.name",)
    column_filters = ("created_at",)
    column_default_sort = ("created_at", True)


def register(admin: Any) -> None:
    admin.add_view(WishlistItemView(WishlistItem, "Wishlists", category="Sales", **where("wishlists")))
