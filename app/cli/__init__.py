"""Flask CLI command groups: ``flask seed``, ``flask users``, ``flask worker``, ``flask scheduler``,
``flask cache``, ``flask rates``."""

from flask import Flask

from app.cli.cache import cache_group
from app.cli.scheduler import scheduler_command
from app.cli.seed import seed_command
from app.cli.users import users_group
from app.cli.worker import worker_command
from app.payments.cli import rates_group


def register_cli(app: Flask) -> None:
    app.cli.add_command(cache_group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(users_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(rates_group)
