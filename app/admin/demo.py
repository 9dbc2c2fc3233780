"""``flask console demo``: a month of demo sales and payments for a fresh development shop,
so the console's dashboard has something to chart (revenue per day, payment mix, success
rates). Idempotent, refused in production, and written as history: stock is not touched.

Orders follow legal paths of the state machine (``bench_seed.status_path``) and carry the
totals checkout would compute; payments are what the gateways would have settled.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.admin.dashboard import shop_midnight, shop_today
from app.auth.models import User
from app.core.models import utcnow
from app.extensions import db
from app.orders.bench_seed import PICKUP_ONLY, status_path
from app.orders.models import Order, OrderEvent, OrderItem
from app.orders.states import OrderStatus as S
from app.orders.totals import compute_totals
from app.payments.models import Payment, PaymentStatus
from app.products.models import Product, ProductVariant, VariantPrice

MARK = "-D"  # SK-D0001: never clashes with checkout's or the bench history's numbers
DAYS = 30
COUNTRY = {"NGN": "NG", "KES": "KE", "GHS": "GH", "UGX": "UG"}
GATEWAYS = {
    "NGN": ("paystack", "flutterwave", "paystack"),
    "KES": ("flutterwave", "stripe"),
    "GHS": ("paystack", "mtn_momo"),
    "UGX": ("mtn_momo", "flutterwave"),
}
FINAL = (
    (S.COMPLETED, 40),
    (S.DELIVERED, 10),
    (S.PROCESSING, 8),
    (S.PAID, 6),
    (S.COLLECTED, 8),
    (S.CANCELLED, 8),
    (S.EXPIRED, 8),
    (S.PARTIALLY_REFUNDED, 2),
)
#: Final states reached only after the payment succeeded.
PAID = frozenset(state for state, _weight in FINAL) - {S.CANCELLED, S.EXPIRED}
CUSTOMER = "customer@sokoni.test"


def seed_demo_sales(seed: int = 7) -> int:
    """Create the demo month if it is not there yet; returns how many orders were added."""
    prefix = current_app.config["ORDER_NUMBER_PREFIX"] + MARK
    if db.session.scalar(sa.select(Order.id).where(Order.number.like(f"{prefix}%")).limit(1)):
        return 0
    customer = db.session.scalar(sa.select(User).where(User.email == CUSTOMER))
    pool = _priced_variants()
    if customer is None or not pool:
        return 0  # run `flask seed` first: it creates the demo customer and catalog
    rng, now, count = random.Random(seed), utcnow(), 0  # noqa: S311 - demo data, not secrets
    today = shop_today(now)
    for days_ago in range(DAYS - 1, -1, -1):
        # Within the shop's local day, as the dashboard charts it: "so many hours before
        # now, so many days ago" put the oldest orders outside its 30 days in the early hours.
        starts = shop_midnight(today - timedelta(days=days_ago))
        seconds = (min(now, starts + timedelta(days=1)) - starts).total_seconds()
        for _ in range(rng.randint(1, 4)):
            count += 1
            created = starts + timedelta(seconds=rng.uniform(0, seconds))
            _order(rng, f"{prefix}{count:04d}", customer, rng.choice(pool), created)
    db.session.commit()
    return count


def _priced_variants() -> list[tuple[ProductVariant, Product, dict[str, int]]]:
    rows = db.session.execute(
        sa.select(ProductVariant, Product)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.is_active, Product.is_active)
        .order_by(ProductVariant.id)
        .limit(50)
    ).all()
    prices: dict[int, dict[str, int]] = {}
    ids = [variant.id for variant, _product in rows]
    for variant_id, currency, amount in db.session.execute(
        sa.select(VariantPrice.variant_id, VariantPrice.currency, VariantPrice.amount).where(
            VariantPrice.variant_id.in_(ids), VariantPrice.currency.in_(COUNTRY)
        )
    ):
        prices.setdefault(variant_id, {})[currency] = amount
    return [(variant, product, prices[variant.id]) for variant, product in rows if variant.id in prices]


def _order(rng: random.Random, number: str, customer: User, line: tuple, created) -> None:
    variant, product, prices = line
    currency = rng.choice(sorted(prices))
    quantity = rng.choice((1, 1, 2))
    subtotal = prices[currency] * quantity
    totals = compute_totals(subtotal, 0, 0, COUNTRY[currency])
    final = rng.choices([state for state, _ in FINAL], [weight for _, weight in FINAL])[0]
    pickup = final in PICKUP_ONLY
    path = status_path(final, pickup)
    order = Order(
        number=number,
        user_id=customer.id,
        status=final.value,
        currency=currency,
        subtotal=subtotal,
        tax=totals.tax,
        tax_rate_bp=totals.tax_rate_bp,
        prices_include_tax=totals.prices_include_tax,
        total=totals.total,
        delivery_type="bus_station" if pickup else "address",
        country=COUNTRY[currency],
        bus_station={"name": "Main bus park"} if pickup else None,
        address=None if pickup else {"line1": "12 Market Road", "country": COUNTRY[currency]},
        created_at=created,
        updated_at=created + timedelta(hours=len(path)),
    )
    order.items.append(
        OrderItem(
            variant_id=variant.id,
            product_id=product.id,
            product_name=product.name,
            product_slug=product.slug,
            sku=variant.sku,
            options=variant.options or {},
            quantity=quantity,
            unit_price=prices[currency],
            total=subtotal,
        )
    )
    for step, status in enumerate(path):
        previous = path[step - 1].value if step else None
        order.events.append(
            OrderEvent(
                from_status=previous,
                to_status=status.value,
                actor_role="system",
                created_at=created + timedelta(hours=step),
            )
        )
    db.session.add(order)
    _payments(rng, order, final, created)


def _payments(rng: random.Random, order: Order, final: S, created) -> None:
    """A failed first attempt now and then, and the attempt that settled (or did not)."""
    gateways = GATEWAYS[order.currency]
    attempts = []
    if rng.random() < 0.25 or final in (S.CANCELLED, S.EXPIRED):
        attempts.append((rng.choice(gateways), PaymentStatus.FAILED))
    if final in PAID:
        gateway = "pay_on_pickup" if order.delivery_type == "bus_station" else rng.choice(gateways)
        won = PaymentStatus.PARTIALLY_REFUNDED if final == S.PARTIALLY_REFUNDED else PaymentStatus.SUCCEEDED
        attempts.append((gateway, won))
    for attempt, (gateway, status) in enumerate(attempts, start=1):
        refunded = order.total // 2 if status == PaymentStatus.PARTIALLY_REFUNDED else 0
        order_payment = Payment(
            reference=f"PAY-{order.number}-{attempt}",
            order=order,
            user_id=order.user_id,
            gateway=gateway,
            amount=order.total,
            currency=order.currency,
            amount_refunded=refunded,
            status=status.value,
            created_at=created,
            updated_at=created,
            completed_at=created + timedelta(minutes=3) if status != PaymentStatus.FAILED else None,
            failure_reason="Declined by the issuer" if status == PaymentStatus.FAILED else None,
        )
        db.session.add(order_payment)
