"""Server-side prepared statements for the statements every order runs, on psycopg2.

psycopg2 sends each statement as text, and PostgreSQL plans it anew every time. Measured
with ``pg_stat_statements`` under the bench's checkout load, planning took more of the
database's time than running did (5.1 s against 4.1 s): the cart's offers, a three-subquery
select, cost 0.28 ms to plan and 0.08 ms to run, on every add to a cart and every order.
psycopg 3 prepares repeated statements by itself, but measured there PostgreSQL went on
planning them (its default keeps "custom" plans for most of them), and its Python side
cost the web workers more than the database saved.

So a statement opts in, wrapped in ``prepared(…)``: the first time a
connection runs it, it is sent once as ``PREPARE sokoni_<n> AS …`` (the named
placeholders numbered), and from then on as ``EXECUTE sokoni_<n>(…)`` with the same
parameters; the connection's sessions use the prepared statement's one generic plan
(``plan_cache_mode``, which concerns prepared statements only, and so only these). Opt in
only statements whose plan does not depend on their values: lookups by key, the writes
of a cart and an order; never a catalog page or count, whose best plan depends on its
filters.

A prepared statement lives as long as its connection and survives a rollback; a new
connection (after a restart, a failover or an invalidation) starts with none. A
connection keeps at most ``MAX_PER_CONNECTION`` (a statement with an ``IN`` list has one
text per list length); beyond that statements simply run unprepared. Behind a pooler that
hands one server connection to many clients (PgBouncer in transaction mode) a session's
prepared statements are not its own: set ``DB_PREPARED_STATEMENTS=false`` there.

Measured on the bench (checkout, same machine, 10 s runs): PostgreSQL's time per order
4.0 -> 1.5 ms, its CPU 5.4 -> 3.9 s a run; 90 -> 101 orders/s.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExecutionContext
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable

#: The execution option a statement opts in with (set by ``prepared``).
OPTION = "prepare"
#: Where a DBAPI connection keeps its prepared statements: SQL text -> ``EXECUTE`` text.
PREPARED = "sokoni_prepared"
MAX_PER_CONNECTION = 200
#: psycopg2's named placeholder, as SQLAlchemy's ``pyformat`` compiler writes it.
_PLACEHOLDER = re.compile(r"(?<!%)%\((\w+)\)s")

StatementT = TypeVar("StatementT", bound=Executable)


def prepared(statement: StatementT) -> StatementT:
    """``statement``, opted in: run as a prepared statement where ``prepare_opted_in`` is on."""
    return statement.execution_options(**{OPTION: True})


def prepare_opted_in(engine: Engine) -> None:
    """Run statements that opt in as prepared statements (PostgreSQL over psycopg2 only)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg2":
        return

    def generic_plans(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        dbapi_connection.commit()

    def use_prepared(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> tuple[str, Any]:
        if executemany or context is None or not context.execution_options.get(OPTION):
            return statement, parameters
        prepared: dict[str, str] = conn.connection.info.setdefault(PREPARED, {})
        execute = prepared.get(statement)
        if execute is None:
            if len(prepared) >= MAX_PER_CONNECTION:
                return statement, parameters
            name = f"sokoni_{len(prepared) + 1}"
            body, execute = _prepared_forms(name, statement)
            cursor.execute(f"PREPARE {name} AS {body}")
            prepared[statement] = execute
        return execute, parameters

    event.listen(engine, "connect", generic_plans)
    event.listen(engine, "before_cursor_execute", use_prepared, retval=True)


def _prepared_forms(name: str, statement: str) -> tuple[str, str]:
    """The ``PREPARE`` body (placeholders as ``$1``, ``$2``… in order of first use) and the
    ``EXECUTE`` text that passes the same named parameters in that order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in order:
            order.append(match.group(1))
        return f"${order.index(match.group(1)) + 1}"

    body = _PLACEHOLDER.sub(number, statement).replace("%%", "%")
    arguments = ", ".join(f"%({parameter})s" for parameter in order)
    return body, f"EXECUTE {name}({arguments})" if order else f"EXECUTE {name}"
