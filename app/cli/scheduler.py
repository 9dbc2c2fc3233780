"""``flask scheduler``: the periodic jobs (order expiry, key clean-up…) on RQ's cron.

The scheduler only enqueues; a ``flask worker`` runs the jobs. ``--once`` runs every
periodic job right here instead, which is how an embedded install (no Redis) or a
system crontab can drive them.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from rq.cron import CronScheduler

from app.core.batched_jobs import drain_all
from app.core.idempotency import purge_expired_keys
from app.core.redis_client import get_redis, is_embedded
from app.orders.services import expire_overdue_orders
from app.payments.tasks import drain_webhooks, reconcile_pending_payments

#: (job, every N seconds). Each job is safe to run twice and in any order.
PERIODIC_JOBS = (
    (expire_overdue_orders, 60),
    (purge_expired_keys, 3600),
    (reconcile_pending_payments, 300),
    (drain_webhooks, 60),  # a delivery whose wake-up was lost (Redis down at the time) waits no longer
    (drain_all, 60),  # the same for batched jobs (order e-mails), and a drain killed mid-list
)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every periodic job now, in this process, and exit.")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Enqueue the periodic jobs on schedule (a worker runs them)."""
    if once:
        for job, _interval in PERIODIC_JOBS:
            click.echo(f"{job.__module__}.{job.__name__}: {job()}")
        return
    if is_embedded():
        raise click.ClickException("REDIS_URL is not set: use `flask scheduler --once` from cron instead.")
    scheduler = CronScheduler(connection=get_redis(), name="sokoni")
    for job, interval in PERIODIC_JOBS:
        scheduler.register(job, queue_name="low", interval=interval)
    scheduler.start()
