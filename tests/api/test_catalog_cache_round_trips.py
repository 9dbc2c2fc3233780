"""What a cached catalog response costs in Redis, why a price book a process holds is
never mistaken for a newer one after Redis loses its counters, and how long a process
trusts the generations it read (its near cache)."""

from __future__ import annotations

import pytest
from redis.exceptions import ResponseError

from app.core.redis_client import get_redis, is_embedded
from app.extensions import db
from app.products import near_cache, services
from tests.factories import PromotionFactory, VariantFactory

LIST = "/api/products/"


@pytest.fixture
def dress():
    return VariantFactory(product__name="Ankara Dress", prices={"NGN": 1_000_000}, stock_on_hand=10)


@pytest.fixture
def round_trips(monkeypatch) -> list[str]:
    """Every Redis round trip from now on: a command's name, or PIPELINE for a batch."""
    client, trips = get_redis(), []
    execute_command, pipeline = client.execute_command, client.pipeline

    def counted_command(*args, **kwargs):
        trips.append(str(args[0]).upper())
        return execute_command(*args, **kwargs)

    def counted_pipeline(*args, **kwargs):
        pipe = pipeline(*args, **kwargs)
        execute = pipe.execute

        def counted_execute(*a, **k):
            trips.append("PIPELINE")
            return execute(*a, **k)

        pipe.execute = counted_execute
        return pipe

    monkeypatch.setattr(client, "execute_command", counted_command)
    monkeypatch.setattr(client, "pipeline", counted_pipeline)
    return trips


@pytest.fixture
def far(monkeypatch) -> None:
    """No near cache: every lookup goes to Redis (as with ``CATALOG_CACHE_LOCAL_SECONDS=0``)."""
    monkeypatch.setattr(near_cache.near_cache(), "enabled", False)


def price(response) -> int:
    return response.json[0]["price"]["amount"]


def test_a_repeated_response_costs_no_round_trip(client, dress, request):
    for _ in range(3):
        client.get(LIST)  # computed, then served from Redis and kept in this process
    trips = request.getfixturevalue("round_trips")
    assert price(client.get(LIST)) == 1_000_000
    assert trips == []


def test_another_process_write_shows_once_the_generations_are_no_longer_trusted(client, dress, monkeypatch):
    """This process's own writes show at once (tests above); another's after at most
    ``CATALOG_CACHE_LOCAL_SECONDS``: here the write is followed by restoring the counters
    this process read before it, which is what a process that did not write still holds."""
    for _ in range(3):
        client.get(LIST)
    near = near_cache.near_cache()
    read_before = near.counters()
    services.update_variant(dress.id, {"prices": [{"currency": "NGN", "amount": 750_000}]})
    near.remember_counters(read_before)
    assert price(client.get(LIST)) == 1_000_000  # within the trusted delay
    later = near_cache.time.monotonic() + near.trust_seconds
    monkeypatch.setattr(near_cache.time, "monotonic", lambda: later)
    assert price(client.get(LIST)) == 750_000


def test_a_cached_response_costs_one_round_trip(client, dress, request, far):
    client.get(LIST)  # computed and stored; the first book starts the counters' epoch
    client.get(LIST)  # served; this process now holds the price book
    client.get(LIST)  # served by the script, loaded into Redis once
    trips = request.getfixturevalue("round_trips")
    assert client.get(LIST).status_code == 200
    if is_embedded():  # the in-process stand-in has no Lua: generations, then the entry
        assert trips == ["MGET", "PIPELINE"]
    else:  # one script: generations, the entry under them, and the lookup count
        assert trips == ["EVALSHA"]


def test_a_changed_promotion_re_keys_the_request_with_the_current_book(client, dress):
    """The held book keys the one-trip lookup; after a promotion starts it must not serve
    the old price, even though the held book's entry is still in Redis."""
    assert price(client.get(LIST)) == 1_000_000
    assert price(client.get(LIST)) == 1_000_000  # served with the held (empty) book
    PromotionFactory(percent_off=50, products=[dress.product])
    assert price(client.get(LIST)) == 500_000
    assert price(client.get(LIST)) == 500_000


def test_hits_and_misses_are_still_counted(client, dress, staff, auth_headers):
    for _ in range(3):
        client.get(LIST)
    stats = client.get("/api/catalog/cache/", headers=auth_headers(staff)).json
    assert (stats["hits"], stats["misses"]) == (2, 1)


def test_a_held_price_book_does_not_outlive_a_redis_flush(client, dress):
    """Redis restarts, and its counters come back to the very numbers the held book was
    kept under, while the promotion is gone: the epoch tells the two books apart."""
    redis = get_redis()
    promotion = PromotionFactory(percent_off=50, products=[dress.product])
    assert price(client.get(LIST)) == 500_000
    assert price(client.get(LIST)) == 500_000  # the 50 % book is now held in this process
    counters = {key: redis.get(key) for key in redis.scan_iter(match="*catalog:gen:*")}
    redis.flushdb()
    db.session.delete(promotion)
    db.session.commit()
    for key, value in counters.items():
        if not key.endswith(b":epoch"):
            redis.set(key, value)  # the held book's key again, but the epoch is gone
    assert price(client.get(LIST)) == 1_000_000


def test_a_redis_without_scripting_falls_back_to_two_round_trips(client, dress, request, monkeypatch, far):
    if is_embedded():
        pytest.skip("the embedded stand-in never runs the script")
    for _ in range(3):
        client.get(LIST)

    def scripting_disabled(*_args, **_kwargs):
        raise ResponseError("ERR scripting is disabled")

    monkeypatch.setattr(get_redis(), "evalsha", scripting_disabled)
    trips = request.getfixturevalue("round_trips")
    assert price(client.get(LIST)) == 1_000_000
    assert price(client.get(LIST)) == 1_000_000
    assert trips == ["MGET", "PIPELINE", "MGET", "PIPELINE"]
