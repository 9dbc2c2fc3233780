"""``flask worker``: an RQ worker whose jobs each run in a fresh application context."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker

from app.core.redis_client import get_redis, is_embedded


class AppContextWorker(SimpleWorker):
    """Runs jobs in-process (no fork per job), each inside its own app context.

    A fresh context per job gives each job its own database session, removed afterwards,
    exactly like a request.
    """

    def __init__(self, *args, app, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job, queue, execution) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Process background jobs (webhooks, e-mails) and scheduled jobs."""
    if is_embedded():
        raise click.ClickException("REDIS_URL is not set: jobs already run inline, no worker is needed.")
    app = current_app._get_current_object()
    names = list(queues) or app.config["RQ_QUEUES"]
    worker = AppContextWorker(names, connection=get_redis(), app=app)
    worker.work(burst=burst, with_scheduler=True)
