"""Fill the catalog cache before customers arrive (``flask cache warm``).

Warming replays real GETs through the app, so entries land under exactly the keys live
requests use, with the same ETags, and no second code path can drift from the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.products.listing import SORTS
from app.products.models import Category, Collection, Product, VariantPrice

#: Product pages warmed by default: the best sellers.
TOP_PRODUCTS = 50


@dataclass
class WarmReport:
    warmed: int = 0
    failed: list[str] = field(default_factory=list)


def warm_urls(everything: bool = False) -> list[str]:
    """The URLs to warm: first list pages (each sort, each category), the category tree,
    tags, promotions, collections and the top products; ``everything`` adds every other
    currency and every active product page."""
    default = current_app.config["DEFAULT_CURRENCY"]
    currencies = [default]
    if everything:
        priced = db.session.scalars(
            sa.select(VariantPrice.currency).distinct().order_by(VariantPrice.currency)
        )
        currencies += [currency for currency in priced if currency != default]
    categories = list(
        db.session.scalars(sa.select(Category.slug).where(Category.is_active).order_by(Category.path))
    )
    collections = list(db.session.scalars(sa.select(Collection.slug).where(Collection.is_active)))
    products = (
        sa.select(Product.slug).where(Product.is_active).order_by(Product.sales_count.desc(), Product.id)
    )
    if not everything:
        products = products.limit(TOP_PRODUCTS)
    urls = ["/api/categories/", "/api/tags/", "/api/promotions/"]
    for currency in currencies:
        query = "" if currency == default else f"currency={currency}"
        urls.append(_url("/api/collections/", query))
        urls.append(_url("/api/products/", query))
        urls += [_url("/api/products/", query, f"sort={sort}") for sort in SORTS]
        urls += [_url("/api/products/", query, f"category={slug}") for slug in categories]
        urls += [_url(f"/api/collections/{slug}/", query) for slug in collections]
        urls += [_url(f"/api/products/{slug}/", query) for slug in db.session.scalars(products)]
    return urls


def _url(path: str, *params: str) -> str:
    query = "&".join(param for param in params if param)
    return f"{path}?{query}" if query else path


def warm(urls: list[str]) -> WarmReport:
    """GET each URL through the app (anonymously, so the public cache is filled)."""
    report = WarmReport()
    client = current_app.test_client()
    for url in urls:
        if client.get(url).status_code == 200:
            report.warmed += 1
        else:
            report.failed.append(url)
    return report
