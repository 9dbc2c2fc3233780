"""``flask console demo``: fill a development shop with a month of sales for the dashboard."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.admin.demo import seed_demo_sales


@click.group("console")
def console_group() -> None:
    """The operator console at /admin/."""


@console_group.command("demo")
@with_appcontext
def demo_command() -> None:
    """Add a month of demo orders and payments (after `flask seed`; safe to run again)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Refusing to add demo sales in production.")
    added = seed_demo_sales()
    click.echo(
        f"Demo sales: {added} orders added." if added else "Demo sales: already there (or run flask seed)."
    )
    click.echo("Console: http://127.0.0.1:8000/admin/ (sign in with the staff login printed by flask seed)")
