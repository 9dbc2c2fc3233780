"""``flask rates load FILE.csv``: exchange rates for price display and reports."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.errors import AppError
from app.payments.services import currency_service

rates_group = AppGroup("rates", help="Exchange rates (base, quote, rate, as_of).")


@rates_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(path: Path) -> None:
    """Load rates from a CSV file with the columns base, quote, rate, as_of (ISO 8601)."""
    try:
        count = currency_service.load_csv(path)
    except AppError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Loaded {count} exchange rates from {path.name}")
