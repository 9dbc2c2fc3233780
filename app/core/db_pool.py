"""Checking pooled database connections only when they may have gone stale.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` before every checkout, a round trip on
every transaction (a checkout request has three): under load that was 7.5 % of an
order's time, spent asking a connection that answered a moment ago whether it is alive.
Sokoni pings only a connection that sat unused in the pool for ``DB_PING_IDLE_SECONDS``,
the one a restart, failover or idle timeout is likely to have cut. A connection cut
while in use fails its next statement instead: SQLAlchemy then invalidates every pooled
connection as old as it, so a worker answers that one request with 503
``service_unavailable`` (like the requests in flight when the database went away) and
reconnects for the next.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry

#: When the connection was last returned to the pool (or opened), by ``time.monotonic``.
LAST_USED = "sokoni_last_used"


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping connections checked out after ``idle_seconds`` or more in the pool."""

    def mark_used(_dbapi_connection: Any, record: ConnectionPoolEntry, *_args: Any) -> None:
        record.info[LAST_USED] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(LAST_USED, 0.0) < idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the pooled connection is gone") from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection is gone")  # the pool tries a new one

    event.listen(engine, "connect", mark_used)
    event.listen(engine, "checkin", mark_used)
    event.listen(engine, "checkout", ping_if_idle)
