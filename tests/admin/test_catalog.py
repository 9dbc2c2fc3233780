"""Catalog, coupons and delivery writes from the console go through the domain services:
slugs and SKUs checked, prices parsed per currency, the catalog cache invalidated, refusals
shown as messages."""

from __future__ import annotations

from app.cart.models import Coupon
from app.delivery.models import BusStation, ShippingMethod, ShippingZone
from app.extensions import db
from app.products import cache
from app.products.models import Category, Collection, Product, ProductVariant, Promotion
from tests.admin.conftest import csrf_token
from tests.factories import CategoryFactory, ProductFactory, VariantFactory


def submit(client, url, data, form_page=None):
    """POST ``data`` to ``url`` with the CSRF token of the page holding the form."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_page or url)})


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def test_creating_a_product_derives_its_slug_through_the_service(staff_client):
    category = CategoryFactory(name="Phones")
    response = submit(
        staff_client,
        "/admin/products/new/",
        {"name": "Tecno Spark 20", "slug": "", "brand": "Tecno", "category": category.id, "description": "",
         "attributes": "{}", "is_active": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    product = db.session.scalar(db.select(Product))
    assert (product.slug, product.category_id) == ("tecno-spark-20", category.id)


def test_saving_a_product_invalidates_the_cached_catalog(client, staff_client):
    product = ProductFactory(name="Ankara tote")
    VariantFactory(product=product, prices={"NGN": 1_500_000})
    url = f"/api/products/{product.slug}/"
    assert client.get(url).json["name"] == "Ankara tote"
    assert client.get(url).json["name"] == "Ankara tote"  # served from the cache now
    edit = f"/admin/products/edit/?id={product.id}"
    data = {"name": "Ankara tote bag", "slug": product.slug, "attributes": "{}", "is_active": "y"}
    assert submit(staff_client, edit, data).status_code == 302
    assert client.get(url).json["name"] == "Ankara tote bag"


def test_variant_prices_are_typed_in_major_units_per_currency(client, staff_client):
    variant = VariantFactory(sku="TOTE-1", prices={"NGN": 100_000})
    edit = f"/admin/variants/edit/?id={variant.id}"
    assert "NGN 1000.00" in staff_client.get(edit).get_data(as_text=True)
    data = {"sku": "TOTE-1", "options": "{}", "weight_grams": 300, "stock_on_hand": 7, "is_active": "y",
            "position": 0, "price_list": "NGN 12,500.00, UGX 45000, KWD 1.250"}  # fmt: skip
    assert submit(staff_client, edit, data).status_code == 302
    prices = {p.currency: p.amount for p in fresh(ProductVariant, variant.id).prices}
    assert prices == {"NGN": 1_250_000, "UGX": 45_000, "KWD": 1_250}
    page = staff_client.get("/admin/variants/").get_data(as_text=True)
    assert "₦12,500.00" in page
    assert "USh 45,000" in page
    assert "KWD 1.250" in page


def test_a_price_with_too_many_decimals_is_refused(staff_client):
    variant = VariantFactory(sku="TOTE-2", prices={"UGX": 45_000})
    edit = f"/admin/variants/edit/?id={variant.id}"
    data = {"sku": "TOTE-2", "options": "{}", "weight_grams": 0, "stock_on_hand": 1, "position": 0,
            "price_list": "UGX 45000.50"}  # fmt: skip
    page = submit(staff_client, edit, data).get_data(as_text=True)
    assert "more decimals than UGX allows" in page
    assert {p.amount for p in fresh(ProductVariant, variant.id).prices} == {45_000}


def test_a_taken_sku_is_refused_by_the_service(staff_client):
    VariantFactory(sku="TAKEN")
    variant = VariantFactory(sku="FREE")
    edit = f"/admin/variants/edit/?id={variant.id}"
    data = {
        "sku": "TAKEN",
        "options": "{}",
        "weight_grams": 0,
        "stock_on_hand": 1,
        "position": 0,
        "price_list": "",
    }
    page = submit(staff_client, edit, data).get_data(as_text=True)
    assert fresh(ProductVariant, variant.id).sku == "FREE"
    assert "already exists" in page.lower()


def test_categories_move_in_the_tree_and_a_used_one_is_not_deleted(staff_client):
    root = CategoryFactory(name="Fashion")
    child = CategoryFactory(name="Bags")
    edit = f"/admin/categories/edit/?id={child.id}"
    data = {
        "name": "Bags",
        "slug": child.slug,
        "parent": root.id,
        "description": "",
        "position": 0,
        "is_active": "y",
    }
    submit(staff_client, edit, data)
    assert fresh(Category, child.id).path == f"{root.path}{child.id}/"
    token = csrf_token(staff_client, "/admin/categories/")
    staff_client.post("/admin/categories/delete/", data={"id": root.id, "csrf_token": token})
    assert fresh(Category, root.id) is not None
    assert "Move or delete its products and subcategories first" in staff_client.get(
        "/admin/categories/"
    ).get_data(as_text=True)


def test_coupons_are_normalised_by_the_coupon_service(staff_client):
    data = {"code": "harmattan10", "description": "", "kind": "percentage", "percent_off": 10}
    assert submit(staff_client, "/admin/coupons/new/", data).status_code == 302
    assert db.session.scalar(db.select(Coupon.code)) == "HARMATTAN10"
    fixed = {"code": "LESS500", "description": "", "kind": "fixed", "percent_off": ""}
    submit(staff_client, "/admin/coupons/new/", fixed)
    assert db.session.scalar(db.select(db.func.count(Coupon.id))) == 1  # a fixed coupon needs amounts


def test_bus_stations_keep_their_fees_per_currency(staff_client):
    data = {"name": "Jibowu Park", "operator": "GUO", "city": "Lagos", "region": "Lagos", "country": "ng",
            "address": "Ikorodu Rd", "opening_hours": "07:00-19:00", "holding_days": 7, "is_active": "y",
            "fee_list": "NGN 500.00"}  # fmt: skip
    assert submit(staff_client, "/admin/bus_stations/new/", data).status_code == 302
    station = db.session.scalar(db.select(BusStation))
    assert station.country == "NG"
    assert [(fee.currency, fee.amount) for fee in station.fees] == [("NGN", 50_000)]


def test_cache_can_be_warmed_and_cleared_by_staff(client, staff_client):
    ProductFactory(name="Kente scarf")
    submit(staff_client, "/admin/cache/warm/", {}, form_page="/admin/cache/")
    assert "Warmed" in staff_client.get("/admin/cache/").get_data(as_text=True)
    assert cache.stats()["misses"] > 0
    submit(staff_client, "/admin/cache/clear/", {}, form_page="/admin/cache/")
    assert "catalog cache keys" in staff_client.get("/admin/cache/").get_data(as_text=True)
    assert cache.stats()["misses"] == 0


def test_cache_actions_need_the_csrf_token(staff_client):
    staff_client.post("/admin/cache/clear/", data={})
    assert "not accepted" in staff_client.get("/admin/cache/").get_data(as_text=True)


def test_a_new_variant_joins_its_product_through_the_service(staff_client):
    product = ProductFactory(name="Kente scarf")
    VariantFactory(product=product, sku="KENTE-S")
    data = {"product": product.id, "sku": "KENTE-L", "options": '{"size": "L"}', "weight_grams": 200,
            "stock_on_hand": 3, "position": 0, "is_active": "y", "price_list": "GHS 250.00"}  # fmt: skip
    assert submit(staff_client, "/admin/variants/new/", data).status_code == 302
    variant = db.session.scalar(db.select(ProductVariant).where(ProductVariant.sku == "KENTE-L"))
    assert (variant.product_id, variant.options) == (product.id, {"size": "L"})
    assert [(p.currency, p.amount) for p in variant.prices] == [("GHS", 25_000)]


def test_zones_and_methods_are_written_through_the_shipping_service(staff_client):
    data = {"name": "West Africa", "country_list": "ng, gh", "region_list": "", "city_list": "Lagos, Accra"}
    assert submit(staff_client, "/admin/zones/new/", data).status_code == 302
    zone = db.session.scalar(db.select(ShippingZone))
    assert (zone.countries, zone.cities) == (["NG", "GH"], ["Lagos", "Accra"])
    method = {"zone": zone.id, "name": "GIG standard", "carrier": "GIG", "description": "", "min_days": 4,
              "max_days": 2, "free": "NGN 50000.00", "is_active": "y"}  # fmt: skip
    page = submit(staff_client, "/admin/methods/new/", method).get_data(as_text=True)
    assert "The estimate ends before it starts" in page
    submit(staff_client, "/admin/methods/new/", {**method, "max_days": 6})
    saved = db.session.scalar(db.select(ShippingMethod))
    assert (saved.zone_id, saved.free_above) == (zone.id, {"NGN": 5_000_000})


def test_promotions_follow_the_merchandising_rules_in_shop_time(staff_client):
    product = ProductFactory(name="Kente scarf")
    fixed = {"name": "Harmattan sale", "kind": "fixed", "amounts": "", "starts_at": "2026-12-01 00:00:00",
             "is_active": "y", "products": [product.id]}  # fmt: skip
    page = submit(staff_client, "/admin/promotions/new/", fixed).get_data(as_text=True)
    assert "Required for a fixed promotion" in page
    submit(staff_client, "/admin/promotions/new/", {**fixed, "amounts": "NGN 500.00"})
    promotion = db.session.scalar(db.select(Promotion))
    assert promotion.amounts_off == {"NGN": 50_000}
    assert promotion.starts_at.isoformat() == "2026-11-30T23:00:00+00:00"  # midnight in Lagos
    assert [p.id for p in promotion.products] == [product.id]


def test_manual_collections_list_products_by_slug(staff_client):
    first, second = ProductFactory(name="Kente scarf"), ProductFactory(name="Ankara tote")
    data = {"name": "Gift ideas", "slug": "", "kind": "manual", "description": "", "position": 0,
            "is_active": "y", "product_slugs": f"{second.slug}, {first.slug}"}  # fmt: skip
    assert submit(staff_client, "/admin/collections/new/", data).status_code == 302
    collection = db.session.scalar(db.select(Collection))
    assert collection.slug == "gift-ideas"
    assert [item.product_id for item in collection.items] == [second.id, first.id]
