"""Wishlist items as the customer sees them: current price, promotion and stock, right now.

Prices come from the catalog's own services (``inventory.load_variants`` and
``current_offers``), so a wishlist never disagrees with the product page. A page of items
costs a fixed number of queries whatever its size: the variants of every product on the
page are loaded together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core.models import utcnow
from app.extensions import db
from app.products import cache, inventory
from app.products.models import ProductVariant
from app.products.stock import StockStatus, stock_status
from app.wishlist.models import WishlistItem

UNAVAILABLE = "unavailable"
#: Best first: a product is as available as its most available variant.
STATUS_RANK = (StockStatus.IN_STOCK, StockStatus.LOW_STOCK, StockStatus.OUT_OF_STOCK, UNAVAILABLE)


def _offers_by_product(product_ids: Sequence[int], currency: str) -> dict[int, list[inventory.VariantOffer]]:
    """Every variant of these products, priced in ``currency`` now, grouped by product."""
    variant_ids = db.session.scalars(
        sa.select(ProductVariant.id).where(ProductVariant.product_id.in_(product_ids))
    )
    offers = inventory.current_offers(inventory.load_variants(variant_ids), currency)
    grouped: dict[int, list[inventory.VariantOffer]] = defaultdict(list)
    for offer in offers.values():
        grouped[offer.variant.product_id].append(offer)
    return grouped


def _status(offer: inventory.VariantOffer, threshold: int) -> str:
    return stock_status(offer.variant.stock_on_hand, threshold).value if offer.buyable else UNAVAILABLE


def _money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else {"amount": amount, "currency": currency}


def item_views(items: Sequence[WishlistItem], currency: str) -> list[dict[str, Any]]:
    """Render ``items`` (with ``product`` and its images loaded) priced in ``currency``."""
    if not items:
        return []
    grouped = _offers_by_product(sorted({item.product_id for item in items}), currency)
    threshold = current_app.config["CATALOG_LOW_STOCK_THRESHOLD"]
    running = {promotion.id: promotion for promotion in cache.price_book().running(utcnow())}
    views = []
    for item in items:
        candidates = [o for o in grouped[item.product_id] if item.variant_id in (None, o.variant.id)]
        buyable = [o for o in candidates if o.buyable]
        best = min(buyable, key=lambda o: o.offer.amount).offer if buyable else None
        statuses = {_status(o, threshold) for o in candidates} or {UNAVAILABLE}
        promotion = running.get(best.promotion_id) if best else None
        product = item.product
        image = product.images[0] if product.images else None
        variant = next((o.variant for o in candidates if o.variant.id == item.variant_id), None)
        views.append(
            {
                "product_id": item.product_id,
                "variant_id": item.variant_id,
                "added_at": item.created_at,
                "product": {
                    "id": product.id,
                    "slug": product.slug,
                    "name": product.name,
                    "image": image and {"url": image.url, "alt_text": image.alt_text},
                },
                "variant": variant and {"id": variant.id, "sku": variant.sku, "options": variant.options},
                "price": _money(best.amount if best else None, currency),
                "compare_at": _money(best.compare_at if best else None, currency),
                "on_sale": bool(best and best.compare_at is not None),
                "promotion": promotion
                and {"id": promotion.id, "name": promotion.name, "ends_at": promotion.ends_at},
                "stock_status": (status := min(statuses, key=STATUS_RANK.index)),
                "available": status in (StockStatus.IN_STOCK, StockStatus.LOW_STOCK),
            }
        )
    return views
