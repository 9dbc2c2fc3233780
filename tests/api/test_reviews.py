"""Reviews: one per customer and product, verified purchases, author-only writes, and the
rating summary on the product after every write."""

from __future__ import annotations

import pytest

from tests.factories import OrderFactory, ProductFactory, ReviewFactory, UserFactory, VariantFactory

NO_STARS = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}


@pytest.fixture
def product():
    return VariantFactory(product=ProductFactory(name="Shea Butter Soap")).product


@pytest.fixture
def headers(customer, auth_headers):
    return auth_headers(customer)


def url(product) -> str:
    return f"/api/products/{product.slug}/reviews/"


def review(client, headers, product, rating=5, **fields):
    body = {"rating": rating, "title": "Lovely", "body": "Gentle on the skin.", **fields}
    return client.post(url(product), json=body, headers=headers)


def rating_of(client, product) -> dict:
    return client.get(f"/api/products/{product.slug}/").json["rating"]


def test_a_review_is_stored_and_counted_on_the_product(client, headers, product):
    response = review(client, headers, product, rating=4)
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["rating"], body["title"], body["verified_purchase"]) == (4, "Lovely", False)
    assert body["author"] == {"name": body["author"]["name"]}
    assert "@" not in body["author"]["name"]
    assert rating_of(client, product) == {"average": 4.0, "count": 1, "histogram": {**NO_STARS, "4": 1}}
    card = client.get("/api/products/").json[0]
    assert card["rating"] == {"average": 4.0, "count": 1}


def test_the_summary_follows_create_edit_and_delete(client, headers, auth_headers, product):
    assert rating_of(client, product) == {"average": 0.0, "count": 0, "histogram": NO_STARS}  # cached now
    mine = review(client, headers, product, rating=5).json
    review(client, auth_headers(UserFactory()), product, rating=2)
    assert rating_of(client, product) == {
        "average": 3.5,
        "count": 2,
        "histogram": {**NO_STARS, "2": 1, "5": 1},
    }
    edited = client.patch(f"/api/reviews/{mine['id']}/", json={"rating": 3}, headers=headers)
    assert edited.status_code == 200
    assert edited.json["rating"] == 3
    assert rating_of(client, product) == {
        "average": 2.5,
        "count": 2,
        "histogram": {**NO_STARS, "2": 1, "3": 1},
    }
    assert client.delete(f"/api/reviews/{mine['id']}/", headers=headers).status_code == 204
    assert rating_of(client, product) == {"average": 2.0, "count": 1, "histogram": {**NO_STARS, "2": 1}}


def test_the_average_is_rounded_to_two_places(client, auth_headers, product):
    for stars in (5, 4, 4):
        review(client, auth_headers(UserFactory()), product, rating=stars)
    assert rating_of(client, product)["average"] == 4.33


def test_sorting_products_by_rating_uses_the_summary(client, auth_headers, product):
    other = VariantFactory().product
    review(client, auth_headers(UserFactory()), other, rating=3)
    review(client, auth_headers(UserFactory()), product, rating=5)
    slugs = [card["slug"] for card in client.get("/api/products/?sort=rating").json]
    assert slugs[:2] == [product.slug, other.slug]


def test_a_second_review_of_the_same_product_is_409(client, headers, product):
    assert review(client, headers, product).status_code == 201
    again = review(client, headers, product, rating=1)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_reviewed"
    assert rating_of(client, product)["count"] == 1


@pytest.mark.parametrize(
    ("status", "verified"),
    [
        ("delivered", True),
        ("completed", True),
        ("collected", True),
        ("pending_payment", False),
        ("paid", False),
        ("shipped", False),
        ("cancelled", False),
    ],
)
def test_verified_purchase_needs_a_received_order(client, customer, headers, product, status, verified):
    OrderFactory(user=customer, status=status, products=[product])
    assert review(client, headers, product).json["verified_purchase"] is verified


def test_someone_elses_order_does_not_verify_me(client, headers, product):
    OrderFactory(status="delivered", products=[product])
    OrderFactory(user=UserFactory(), status="delivered", products=[VariantFactory().product])
    assert review(client, headers, product).json["verified_purchase"] is False


def test_an_edit_after_delivery_earns_the_badge(client, customer, headers, product):
    mine = review(client, headers, product).json
    OrderFactory(user=customer, status="delivered", products=[product])
    edited = client.patch(f"/api/reviews/{mine['id']}/", json={"title": "Still lovely"}, headers=headers)
    assert edited.json["verified_purchase"] is True


@pytest.mark.parametrize(
    "fields",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"title": "   "},
        {"title": "x" * 201},
        {"body": "x" * 5001},
        {"body": ""},
    ],
)
def test_invalid_reviews_are_422(client, headers, product, fields):
    response = review(client, headers, product, **{"rating": 5, **fields})
    assert response.status_code == 422
    assert set(fields) <= set(response.json["error"]["details"]["json"])


def test_a_body_of_exactly_5000_characters_is_fine(client, headers, product):
    assert review(client, headers, product, body="x" * 5000).status_code == 201


def test_only_the_author_edits_or_deletes(client, headers, auth_headers, product):
    mine = review(client, headers, product).json
    other = auth_headers(UserFactory())
    assert client.patch(f"/api/reviews/{mine['id']}/", json={"rating": 1}, headers=other).status_code == 404
    assert client.delete(f"/api/reviews/{mine['id']}/", headers=other).status_code == 404
    assert client.patch(f"/api/reviews/{mine['id']}/", json={"rating": 1}).status_code == 401
    assert rating_of(client, product)["average"] == 5.0


def test_unknown_and_inactive_products_have_no_reviews(client, headers):
    hidden = ProductFactory(is_active=False)
    assert client.get("/api/products/nope/reviews/").status_code == 404
    assert client.get(f"/api/products/{hidden.slug}/reviews/").status_code == 404
    assert review(client, headers, hidden).status_code == 404
    assert client.patch("/api/reviews/999999/", json={"rating": 1}, headers=headers).status_code == 404
    assert client.patch(f"/api/reviews/{2**31}/", json={"rating": 1}, headers=headers).status_code == 404


def test_list_sorts_and_filters(client, product):
    low = ReviewFactory(product=product, rating=1)
    high = ReviewFactory(product=product, rating=5, helpful_count=0)
    helpful = ReviewFactory(product=product, rating=3, helpful_count=7, verified_purchase=True)
    base = url(product)

    def ids(query: str) -> list[int]:
        response = client.get(base + query)
        assert response.status_code == 200
        return [r["id"] for r in response.json]

    assert ids("") == [helpful.id, high.id, low.id]  # newest first
    assert ids("?sort=highest") == [high.id, helpful.id, low.id]
    assert ids("?sort=lowest") == [low.id, helpful.id, high.id]
    assert ids("?sort=most_helpful")[0] == helpful.id
    assert ids("?rating=5") == [high.id]
    assert ids("?verified=true") == [helpful.id]
    page = client.get(base + "?page_size=2&page=2")
    assert [r["id"] for r in page.json] == [low.id]
    assert '"total": 3' in page.headers["X-Pagination"]
    assert client.get(base + "?sort=random").status_code == 422


def test_listing_costs_the_same_queries_for_1_or_10_reviews(client, product, count_queries):
    ReviewFactory(product=product)
    with count_queries() as one:
        assert len(client.get(url(product)).json) == 1
    ReviewFactory.create_batch(9, product=product)
    with count_queries() as ten:
        assert len(client.get(url(product)).json) == 10
    assert ten.count == one.count <= 4
