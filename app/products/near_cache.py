"""The catalog cache's first tier: what one process keeps in its own memory.

A hit in Redis costs a round trip, and on a busy catalog that trip is most of what a hit
costs (Redis shares the machine's cores with the workers). Entries never change under
their key, which embeds the generations, so a process may keep them as long as memory
allows; only the generations it read can go stale. A process therefore trusts the
generations it last read for ``CATALOG_CACHE_LOCAL_SECONDS``: another process's write
shows here after at most that delay (a tiny fraction of the ``max-age`` clients already
reuse responses for), and this process's own writes at once, since its ``bump`` forgets
them. Lookups served from memory are counted in Redis with the next trip, so the shared
hit rate stays whole.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol

from cachetools import LRUCache
from flask import current_app

#: What an entry costs beyond its body and headers (the objects around them), roughly.
ENTRY_OVERHEAD_BYTES = 400


class Entry(Protocol):
    body: bytes
    headers: dict[str, str]


def _size(entry: Entry) -> int:
    return len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers.items()) + ENTRY_OVERHEAD_BYTES


class NearCache:
    """Recent entries (least recently used evicted first, bounded in bytes) and the last
    generations read, shared by the threads of one process."""

    def __init__(self, trust_seconds: float, max_bytes: int) -> None:
        self.trust_seconds = trust_seconds
        self.enabled = trust_seconds > 0 and max_bytes > 0
        self._entries: LRUCache = LRUCache(maxsize=max(max_bytes, 1), getsizeof=_size)
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe
        self._counters: dict[str, int] | None = None
        self._read_at = -math.inf
        self._unsent_lookups = 0

    def counters(self) -> dict[str, int] | None:
        """The generations last read, while they may still be trusted; else ``None``."""
        if self.enabled and time.monotonic() - self._read_at < self.trust_seconds:
            return self._counters
        return None

    def remember_counters(self, counters: dict[str, int]) -> None:
        # One assignment of a dict never changed afterwards: readers need no lock.
        self._counters, self._read_at = counters, time.monotonic()

    def forget_counters(self) -> None:
        self._read_at = -math.inf

    def get(self, key: str) -> Entry | None:
        if not self.enabled:
            return None
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, entry: Entry) -> None:
        if not self.enabled or _size(entry) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = entry

    def count_lookup(self) -> None:
        with self._lock:
            self._unsent_lookups += 1

    def take_lookups(self) -> int:
        """The lookups served here since the last call, to add to Redis's counter."""
        with self._lock:
            unsent, self._unsent_lookups = self._unsent_lookups, 0
        return unsent

    def clear(self) -> None:
        """Forget everything, lookups not yet sent included (they counted what was cleared)."""
        with self._lock:
            self._entries.clear()
            self._unsent_lookups = 0
        self.forget_counters()


def near_cache() -> NearCache:
    """This process's first tier (created on first use, in the worker that uses it)."""
    extensions = current_app.extensions
    if "catalog_near_cache" not in extensions:
        config = current_app.config
        extensions["catalog_near_cache"] = NearCache(
            config["CATALOG_CACHE_LOCAL_SECONDS"], config["CATALOG_CACHE_LOCAL_MB"] * 1024 * 1024
        )
    return extensions["catalog_near_cache"]
