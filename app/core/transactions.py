"""Committing without reading back what the caller has just written, and work that must
wait for the commit.

A plain commit expires every object in the session, so that the next access reads it
again: after the commit another transaction may change it. That is the right default,
and it stays the default. But a request that commits and then renders what it wrote
(an order and its lines) would pay a SELECT per table for values it already holds.

A job queued for another process (an e-mail about an order) must not be seen before the
rows it reads are: ``after_commit`` holds it until ``commit`` has committed them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from app.extensions import db

#: Where ``after_commit`` keeps its callbacks: in the session's ``info``, which lives as
#: long as the request's session.
_AFTER_COMMIT = "sokoni_after_commit"


def commit_keeping(objects: Iterable[object]) -> None:
    """Commit, keeping ``objects`` loaded; every other object is expired as a commit does.

    Only for objects whose loaded state the caller knows to be what was committed: rows it
    wrote through the ORM in this transaction, or read in it and did not change. Rows a
    Core ``UPDATE`` moved (stock, counters) differ from their loaded copies and must not
    be passed.
    """
    keep = {id(obj) for obj in objects}
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit
    for obj in list(session.identity_map.values()):
        if id(obj) not in keep:
            session.expire(obj)


def after_commit(callback: Callable[[], object]) -> None:
    """Call ``callback`` once ``commit`` has committed the current transaction; ``rollback``
    drops it. (A bare ``db.session.commit()`` does not run it: use ``commit``.)"""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit() -> None:
    """Commit, then call what ``after_commit`` deferred to it, in order.

    A callback that raises does so after the commit: what was written stays written.
    """
    session = db.session()
    session.commit()
    for callback in session.info.pop(_AFTER_COMMIT, ()):
        callback()


def rollback() -> None:
    """Roll back, and forget what ``after_commit`` deferred: it will not happen."""
    session = db.session()
    session.info.pop(_AFTER_COMMIT, None)
    session.rollback()


def locked(query: sa.Select, **for_update: Any) -> sa.Select:
    """``query`` with ``FOR UPDATE`` (``for_update`` as ``with_for_update`` takes it), the rows
    it loads read afresh.

    The request has often loaded the row before it waited for the lock. Without the refresh
    the session keeps those stale values, and a column whose new value equals the stale one
    is left out of the UPDATE, keeping what another writer committed meanwhile.
    """
    return query.with_for_update(**for_update).execution_options(populate_existing=True)
