"""The catalog's caches: whole public responses, and the price book behind every price.

Freshness comes from generations, not from deleting keys: each domain (products,
categories…) has a counter in Redis, every key embeds the counters of the domains it
shows, and ``app.products.invalidation`` bumps them after each commit, so one increment
retires every list variant at once. Keys also embed the ids of the promotions running
now, so a promotion starting or ending changes the key without any write.

Redis is an accelerator, never a dependency: when it fails, the failure is logged, the
cache is bypassed for ``CATALOG_CACHE_RETRY_SECONDS`` and the catalog is served from
the database. Generation bumps missed meanwhile are replayed on recovery.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, make_response, request
from redis.exceptions import RedisError, ResponseError

from app.core.redis_client import get_redis, is_embedded
from app.extensions import cache
from app.products.access import is_staff_request, request_memo
from app.products.near_cache import near_cache
from app.products.pricing import PriceBook, load_price_book, utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")

DOMAINS = ("products", "categories", "tags", "promotions", "collections")
#: The domains each cached view shows; a write to any of them retires the view's keys.
VIEW_DOMAINS: dict[str, tuple[str, ...]] = {
    "products": ("products", "categories", "tags", "promotions"),
    "categories": ("categories",),
    "tags": ("tags",),
    "promotions": ("promotions", "products", "categories"),
    "collections": DOMAINS,
}
VIEW_TTL_SETTINGS = {
    "products": "CATALOG_CACHE_TTL_PRODUCTS",
    "categories": "CATALOG_CACHE_TTL_CATEGORIES",
    "tags": "CATALOG_CACHE_TTL_CATEGORIES",
    "promotions": "CATALOG_CACHE_TTL_PROMOTIONS",
    "collections": "CATALOG_CACHE_TTL_COLLECTIONS",
}
PREFIX = "catalog:"
#: Hits are lookups minus misses: a lookup is counted in the same round trip as the GET.
STATS = ("lookups", "misses")
#: A random number stored beside the generations and read with them. Counters restart at
#: zero when Redis loses them (``flask cache clear``, a flush, a restart); the epoch changes
#: then, so a price book a process holds under old numbers can never be taken for a new one.
EPOCH = "epoch"
HELD_BOOK = "catalog_price_book"
#: Other values derived from the catalog and kept per process (see ``held``).
HELD_VALUES = "catalog_held_values"
#: Response headers worth replaying from the cache.
KEPT_HEADERS = ("Content-Type", "X-Pagination")


@dataclass
class _Health:
    """Per-process circuit breaker: after a Redis error, skip the cache for a while."""

    down_until: float = 0.0
    pending_bump: set[str] = field(default_factory=set)


def _health(app: Flask | None = None) -> _Health:
    return (app or current_app).extensions.setdefault("catalog_cache_health", _Health())


def enabled() -> bool:
    return bool(current_app.config["CATALOG_CACHE_ENABLED"])


def _guarded(operation: Callable[[], T], default: T) -> T:
    """Run a cache operation; on a Redis failure log it, open the breaker, return ``default``."""
    health = _health()
    if time.monotonic() < health.down_until:
        return default
    try:
        if health.pending_bump:
            _incr_generations(health.pending_bump)
            health.pending_bump = set()
        return operation()
    except (RedisError, OSError) as exc:
        log.warning("Catalog cache unavailable, serving from the database: %r", exc)
        health.down_until = time.monotonic() + current_app.config["CATALOG_CACHE_RETRY_SECONDS"]
        return default


def _incr_generations(domains: Iterable[str]) -> None:
    for domain in sorted(domains):
        cache.cache.inc(_counter("gen", domain))


def bump(domains: Iterable[str]) -> None:
    """Retire every cached view of ``domains``; remembered and replayed if Redis is down."""
    domains = set(domains)
    if not domains:
        return
    _forget_memo()
    missed = object()
    if _guarded(lambda: _incr_generations(domains), missed) is missed:
        _health().pending_bump |= domains


def _forget_memo() -> None:
    """Forget the generations this request and this process read: a write here shows at once."""
    near_cache().forget_counters()
    memo = request_memo()
    for name in ("generations", "epoch", "price_book"):
        memo.pop(name, None)


def invalidate_all() -> None:
    bump(DOMAINS)


#: The generation counters read together: every domain's, and the epoch.
GENERATIONS = (*DOMAINS, EPOCH)


def _counter(kind: str, name: str) -> str:
    """The cache key of one counter (``gen``: a generation or the epoch; ``stats``: hit counts)."""
    return f"{PREFIX}{kind}:{name}"


def generations() -> dict[str, int] | None:
    """The counters of every domain, memoised per request; ``None`` if Redis is down.

    Taken from this process's near cache while it trusts them, else read in one MGET.
    """
    memo = request_memo()
    if "generations" not in memo:
        counters = near_cache().counters()
        if counters is None:
            counters = _read_counters("gen", GENERATIONS)
            _share(counters)
        _remember_generations(counters)
    return memo["generations"]


def _share(counters: dict[str, int] | None) -> None:
    """Let this process's other requests use ``counters`` for a while (see ``near_cache``).

    Not before an epoch exists: counters restart at zero when Redis loses them, and only
    the epoch tells entries kept from before that apart from new ones under the same numbers.
    """
    if counters and counters[EPOCH]:
        near_cache().remember_counters(counters)


def _near_key(key: str) -> str | None:
    """The near cache's key for ``key``: with the epoch, for the reason ``_share`` gives."""
    epoch = request_memo().get("epoch")
    return f"{key}@{epoch}" if epoch else None


def _remember_generations(counters: dict[str, int] | None) -> None:
    """Memoise the counters read for this request: the epoch apart from the domains'."""
    memo = request_memo()
    memo["epoch"] = counters[EPOCH] if counters else 0
    memo["generations"] = counters and {name: value for name, value in counters.items() if name != EPOCH}


def _read_counters(kind: str, names: tuple[str, ...]) -> dict[str, int] | None:
    """Several integer counters in one MGET; ``None`` when Redis is unavailable."""
    values = _guarded(lambda: cache.get_many(*(_counter(kind, name) for name in names)), None)
    return None if values is None else {n: int(v or 0) for n, v in zip(names, values, strict=True)}


def price_book() -> PriceBook:
    """The promotions in force or scheduled; cached per promotions/categories generation.

    Each process also holds the last book it used: while the generations (and the epoch)
    are unchanged it is the same book, so most requests skip a Redis GET and unpickling.
    """
    memo = request_memo()
    if "price_book" not in memo:
        gens = generations()
        key = gens and _book_key(gens)
        if key and (held := _held_book(memo["epoch"], gens)) is not None:
            memo["price_book"] = held
            return held
        book = key and _guarded(lambda: cache.get(key), None)
        if book is None:
            book = load_price_book()
            if key:
                ttl = current_app.config["CATALOG_CACHE_TTL_PROMOTIONS"]
                _guarded(lambda: cache.set(key, book, timeout=ttl), None)
        if key:
            _hold(key, book)
        memo["price_book"] = book
    return memo["price_book"]


def held(name: str, domains: tuple[str, ...], load: Callable[[], T]) -> T:
    """``load()``'s value, kept by this process while the generations of ``domains`` (and
    the epoch) stay what they were when it was loaded, like the price book.

    The generations are read before loading, and bumped only after a write commits, so a
    value is never older than its key. Without them (Redis down, no epoch yet) every call
    loads afresh.
    """
    gens = generations()
    epoch = request_memo()["epoch"]
    if not gens or not epoch:
        return load()
    key = (epoch, *(gens[domain] for domain in domains))
    values = current_app.extensions.setdefault(HELD_VALUES, {})
    kept = values.get(name)
    if kept is not None and kept[0] == key:
        return kept[1]
    value = load()
    values[name] = (key, value)
    return value


def _book_key(gens: dict[str, int]) -> str:
    return f"{PREFIX}book:{gens['promotions']}.{gens['categories']}"


def _held_book(epoch: int, gens: dict[str, int]) -> PriceBook | None:
    """The book this process holds, when it is the one of ``gens`` under ``epoch``."""
    held = current_app.extensions.get(HELD_BOOK)
    return held[1] if held is not None and held[0] == (epoch, _book_key(gens)) else None


def _hold(key: str, book: PriceBook) -> None:
    """Keep ``book`` in this process under the current epoch (starting one if Redis has none)."""
    epoch = request_memo()["epoch"]
    if epoch:
        current_app.extensions[HELD_BOOK] = ((epoch, key), book)
        return
    start = secrets.randbits(62) + 1
    _guarded(lambda: cache.cache.add(_counter("gen", EPOCH), start, timeout=0), None)  # NX: first wins


def _count(stat: str) -> None:
    _guarded(lambda: cache.cache.inc(_counter("stats", stat)), None)


def stats() -> dict[str, Any]:
    """Hit/miss counters (shared by every process) and the state of the cache, for staff.

    This process's lookups not yet sent are added first; other processes' arrive with
    their next trip to Redis.
    """
    if unsent := near_cache().take_lookups():
        _guarded(lambda: cache.cache.inc(_counter("stats", "lookups"), unsent), None)
    counts = _read_counters("stats", STATS)
    misses = counts["misses"] if counts else 0
    hits = max(counts["lookups"] - misses, 0) if counts else 0
    return {
        "enabled": enabled(),
        "available": counts is not None,
        "hits": hits,
        "misses": misses,
        "hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
        "generations": generations() or {},
    }


def clear() -> int:
    """Delete every catalog key (entries, generations, counters); returns how many."""
    redis = get_redis()  # the client Flask-Caching uses; cachelib has no prefix scan
    pattern = f"{current_app.config['CACHE_KEY_PREFIX']}{PREFIX}*"

    def delete_all() -> int:
        keys = list(redis.scan_iter(match=pattern, count=500))
        return redis.delete(*keys) if keys else 0

    _forget_memo()
    near_cache().clear()
    current_app.extensions.pop(HELD_BOOK, None)
    current_app.extensions.pop(HELD_VALUES, None)
    return _guarded(delete_all, 0)


@dataclass(frozen=True)
class CachedResponse:
    """What a cached view replays: body, selected headers and the body's ETag."""

    body: bytes
    headers: dict[str, str]
    etag: str

    @classmethod
    def capture(cls, response: Response) -> CachedResponse:
        body = response.get_data()
        headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        return cls(body, headers, hashlib.blake2b(body, digest_size=16).hexdigest())

    def render(self) -> Response:
        """200 with the body, or 304 with no body when the client already holds this ETag."""
        cache_control = f"public, max-age={current_app.config['CATALOG_HTTP_MAX_AGE']}"
        if request.if_none_match.contains(self.etag):
            response = Response(status=304)
        else:
            response = Response(self.body, status=200, headers=self.headers)
        response.set_etag(self.etag)
        response.headers["Cache-Control"] = cache_control
        return response


def _base_key(view: str, active_promotions: str | None) -> str:
    """What identifies a response apart from the generations: view, path, query, promotions."""
    default_currency = current_app.config["DEFAULT_CURRENCY"]  # what a missing ?currency= means
    parts = [view, request.path, default_currency]
    if active_promotions is not None:
        parts.append(active_promotions)
    parts.extend(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=20).hexdigest()
    return f"{PREFIX}view:{view}:{digest}"


def _entry_key(view: str, base: str, gens: dict[str, int]) -> str:
    """The base key followed by the generations of the domains the view shows."""
    return f"{base}:{'.'.join(str(gens[domain]) for domain in VIEW_DOMAINS[view])}"


def view_key(view: str) -> str | None:
    """The key of this request's response: view, generations, running promotions, query."""
    gens = generations()
    if gens is None:
        return None
    active = price_book().active_ids(utcnow()) if "promotions" in VIEW_DOMAINS[view] else None
    return _entry_key(view, _base_key(view, active), gens)


def _lookup(key: str) -> CachedResponse | None:
    """The entry under ``key``, counting the lookup (and those served nearer) in the same trip."""
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    pipe = get_redis().pipeline(transaction=False)
    pipe.get(prefix + key)
    pipe.incrby(prefix + _counter("stats", "lookups"), 1 + near_cache().take_lookups())
    raw, _ = pipe.execute()
    return _loads(raw)


def _loads(raw: bytes | None) -> CachedResponse | None:
    return None if raw is None else cache.cache.serializer.loads(raw)


#: A hit in one round trip: read the generations, key the entry with the view's ones,
#: fetch it and count the lookups, all inside Redis. KEYS: the counters, then the lookup
#: counter; ARGV: the prefixed base key, the lookups to count (this one and those served
#: from the near cache since the last trip), then the positions of the view's counters.
HIT_SCRIPT = """
local counters = redis.call('MGET', unpack(KEYS, 1, #KEYS - 1))
local gens = {}
for i = 3, #ARGV do gens[#gens + 1] = counters[tonumber(ARGV[i])] or '0' end
local entry = redis.call('GET', ARGV[1] .. ':' .. table.concat(gens, '.'))
redis.call('INCRBY', KEYS[#KEYS], ARGV[2])
return {counters, entry}
"""
HELD_SCRIPT = "catalog_hit_script"


def _lookup_in_one_trip(view: str) -> tuple[str, CachedResponse | None] | None:
    """``(key, entry or None)`` from one script call, or ``None`` where it cannot apply.

    Lists and pages embed the running promotions in their key, which come from the price
    book: the one this process holds is used, and checked against the generations the
    script returns. When it is stale (promotions or categories changed), the request is
    re-keyed with the current book, the slow way. The embedded Redis has no Lua.
    """
    held = current_app.extensions.get(HELD_BOOK)
    with_promotions = "promotions" in VIEW_DOMAINS[view]
    script = current_app.extensions.get(HELD_SCRIPT)
    if is_embedded() or script is False or (with_promotions and held is None):
        return None
    active = held[1].active_ids(utcnow()) if with_promotions else None
    base = _base_key(view, active)
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    keys = [prefix + _counter("gen", name) for name in GENERATIONS] + [prefix + _counter("stats", "lookups")]
    positions = [GENERATIONS.index(domain) + 1 for domain in VIEW_DOMAINS[view]]
    if script is None:
        script = current_app.extensions[HELD_SCRIPT] = get_redis().register_script(HIT_SCRIPT)
    lookups = 1 + near_cache().take_lookups()
    try:
        counters, raw = script(keys=keys, args=[prefix + base, lookups, *positions])
    except ResponseError as exc:  # a Redis without scripting: two round trips from now on
        log.warning("Catalog cache: Lua scripting unavailable (%s); using two round trips per hit", exc)
        current_app.extensions[HELD_SCRIPT] = False
        return None
    gens = {name: int(value or 0) for name, value in zip(GENERATIONS, counters, strict=True)}
    _share(gens)
    _remember_generations(gens)
    if with_promotions and held[0] != (request_memo()["epoch"], _book_key(gens)):
        key = view_key(view)  # the lookup is counted already
        return key, cache.get(key)
    return _entry_key(view, base, gens), _loads(raw)


def _lookup_near(view: str) -> tuple[str, CachedResponse] | None:
    """``(key, entry)`` from this process's memory, without a trip to Redis, when it still
    trusts its generations, holds the price book they key and holds the entry; else ``None``."""
    near = near_cache()
    counters = near.counters()
    if counters is None:
        return None
    active = None
    if "promotions" in VIEW_DOMAINS[view]:
        book = _held_book(counters[EPOCH], counters)
        if book is None:
            return None
        active = book.active_ids(utcnow())
    _remember_generations(counters)
    key = _entry_key(view, _base_key(view, active), counters)
    entry = near.get(_near_key(key))
    if entry is None:
        return None
    near.count_lookup()
    return key, entry


def _keep_near(key: str, entry: CachedResponse) -> None:
    if near_key := _near_key(key):
        near_cache().put(near_key, entry)


def _wait_for(key: str) -> CachedResponse | None:
    """Another request is computing ``key``: poll for its result for a short while."""
    deadline = time.monotonic() + current_app.config["CATALOG_CACHE_WAIT_SECONDS"]
    while time.monotonic() < deadline:
        time.sleep(0.02)
        entry = _guarded(lambda: cache.get(key), None)
        if entry is not None:
            return entry
    return None


def serve(view: str, compute: Callable[[], Response]) -> Response:
    """Serve a public catalog GET from the cache, computing it at most once per key.

    Stampede protection: the first miss takes a short lock (``SET NX``) and computes;
    concurrent misses wait for its result rather than all hitting the database. Only
    200 responses are stored; every response gets an ETag and ``Cache-Control``.
    """
    key, entry = None, None
    if enabled():
        if near := _lookup_near(view):
            return near[1].render()
        found = _guarded(lambda: _lookup_in_one_trip(view), None)
        key, entry = found if found is not None else (view_key(view), None)
        if found is None and key:
            entry = _guarded(lambda: _lookup(key), None)
    if entry is not None:
        _keep_near(key, entry)
        return entry.render()
    locked = False
    if key:
        _count("misses")
        lock_seconds = current_app.config["CATALOG_CACHE_LOCK_SECONDS"]
        locked = _guarded(lambda: cache.add(f"{key}:lock", 1, timeout=lock_seconds), False)
        entry = None if locked else _wait_for(key)
        if entry is not None:
            return entry.render()
    try:
        if locked:
            # Double-checked: the previous holder may have stored the entry and released
            # the lock between our miss and our taking it.
            entry = _guarded(lambda: cache.get(key), None)
            if entry is not None:
                return entry.render()
        response = compute()
        if response.status_code != 200:
            return response
        entry = CachedResponse.capture(response)
        if key:
            ttl = current_app.config[VIEW_TTL_SETTINGS[view]]
            _guarded(lambda: cache.set(key, entry, timeout=ttl), None)
            _keep_near(key, entry)
        return entry.render()
    finally:
        if locked:
            _guarded(lambda: cache.delete(f"{key}:lock"), None)


def cached_view(view: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view: its public GETs go through ``serve``; writes and staff pass through.

    Staff responses (which show exact stock and inactive items) are never cached.
    """

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method != "GET" or is_staff_request():
                return func(*args, **kwargs)
            return serve(view, lambda: make_response(func(*args, **kwargs)))

        return wrapper

    return decorator
