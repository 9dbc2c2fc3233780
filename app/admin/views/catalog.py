"""Catalog: products, variants with their prices, categories (as a tree), tags, promotions,
collections. Every write calls ``app.products`` services, so slugs, SKUs, category paths
and promotion rules are checked as in the API, and the catalog cache is invalidated by the
same commit hooks an API write triggers.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import NumberRange, Optional

from app.admin.base import SLUG_ARGS, ServiceModelView, slug_of, slugs_of, where
from app.admin.fields import AmountsField
from app.admin.formatting import amounts_column, format_money
from app.extensions import db
from app.products import merchandising, services, taxonomy
from app.products.models import Category, Collection, Product, ProductVariant, Promotion, Tag

CATEGORY = "Catalog"


def _prices(_view: Any, _context: Any, variant: ProductVariant, _name: str) -> str:
    return ", ".join(format_money(price.amount, price.currency) for price in variant.prices)


def _variants(_view: Any, _context: Any, product: Product, _name: str) -> Markup:
    rows = Markup("").join(
        Markup("<li>{} {} — {} (stock {})</li>").format(
            variant.sku,
            " ".join(f"{k}: {v}" for k, v in variant.options.items()),
            ", ".join(format_money(p.amount, p.currency) for p in variant.prices),
            variant.stock_on_hand,
        )
        for variant in product.variants
    )
    return Markup("<ul class='mb-0'>{}</ul>").format(rows)


class ProductView(ServiceModelView):
    column_list = ("name", "brand", "category", "is_active", "sales_count", "rating_average", "updated_at")
    column_details_list = (
        "name", "slug", "brand", "category", "tags", "description", "attributes", "variants",
        "is_active", "sales_count", "rating_average", "rating_count", "created_at", "updated_at",
    )  # fmt: skip
    column_searchable_list = ("name", "slug", "brand")
    column_filters = ("is_active", "brand", "category.name", "created_at")
    column_formatters_detail = {"variants": _variants}
    column_default_sort = ("updated_at", True)
    form_columns = ("name", "slug", "brand", "category", "tags", "description", "attributes", "is_active")
    form_args = {"slug": SLUG_ARGS}

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["category"], data["tags"] = slug_of(data["category"]), slugs_of(data["tags"])
        data["slug"] = data["slug"] or None
        data["attributes"] = data["attributes"] or {}
        return data

    def create(self, data: dict[str, Any]) -> Product:
        detail = services.create_product(data)
        return db.session.get(Product, detail["id"])

    def update(self, model: Product, data: dict[str, Any]) -> Any:
        return services.update_product(model.slug, data)

    def delete(self, model: Product) -> None:
        services.delete_product(model.slug)


class VariantView(ServiceModelView):
    """Variants with their per-currency prices edited inline as ``NGN 12500.00, KES 450``."""

    column_list = ("product", "sku", "options", "prices", "stock_on_hand", "is_active")
    column_searchable_list = ("sku", "product.name")
    column_filters = ("is_active", "stock_on_hand", "product.name")
    column_formatters = {"prices": _prices}
    column_formatters_detail = {"prices": _prices}
    form_columns = (
        "product", "sku", "price_list", "options", "weight_grams", "stock_on_hand", "is_active", "position",
    )  # fmt: skip
    form_extra_fields = {
        "price_list": AmountsField("Prices", description="One per currency: NGN 12500.00, KES 450.00"),
    }
    form_args = {
        "stock_on_hand": {"validators": [NumberRange(min=0)]},
        "weight_grams": {"validators": [NumberRange(min=0)]},
    }

    def get_edit_form(self) -> Any:
        """A variant never moves to another product: its edit form has no product field."""
        form = super().get_edit_form()
        del form.product
        return form

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        variant = db.session.get(ProductVariant, int(_id))
        form.price_list.data = {price.currency: price.amount for price in variant.prices}

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        amounts = data.pop("price_list") or {}
        data["prices"] = [{"currency": c, "amount": a} for c, a in sorted(amounts.items())]
        data["options"] = data["options"] or {}
        return data

    def create(self, data: dict[str, Any]) -> ProductVariant:
        product = data.pop("product")
        view = services.create_variant(product.slug, data)
        return db.session.get(ProductVariant, view["id"])

    def update(self, model: ProductVariant, data: dict[str, Any]) -> Any:
        return services.update_variant(model.id, data)

    def delete(self, model: ProductVariant) -> None:
        services.delete_variant(model.id)


def _indented(_view: Any, _context: Any, category: Category, _name: str) -> Markup:
    depth = max(category.path.count("/") - 2, 0)
    return Markup("{}{}").format(Markup("&nbsp;&nbsp;&nbsp;&nbsp;") * depth, category.name)


class CategoryView(ServiceModelView):
    """The tree in one list: ordered by materialised path, each name indented by its depth."""

    column_list = ("name", "slug", "position", "is_active")
    column_formatters = {"name": _indented}
    column_searchable_list = ("name", "slug")
    column_filters = ("is_active",)
    column_default_sort = "path"
    column_sortable_list = ()
    form_columns = ("name", "slug", "parent", "description", "position", "is_active")
    form_args = {"slug": SLUG_ARGS}

    def get_query(self) -> Any:
        return super().get_query().order_by(Category.path)

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["parent"], data["slug"] = slug_of(data["parent"]), data["slug"] or None
        return data

    def create(self, data: dict[str, Any]) -> Category:
        return taxonomy.create_category(data)

    def update(self, model: Category, data: dict[str, Any]) -> Category:
        return taxonomy.update_category(model.slug, data)

    def delete(self, model: Category) -> None:
        taxonomy.delete_category(model.slug)


class TagView(ServiceModelView):
    column_list = ("name", "slug")
    column_searchable_list = ("name", "slug")
    form_columns = ("name", "slug")
    form_args = {"slug": SLUG_ARGS}

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["slug"] = data["slug"] or None
        return data

    def create(self, data: dict[str, Any]) -> Tag:
        return taxonomy.create_tag(data)

    def update(self, model: Tag, data: dict[str, Any]) -> Tag:
        return taxonomy.update_tag(model.slug, data)

    def delete(self, model: Tag) -> None:
        taxonomy.delete_tag(model.slug)


class PromotionView(ServiceModelView):
    column_list = ("name", "kind", "percent_off", "amounts_off", "starts_at", "ends_at", "is_active")
    column_formatters = {"amounts_off": amounts_column("amounts_off")}
    column_formatters_detail = {"amounts_off": amounts_column("amounts_off")}
    column_searchable_list = ("name",)
    column_filters = ("kind", "is_active", "starts_at", "ends_at")
    form_columns = (
        "name", "description", "kind", "percent_off", "amounts", "starts_at", "ends_at", "is_active",
        "products", "categories",
    )  # fmt: skip
    form_choices = {"kind": [("percentage", "Percentage"), ("fixed", "Fixed amount per currency")]}
    form_extra_fields = {"amounts": AmountsField("Amounts off", description="Fixed only: NGN 500.00, KES 50")}
    form_args = {"percent_off": {"validators": [Optional(), NumberRange(min=1, max=100)]}}

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        form.amounts.data = db.session.get(Promotion, int(_id)).amounts_off

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["amounts_off"] = data.pop("amounts") or {}
        data["products"], data["categories"] = slugs_of(data["products"]), slugs_of(data["categories"])
        return data

    def create(self, data: dict[str, Any]) -> Promotion:
        return merchandising.create_promotion(data)

    def update(self, model: Promotion, data: dict[str, Any]) -> Promotion:
        return merchandising.update_promotion(model.id, data)

    def delete(self, model: Promotion) -> None:
        merchandising.delete_promotion(model.id)


class CollectionView(ServiceModelView):
    column_list = ("name", "slug", "kind", "position", "is_active")
    column_searchable_list = ("name", "slug")
    column_filters = ("kind", "is_active")
    form_columns = ("name", "slug", "kind", "product_slugs", "description", "position", "is_active")
    form_args = {"slug": SLUG_ARGS}
    form_choices = {
        "kind": [(kind, kind.replace("_", " ")) for kind in ("manual", "newest", "best_sellers", "top_rated")]
    }
    form_extra_fields = {
        "product_slugs": StringField("Products (manual only)", description="Product slugs, comma-separated")
    }

    def on_form_prefill(self, form: Any, _id: Any) -> None:
        collection = db.session.get(Collection, int(_id))
        form.product_slugs.data = ", ".join(item.product.slug for item in collection.items)

    def form_data(self, form: Any) -> dict[str, Any]:
        data = super().form_data(form)
        data["slug"] = data["slug"] or None
        slugs = [slug.strip() for slug in (data.pop("product_slugs") or "").split(",") if slug.strip()]
        if data["kind"] == "manual":
            data["products"] = slugs
        return data

    def create(self, data: dict[str, Any]) -> Collection:
        view = merchandising.create_collection(data)
        return db.session.scalar(sa.select(Collection).where(Collection.slug == view["slug"]))

    def update(self, model: Collection, data: dict[str, Any]) -> Any:
        return merchandising.update_collection(model.slug, data)

    def delete(self, model: Collection) -> None:
        merchandising.delete_collection(model.slug)


def register(admin: Any) -> None:
    admin.add_view(ProductView(Product, "Products", category=CATEGORY, **where("products")))
    admin.add_view(VariantView(ProductVariant, "Variants & prices", category=CATEGORY, **where("variants")))
    admin.add_view(CategoryView(Category, "Categories", category=CATEGORY, **where("categories")))
    admin.add_view(TagView(Tag, "Tags", category=CATEGORY, **where("tags")))
    admin.add_view(PromotionView(Promotion, "Promotions", category=CATEGORY, **where("promotions")))
    admin.add_view(CollectionView(Collection, "Collections", category=CATEGORY, **where("collections")))
