"""Browsing the catalog: lists, filters, search, sorting, pagination, details."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.products.models import ProductImage
from app.products.schemas import ProductCardSchema
from tests.factories import (
    CategoryFactory,
    CollectionFactory,
    ProductFactory,
    PromotionFactory,
    TagFactory,
    VariantFactory,
)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [card["slug"] for card in response.json]


def pagination(response) -> dict:
    return json.loads(response.headers["X-Pagination"])


@pytest.fixture
def shop():
    """A small shop: phones under electronics, a dress, a product priced in KES only."""
    electronics = CategoryFactory(name="Electronics")
    phones = CategoryFactory(name="Phones", parent=electronics)
    fashion = CategoryFactory(name="Fashion")
    sale = TagFactory(name="Sale")
    phone = ProductFactory(
        name="Tecno Spark 20 Phone",
        description="A phone with a big battery.",
        brand="Tecno",
        category=phones,
        tags=[sale],
    )
    VariantFactory(product=phone, prices={"NGN": 15_000_000, "KES": 2_000_000}, stock_on_hand=4)
    radio = ProductFactory(
        name="Solar Radio", description="Listen anywhere; charges from sunlight.", category=electronics
    )
    VariantFactory(product=radio, prices={"NGN": 2_500_000}, stock_on_hand=0)
    dress = ProductFactory(
        name="Ankara Maxi Dress", description="Wax print cotton, pairs with any phone case.", category=fashion
    )
    VariantFactory(product=dress, prices={"NGN": 1_800_000}, options={"size": "M"})
    VariantFactory(product=dress, prices={"NGN": 2_000_000}, options={"size": "L"})
    kikoy = ProductFactory(name="Kikoy Beach Towel", category=fashion)
    VariantFactory(product=kikoy, prices={"KES": 150_000})
    return {"phone": phone, "radio": radio, "dress": dress, "kikoy": kikoy, "electronics": electronics}


def test_list_shows_active_products_priced_in_the_currency(client, shop):
    response = client.get("/api/products/")
    assert sorted(slugs(response)) == ["ankara-maxi-dress", "solar-radio", "tecno-spark-20-phone"]
    card = next(c for c in response.json if c["slug"] == "ankara-maxi-dress")
    assert card["price"] == {"amount": 1_800_000, "currency": "NGN"}  # the lowest variant
    assert card["compare_at"] is None
    assert card["category"]["slug"] == "fashion"
    assert card["rating"] == {"average": 0.0, "count": 0}
    assert slugs(client.get("/api/products/?currency=kes")) == ["kikoy-beach-towel", "tecno-spark-20-phone"]


def test_inactive_products_are_hidden_everywhere(client, shop):
    shop["radio"].is_active = False
    db.session.commit()
    assert "solar-radio" not in slugs(client.get("/api/products/"))
    assert client.get("/api/products/solar-radio/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=electronics", ["solar-radio", "tecno-spark-20-phone"]),  # with descendants
        ("category=phones", ["tecno-spark-20-phone"]),
        ("category=unknown", []),
        ("tag=sale", ["tecno-spark-20-phone"]),
        ("brand=tecno", ["tecno-spark-20-phone"]),
        ("min_price=2000000", ["solar-radio", "tecno-spark-20-phone"]),
        ("max_price=2000000", ["ankara-maxi-dress"]),
        ("min_price=1800000&max_price=2500000", ["ankara-maxi-dress", "solar-radio"]),
        ("min_price=2500000&max_price=1800000", []),  # an empty range is no error
        ("in_stock=false", ["solar-radio"]),
        ("in_stock=true&category=electronics", ["tecno-spark-20-phone"]),
    ],
)
def test_filters(client, shop, query, expected):
    assert sorted(slugs(client.get(f"/api/products/?{query}"))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["ankara-maxi-dress", "solar-radio", "tecno-spark-20-phone"]),
        ("-price", ["tecno-spark-20-phone", "solar-radio", "ankara-maxi-dress"]),
        ("name", ["ankara-maxi-dress", "solar-radio", "tecno-spark-20-phone"]),
        ("newest", ["ankara-maxi-dress", "solar-radio", "tecno-spark-20-phone"]),
    ],
)
def test_sorting(client, shop, sort, expected):
    assert slugs(client.get(f"/api/products/?sort={sort}")) == expected


def test_sort_by_rating_and_popularity_use_the_summary_counters(client, shop):
    shop["radio"].rating_average, shop["radio"].rating_count = 4.5, 12
    shop["dress"].sales_count = 40
    shop["phone"].sales_count = 7
    db.session.commit()
    assert slugs(client.get("/api/products/?sort=rating"))[0] == "solar-radio"
    assert slugs(client.get("/api/products/?sort=popularity"))[:2] == [
        "ankara-maxi-dress",
        "tecno-spark-20-phone",
    ]


def test_search_matches_words_in_name_and_description_name_first(client, shop):
    assert slugs(client.get("/api/products/?q=radio")) == ["solar-radio"]
    assert slugs(client.get("/api/products/?q=RADIO sunlight")) == ["solar-radio"]
    # "phone" is in the phone's name and in the dress's description: the name match ranks first.
    assert slugs(client.get("/api/products/?q=phone")) == ["tecno-spark-20-phone", "ankara-maxi-dress"]
    assert slugs(client.get("/api/products/?q=nothing-like-this")) == []
    assert slugs(client.get("/api/products/?q=100%25")) == []  # LIKE wildcards are literal


def test_search_combines_with_filters(client, shop):
    assert slugs(client.get("/api/products/?q=phone&category=fashion")) == ["ankara-maxi-dress"]


def test_pagination_and_its_edges(client):
    for _ in range(5):
        VariantFactory()
    first = client.get("/api/products/?page=1&page_size=2")
    assert len(first.json) == 2
    assert pagination(first)["total"] == 5
    assert pagination(first)["total_pages"] == 3
    last = client.get("/api/products/?page=3&page_size=2")
    assert len(last.json) == 1
    past_the_end = client.get("/api/products/?page=9&page_size=2")
    assert past_the_end.status_code == 200
    assert past_the_end.json == []
    everything = slugs(client.get("/api/products/?page_size=100"))
    assert slugs(first) + slugs(client.get("/api/products/?page=2&page_size=2")) + slugs(last) == everything


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=1000",
        "page=0",
        "sort=cheapest",
        "currency=XYZ",
        "min_price=-1",
        "fields=slug,secret",
        "in_stock=maybe",
    ],
)
def test_invalid_list_parameters_are_422(client, query):
    response = client.get(f"/api/products/?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_fields_returns_only_the_named_fields(client, shop):
    response = client.get("/api/products/?fields=slug,price&sort=price")
    assert response.json[0] == {
        "slug": "ankara-maxi-dress",
        "price": {"amount": 1_800_000, "currency": "NGN"},
    }


def test_list_cards_are_exactly_what_their_documented_schema_gives(client, shop):
    """The list skips marshmallow's dump (the cards are built in shape): nothing more,
    nothing less, no other types than ``ProductCardSchema`` would give."""
    PromotionFactory(percent_off=10, products=[shop["phone"]])
    db.session.add(ProductImage(product=shop["phone"], url="https://img.example/spark.jpg", alt_text="Spark"))
    db.session.commit()
    cards = client.get("/api/products/").json
    assert any(card["image"] and card["tags"] and card["compare_at"] for card in cards)
    assert cards == ProductCardSchema(many=True).dump(cards)
    assert all(isinstance(card["rating"]["average"], float) for card in cards)


def test_detail_shows_variants_prices_and_stock_status_not_stock(client, shop):
    response = client.get("/api/products/ankara-maxi-dress/")
    assert response.status_code == 200
    body = response.json
    assert body["price"] == {"amount": 1_800_000, "currency": "NGN"}
    assert [v["options"] for v in body["variants"]] == [{"size": "M"}, {"size": "L"}]
    assert [v["price"]["amount"] for v in body["variants"]] == [1_800_000, 2_000_000]
    assert {v["stock_status"] for v in body["variants"]} == {"in_stock"}
    assert all("stock_on_hand" not in v for v in body["variants"])
    assert body["in_stock"] is True
    no_reviews = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
    assert body["rating"] == {"average": 0.0, "count": 0, "histogram": no_reviews}
    phone = client.get("/api/products/tecno-spark-20-phone/?currency=KES").json
    assert phone["price"] == {"amount": 2_000_000, "currency": "KES"}
    assert phone["variants"][0]["stock_status"] == "low_stock"
    assert phone["tags"] == [{"id": phone["tags"][0]["id"], "slug": "sale", "name": "Sale"}]
    radio = client.get("/api/products/solar-radio/").json
    assert radio["in_stock"] is False
    assert radio["variants"][0]["stock_status"] == "out_of_stock"


def test_detail_unknown_slug_is_404(client):
    response = client.get("/api/products/no-such-thing/")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_staff_see_exact_stock_and_inactive_products(client, shop, staff, auth_headers):
    shop["radio"].is_active = False
    db.session.commit()
    response = client.get("/api/products/solar-radio/", headers=auth_headers(staff))
    assert response.status_code == 200
    assert response.json["variants"][0]["stock_on_hand"] == 0
    assert "no-store" in response.headers["Cache-Control"]


def test_a_running_promotion_shows_the_promoted_price_with_compare_at(client, shop):
    PromotionFactory(percent_off=25, products=[shop["dress"]])
    PromotionFactory(
        kind="fixed", percent_off=None, amounts_off={"NGN": 500_000}, categories=[shop["electronics"]]
    )
    cards = {c["slug"]: c for c in client.get("/api/products/").json}
    assert cards["ankara-maxi-dress"]["price"]["amount"] == 1_350_000
    assert cards["ankara-maxi-dress"]["compare_at"]["amount"] == 1_800_000
    assert cards["ankara-maxi-dress"]["on_sale"] is True
    assert cards["solar-radio"]["price"]["amount"] == 2_000_000  # category promotion, fixed NGN amount
    assert cards["tecno-spark-20-phone"]["price"]["amount"] == 14_500_000  # inherited from the parent
    kes = client.get("/api/products/tecno-spark-20-phone/?currency=KES").json
    assert kes["price"]["amount"] == 2_000_000  # a fixed promotion applies only in its currencies
    assert kes["compare_at"] is None
    dress = client.get("/api/products/ankara-maxi-dress/").json
    assert [v["compare_at"]["amount"] for v in dress["variants"]] == [1_800_000, 2_000_000]
    assert dress["promotion"]["name"].startswith("Sale")


def test_scheduled_and_ended_promotions_do_not_apply(client, shop):
    now = utcnow()
    PromotionFactory(products=[shop["dress"]], starts_at=now + timedelta(days=1))
    PromotionFactory(
        products=[shop["dress"]], starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    PromotionFactory(products=[shop["dress"]], is_active=False)
    card = client.get("/api/products/?q=dress").json[0]
    assert card["compare_at"] is None
    assert client.get("/api/promotions/").json == []


def test_categories_tree_nested_in_order(client):
    electronics = CategoryFactory(name="Electronics", position=1)
    CategoryFactory(name="Phones", parent=electronics)
    laptops = CategoryFactory(name="Laptops", parent=electronics)
    CategoryFactory(name="Gaming laptops", parent=laptops)
    CategoryFactory(name="Hidden", parent=laptops, is_active=False)
    CategoryFactory(name="Books", position=0)
    tree = client.get("/api/categories/").json
    assert [node["slug"] for node in tree] == ["books", "electronics"]
    assert [node["slug"] for node in tree[1]["children"]] == ["laptops", "phones"]
    assert tree[1]["children"][0]["children"][0]["slug"] == "gaming-laptops"
    assert tree[1]["children"][0]["children"][0]["parent"] == "laptops"
    assert len(tree[1]["children"][0]["children"]) == 1


def test_tags_promotions_and_collections(client, shop):
    assert [tag["slug"] for tag in client.get("/api/tags/").json] == ["sale"]
    promotion = PromotionFactory(name="Detty December", products=[shop["phone"]])
    listed = client.get("/api/promotions/").json
    assert [(p["name"], p["products"]) for p in listed] == [("Detty December", ["tecno-spark-20-phone"])]
    assert listed[0]["id"] == promotion.id
    CollectionFactory(name="Featured", products=[shop["radio"], shop["dress"]], position=0)
    CollectionFactory(name="New arrivals", kind="newest", position=1)
    sections = client.get("/api/collections/").json
    assert [s["slug"] for s in sections] == ["featured", "new-arrivals"]
    assert [p["slug"] for p in sections[0]["products"]] == ["solar-radio", "ankara-maxi-dress"]
    assert sections[1]["products"][0]["slug"] == "ankara-maxi-dress"  # newest first
    featured = client.get("/api/collections/featured/?currency=KES").json
    assert featured["products"] == []  # neither is sold in KES
    assert client.get("/api/collections/nope/").status_code == 404
