"""``flask seed``: idempotent demo data (accounts and a catalog), so a fresh clone is a working shop."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.admin.demo import seed_demo_sales
from app.auth import services as auth_services
from app.cart.seed import seed_coupons
from app.core.permissions import Role
from app.delivery.seed import seed_delivery
from app.orders import bench_seed
from app.products import demo
from app.reviews.seed import seed_reviews
from app.support.seed import seed_faqs

#: Demo logins printed by ``make run``; development data only, never created in production.
DEMO_USERS = (
    ("admin@sokoni.test", "Kilimanjaro-Sunrise-2026", Role.ADMIN, "Amina Admin"),
    ("staff@sokoni.test", "Serengeti-Migration-2026", Role.STAFF, "Kofi Staff"),
    ("customer@sokoni.test", "Zambezi-Riverbank-2026", Role.CUSTOMER, "Chidi Customer"),
)


def seed_users() -> list[tuple[str, str, str, bool]]:
    """Create the demo accounts that are missing; returns (email, password, role, created)."""
    rows = []
    for email, password, role, name in DEMO_USERS:
        created = auth_services.find_user_by_email(email) is None
        if created:
            auth_services.create_user(
                email, password, role=role, profile={"full_name": name, "country": "NG"}
            )
        rows.append((email, password, role.value, created))
    return rows


@click.command("seed")
@click.option(
    "--products",
    "bulk_products",
    type=click.IntRange(min=0),
    default=0,
    help="Also grow a benchmark catalog to this many extra products (bulk inserts).",
)
@click.option(
    "--orders",
    "bulk_orders",
    type=click.IntRange(min=0),
    default=0,
    help="Also grow a historical order book to this many orders (bulk inserts).",
)
@with_appcontext
def seed_command(bulk_products: int, bulk_orders: int) -> None:
    """Create demo data (safe to run again: existing rows are kept)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Refusing to seed demo accounts in production.")
    added = demo.seed_catalog()
    click.echo("Demo catalog: " + ", ".join(f"{count} {what} added" for what, count in added.items()))
    if bulk_products:
        created = demo.seed_bulk(bulk_products)
        click.echo(f"Benchmark catalog: {created} products added (target {bulk_products}).")
    if bulk_orders:
        added_orders = bench_seed.seed_orders(bulk_orders)
        click.echo(f"Order history: {added_orders} orders added (target {bulk_orders}).")
    click.echo("Delivery: " + ", ".join(f"{n} {kind} added" for kind, n in seed_delivery().items()) + ".")
    click.echo(f"Demo coupons (KARIBU10, AKWAABA500): {seed_coupons()} added.")
    click.echo("Demo logins:")
    for email, password, role, created in seed_users():
        state = "created" if created else "exists"
        click.echo(f"  {role:<9} {email:<24} {password}   ({state})")
    customers = [email for email, _password, role, _name in DEMO_USERS if role == Role.CUSTOMER]
    click.echo(f"Demo reviews: {seed_reviews(customers)} added; FAQ: {seed_faqs()} questions added.")
    click.echo(f"Demo sales for the console's charts and the analytics: {seed_demo_sales()} orders added.")
