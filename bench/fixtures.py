"""What the scenarios need from the bench database: URLs, slugs, shoppers, stock, payments.

Prepared through Sokoni's own code in a Development app bound to the bench database (the
server runs the Production config, which refuses demo data), and through the public API
where the result must be exactly what a client would get (ETags, payments).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import requests
import sqlalchemy as sa
from flask import Flask

from bench.stack import PG, REDIS_URL, Secrets

SHOPPER_DOMAIN = "shoppers.bench.sokoni.test"
SEARCH_TERMS = ("phone", "dress", "bag", "shea", "coffee", "speaker", "kente", "sandals")
SORTS = ("price", "-price", "newest", "name", "rating", "popularity")
CURRENCIES = ("NGN", "KES", "UGX")


def make_app(database: str, keys: Secrets) -> Flask:
    """A Development app on the bench database, sharing the server's signing keys."""
    from app import create_app
    from config import Development

    return create_app(
        Development,
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg2://{PG.split('://', 1)[1]}/{database}",
        REDIS_URL=REDIS_URL,
        SECRET_KEY=keys.secret_key,
        JWT_SECRET_KEY=keys.jwt_secret_key,
        JWT_ACCESS_TOKEN_EXPIRES=timedelta(hours=4),
        SANDBOX_WEBHOOK_SECRET=keys.webhook_secret,
        PAYMENTS_ENABLED_GATEWAYS=["sandbox", "pay_on_pickup"],
        LOG_LEVEL="WARNING",
    )


def list_urls(app: Flask, count: int = 50) -> list[str]:
    """~``count`` catalog list URLs a shop front really sends: pages, categories, sorts, searches."""
    from app.extensions import db
    from app.products.models import Category

    with app.app_context():
        categories = list(db.session.scalars(sa.select(Category.slug).order_by(Category.id)))
    rng = random.Random(8)  # noqa: S311 - a reproducible mix, not a secret
    urls = [f"/api/products/?page={page}" for page in range(1, 6)]
    urls += [f"/api/products/?category={slug}" for slug in categories[:20]]
    urls += [f"/api/products/?sort={sort}" for sort in SORTS]
    urls += [f"/api/products/?q={term}" for term in SEARCH_TERMS]
    urls += [f"/api/products/?currency={currency}&page=2" for currency in CURRENCIES]
    while len(urls) < count:
        urls.append(
            f"/api/products/?category={rng.choice(categories)}&sort={rng.choice(SORTS)}"
            f"&page={rng.randint(1, 3)}"
        )
    return urls[:count]


def detail_paths(app: Flask, limit: int) -> list[str]:
    """Product pages in a fixed random order: rank 1 is the most popular under Zipf."""
    from app.extensions import db
    from app.products.models import Product

    with app.app_context():
        slugs = list(
            db.session.scalars(
                sa.select(Product.slug).where(Product.is_active.is_(True)).order_by(Product.id).limit(limit)
            )
        )
    random.Random(10_000).shuffle(slugs)  # noqa: S311 - a fixed order, not a secret
    return [f"/api/products/{slug}/" for slug in slugs]


def etags(base_url: str, paths: Iterable[str]) -> list[tuple[str, str]]:
    """Each path with the ETag the server sends for it (the client's cached copy)."""
    session = requests.Session()
    pairs = []
    for path in paths:
        response = session.get(base_url + path, timeout=30)
        response.raise_for_status()
        pairs.append((path, response.headers["ETag"].strip('"')))
    return pairs


def sweep(base_url: str, paths: list[str], workers: int = 16) -> int:
    """GET every path once, concurrently, as ``flask cache warm --all`` does at deploy time;
    returns how many did not answer 200."""
    local = threading.local()

    def get(path: str) -> int:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return local.session.get(base_url + path, timeout=60).status_code

    with ThreadPoolExecutor(workers) as pool:
        return sum(status != 200 for status in pool.map(get, paths))


def shopper_tokens(app: Flask, count: int) -> list[str]:
    """Access tokens of ``count`` customers (created once, sharing one unusable password hash)."""
    from app.auth.models import Profile, User
    from app.auth.passwords import hash_password
    from app.auth.sessions import issue_tokens
    from app.extensions import db

    emails = [f"shopper{i:03d}@{SHOPPER_DOMAIN}" for i in range(count)]
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
        shared = hash_password(uuid.uuid4().hex)
        for email in emails:
            if email not in users:
                users[email] = User(email=email, password_hash=shared, role="customer")
                users[email].profile = Profile(full_name="Bench Shopper", country="NG")
                db.session.add(users[email])
        db.session.commit()
        return [issue_tokens(users[email]).access for email in emails]


def staff_token(app: Flask) -> str:
    from app.auth.models import User
    from app.auth.sessions import issue_tokens
    from app.extensions import db

    with app.app_context():
        staff = db.session.scalar(sa.select(User).where(User.email == "admin@sokoni.test"))
        return issue_tokens(staff).access


def pickup_station(app: Flask, currency: str = "NGN") -> int:
    """An active bus station with a pickup fee in ``currency`` (the demo delivery data)."""
    from app.delivery.models import BusStation, BusStationFee
    from app.delivery.seed import seed_delivery
    from app.extensions import db

    with app.app_context():
        seed_delivery()
        station = db.session.scalar(
            sa.select(BusStation.id)
            .join(BusStationFee, BusStationFee.station_id == BusStation.id)
            .where(BusStation.is_active.is_(True), BusStationFee.currency == currency)
            .order_by(BusStation.id)
            .limit(1)
        )
    if station is None:
        raise RuntimeError(f"No active bus station takes {currency}")
    return station


def stock_pool(app: Flask, size: int, hot: int, currency: str = "NGN") -> tuple[list[int], list[int]]:
    """Buyable variants priced in ``currency``: a large pool and a few scarce "hot" ones."""
    from app.extensions import db
    from app.products.models import Product, ProductVariant, VariantPrice

    with app.app_context():
        ids = list(
            db.session.scalars(
                sa.select(ProductVariant.id)
                .join(Product, Product.id == ProductVariant.product_id)
                .join(VariantPrice, VariantPrice.variant_id == ProductVariant.id)
                .where(
                    Product.is_active.is_(True),
                    ProductVariant.is_active.is_(True),
                    VariantPrice.currency == currency,
                )
                .order_by(ProductVariant.id.desc())
                .limit(size + hot)
            )
        )
    return ids[hot:], ids[:hot]


def create_payments(base_url: str, tokens: list[str], limit: int) -> list[tuple[str, int, str]]:
    """Sandbox payments for the shoppers' unpaid orders, through ``POST /api/payments/``.

    Returns (reference, amount, currency) of each; the webhooks then settle them.
    """
    session = requests.Session()
    made: list[tuple[str, int, str]] = []
    for token in tokens:
        auth = {"Authorization": f"Bearer {token}"}
        listed = session.get(f"{base_url}/api/orders/?page_size=100", headers=auth, timeout=30)
        listed.raise_for_status()
        for order in listed.json():
            if len(made) >= limit:
                return made
            if order["status"] != "pending_payment":
                continue
            response = session.post(
                f"{base_url}/api/payments/",
                json={"order": order["number"], "gateway": "sandbox"},
                headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                timeout=30,
            )
            if response.status_code in (200, 201):
                body = response.json()
                made.append((body["reference"], body["amount"]["amount"], body["amount"]["currency"]))
    return made


def signed_webhooks(app: Flask, payments: list[tuple[str, int, str]], count: int, path: Path) -> None:
    """``count`` distinct signed deliveries (``signature\\tbody`` lines) built by the sandbox itself.

    Each payment gets a success; the rest are the repeats and late failures providers send,
    which the worker must still read, match and record (as ignored).
    """
    from app.core.money import Money
    from app.payments.gateways.sandbox import SIGNATURE_HEADER
    from app.payments.services import gateway_calls

    with app.app_context():
        sandbox = gateway_calls.gateway("sandbox")
        with path.open("w") as out:
            for n in range(count):
                reference, amount, currency = (
                    payments[n % len(payments)] if payments else (f"none-{n}", 100, "NGN")
                )
                body, headers = sandbox.signed_webhook(
                    reference, "", Money(amount, currency), approved=n % 7 != 3
                )
                out.write(f"{headers[SIGNATURE_HEADER]}\t{body.decode()}\n")


def cache_counts(app: Flask) -> tuple[int, int]:
    """Catalog cache hits and misses so far (shared by every worker process)."""
    from app.products import cache

    with app.test_request_context():
        stats = cache.stats()
    return stats["hits"], stats["misses"]


def write_lines(path: Path, rows: Iterable[Iterable[str] | str]) -> Path:
    with path.open("w") as out:
        for row in rows:
            out.write((row if isinstance(row, str) else "\t".join(row)) + "\n")
    return path


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
