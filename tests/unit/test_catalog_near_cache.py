"""The catalog's near cache on its own: bounded in bytes, switched off by a zero delay."""

from __future__ import annotations

from app.products.cache import CachedResponse
from app.products.near_cache import ENTRY_OVERHEAD_BYTES, NearCache


def entry(size: int) -> CachedResponse:
    return CachedResponse(b"x" * (size - ENTRY_OVERHEAD_BYTES), {}, "etag")


def test_the_least_recently_used_entries_leave_first_when_the_bytes_run_out():
    near = NearCache(trust_seconds=1, max_bytes=3_000)
    near.put("a", entry(1_000))
    near.put("b", entry(1_000))
    assert near.get("a") is not None  # "a" is now the more recently used
    near.put("c", entry(1_000))
    near.put("d", entry(1_000))
    assert (near.get("a"), near.get("b")) == (entry(1_000), None)
    assert near.get("c") is not None
    assert near.get("d") is not None


def test_an_entry_larger_than_the_whole_cache_is_not_kept():
    near = NearCache(trust_seconds=1, max_bytes=3_000)
    near.put("big", entry(3_001))
    assert near.get("big") is None


def test_generations_are_trusted_for_the_delay_then_read_again():
    near = NearCache(trust_seconds=60, max_bytes=1_000)
    near.remember_counters({"products": 1})
    assert near.counters() == {"products": 1}
    near.forget_counters()
    assert near.counters() is None


def test_a_zero_delay_switches_the_near_cache_off():
    near = NearCache(trust_seconds=0, max_bytes=3_000)
    near.remember_counters({"products": 1})
    near.put("a", entry(1_000))
    assert (near.counters(), near.get("a")) == (None, None)


def test_lookups_served_here_are_handed_over_once():
    near = NearCache(trust_seconds=1, max_bytes=1_000)
    near.count_lookup()
    near.count_lookup()
    assert (near.take_lookups(), near.take_lookups()) == (2, 0)
