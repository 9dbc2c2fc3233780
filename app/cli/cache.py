"""``flask cache``: warm, clear and inspect the catalog cache."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.products import cache, warmup


@click.group("cache")
def cache_group() -> None:
    """Manage the catalog cache."""


@cache_group.command("warm")
@click.option("--all", "everything", is_flag=True, help="Every currency and every product page too.")
@with_appcontext
def warm_command(everything: bool) -> None:
    """Fill the cache: first list pages, every category, collections and top products."""
    if not cache.enabled():
        raise click.ClickException("The catalog cache is off (CATALOG_CACHE_ENABLED=false).")
    report = warmup.warm(warmup.warm_urls(everything))
    click.echo(f"Warmed {report.warmed} catalog responses.")
    for url in report.failed:
        click.echo(f"  not cached (not a 200): {url}", err=True)


@cache_group.command("clear")
@with_appcontext
def clear_command() -> None:
    """Delete every catalog cache entry, generation and counter."""
    click.echo(f"Deleted {cache.clear()} catalog cache keys.")


@cache_group.command("stats")
@with_appcontext
def stats_command() -> None:
    """Hits, misses, hit rate and generations of the catalog cache."""
    stats = cache.stats()
    rate = "n/a" if stats["hit_rate"] is None else f"{stats['hit_rate']:.1%}"
    click.echo(f"enabled: {stats['enabled']}  available: {stats['available']}")
    click.echo(f"hits: {stats['hits']}  misses: {stats['misses']}  hit rate: {rate}")
    click.echo("generations: " + ", ".join(f"{name}={value}" for name, value in stats["generations"].items()))
