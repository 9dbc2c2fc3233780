"""Reviews: staff moderation (hide with a reason, unhide) and helpful votes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.reviews.models import ReviewVote
from tests.factories import ProductFactory, ReviewFactory, UserFactory, VariantFactory


@pytest.fixture
def product():
    return VariantFactory(product=ProductFactory(name="Kente Scarf")).product


@pytest.fixture
def posted(client, customer, auth_headers, product):
    """A 5-star review by ``customer`` and a 1-star one by someone else, through the API."""
    reviews = []
    for user, stars in ((customer, 5), (UserFactory(), 1)):
        body = {"rating": stars, "title": "Review", "body": "Bought it in Kumasi."}
        response = client.post(
            f"/api/products/{product.slug}/reviews/", json=body, headers=auth_headers(user)
        )
        assert response.status_code == 201
        reviews.append(response.json)
    return reviews


def rating_of(client, product) -> dict:
    return client.get(f"/api/products/{product.slug}/").json["rating"]


def test_hiding_takes_a_review_out_of_the_list_and_the_rating(client, staff, auth_headers, product, posted):
    mine, spam = posted
    assert rating_of(client, product)["count"] == 2
    hidden = client.post(
        f"/api/reviews/{spam['id']}/hide/", json={"reason": "Advertising"}, headers=auth_headers(staff)
    )
    assert hidden.status_code == 200
    assert (hidden.json["is_hidden"], hidden.json["hidden_reason"]) == (True, "Advertising")
    listed = client.get(f"/api/products/{product.slug}/reviews/").json
    assert [r["id"] for r in listed] == [mine["id"]]
    assert rating_of(client, product) == {
        "average": 5.0,
        "count": 1,
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
    }
    shown = client.post(f"/api/reviews/{spam['id']}/unhide/", headers=auth_headers(staff))
    assert (shown.json["is_hidden"], shown.json["hidden_reason"]) == (False, None)
    assert rating_of(client, product)["average"] == 3.0


def test_hiding_needs_a_reason(client, staff, auth_headers, posted):
    response = client.post(f"/api/reviews/{posted[1]['id']}/hide/", json={}, headers=auth_headers(staff))
    assert response.status_code == 422


def test_moderation_is_staff_only(client, customer, auth_headers, posted):
    headers = auth_headers(customer)
    spam = posted[1]["id"]
    assert client.post(f"/api/reviews/{spam}/hide/", json={"reason": "x"}, headers=headers).status_code == 403
    assert client.post(f"/api/reviews/{spam}/unhide/", headers=headers).status_code == 403
    assert client.get("/api/reviews/", headers=headers).status_code == 403


def test_the_moderation_queue_shows_hidden_reviews_to_staff(client, staff, auth_headers, product, posted):
    headers = auth_headers(staff)
    client.post(f"/api/reviews/{posted[1]['id']}/hide/", json={"reason": "Rude"}, headers=headers)
    assert len(client.get("/api/reviews/", headers=headers).json) == 2
    hidden = client.get("/api/reviews/?hidden=true", headers=headers).json
    assert [(r["id"], r["product"]["slug"]) for r in hidden] == [(posted[1]["id"], product.slug)]
    assert client.get("/api/reviews/?product=nope", headers=headers).status_code == 404


def test_helpful_votes_count_once_per_customer(client, auth_headers, posted):
    review_id = posted[1]["id"]
    voter = auth_headers(UserFactory())
    first = client.post(f"/api/reviews/{review_id}/helpful/", headers=voter)
    again = client.post(f"/api/reviews/{review_id}/helpful/", headers=voter)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json["helpful_count"] == 1
    client.post(f"/api/reviews/{review_id}/helpful/", headers=auth_headers(UserFactory()))
    withdrawn = client.delete(f"/api/reviews/{review_id}/helpful/", headers=voter)
    assert withdrawn.json["helpful_count"] == 1
    assert client.delete(f"/api/reviews/{review_id}/helpful/", headers=voter).json["helpful_count"] == 1


def test_votes_order_the_most_helpful_first(client, auth_headers, product, posted):
    client.post(f"/api/reviews/{posted[1]['id']}/helpful/", headers=auth_headers(UserFactory()))
    listed = client.get(f"/api/products/{product.slug}/reviews/?sort=most_helpful").json
    assert [r["id"] for r in listed] == [posted[1]["id"], posted[0]["id"]]


def test_a_vote_does_not_look_like_an_edit(client, auth_headers, posted):
    review_id = posted[1]["id"]
    voted = client.post(f"/api/reviews/{review_id}/helpful/", headers=auth_headers(UserFactory())).json
    assert voted["updated_at"] == posted[1]["updated_at"]


def test_no_vote_for_your_own_review(client, customer, auth_headers, posted):
    response = client.post(f"/api/reviews/{posted[0]['id']}/helpful/", headers=auth_headers(customer))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "own_review"


def test_no_vote_for_a_hidden_or_missing_review(client, auth_headers):
    hidden = ReviewFactory(is_hidden=True, hidden_reason="Spam")
    voter = auth_headers(UserFactory())
    assert client.post(f"/api/reviews/{hidden.id}/helpful/", headers=voter).status_code == 404
    assert client.post("/api/reviews/999999/helpful/", headers=voter).status_code == 404
    assert client.post(f"/api/reviews/{hidden.id}/helpful/").status_code == 401


def test_deleting_a_review_deletes_its_votes(client, customer, auth_headers, posted):
    mine = posted[0]["id"]
    client.post(f"/api/reviews/{mine}/helpful/", headers=auth_headers(UserFactory()))
    assert client.delete(f"/api/reviews/{mine}/", headers=auth_headers(customer)).status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewVote)) == 0
