"""Committing without reading back what the caller has just written.

A plain commit expires every object in the session, so that the next access reads it
again: after the commit another transaction may change it. That is the right default,
and it stays the default. But a request that commits and then renders what it wrote
(an order and its lines) would pay a SELECT per table for values it already holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.extensions import db


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
