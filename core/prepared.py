"""Statements prepared once per database connection (PostgreSQL).

Why: a statement whose plan does not depend on its parameters (a query over
ids already read) was planned again on every page, 0.5-1 ms of the
server's CPU for the facets of a search. Prepared, PostgreSQL plans its
first five executions and then keeps a generic plan when that costs no
more than they did (plan_cache_mode "auto"): later executions skip the
parse and the planning.

The statement is prepared (PREPARE, text with $1..$n) the first time a
connection runs it and run with EXECUTE afterwards: parameters are still
bound by the client, as every other query of the connection is. A new
connection (CONN_MAX_AGE, a reconnect) prepares again. Elsewhere
(SQLite), and where the database's DISABLE_SERVER_SIDE_CURSORS says its
connections are shared transaction by transaction (a transaction-pooling
PgBouncer: DB_TRANSACTION_POOLING), the statement runs as it is.
"""

from __future__ import annotations

import hashlib
import re
import weakref

import psycopg

# Statements prepared by connection (the driver's), by name. Bounded: a
# statement built from many shapes stops being prepared past the bound.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
MAX_PREPARED = 200
# SQLSTATE invalid_sql_statement_name: EXECUTE of a name not prepared.
UNKNOWN_STATEMENT = "26000"

_PLACEHOLDER = re.compile(r"%s|%%")


def numbered(sql: str) -> tuple[str, int]:
    """`sql` with its %s placeholders numbered ($1, $2, ...) and its %%
    written as %, as PREPARE takes it; and the number of parameters. Pure."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql), count


def statement_name(sql: str) -> str:
    """A name for the prepared `sql`: the same text, the same name. Pure."""
    return "ps_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()


def execute(cursor, sql: str, params) -> None:
    """cursor.execute(sql, params), prepared on PostgreSQL (module docstring)."""
    connection = cursor.db
    raw = connection.connection
    name = None
    if connection.vendor == "postgresql" and raw is not None:
        name = _prepared_name(connection, raw, sql, len(params), cursor.execute)
    if name is None:
        cursor.execute(sql, params)
        return
    marks = ", ".join(["%s"] * len(params))
    try:
        cursor.execute(f"EXECUTE {name}({marks})" if params else f"EXECUTE {name}", params)
    except Exception as error:
        _forget_if_unknown(raw, name, error)
        raise


def fetchone_on_driver(connection, sql: str):
    """The first row of `sql` (no parameters), prepared as execute() prepares
    it but run on the driver's connection itself, not through a Django
    cursor: for the one statement of a hot path that nothing observes
    (core.cache says when). PostgreSQL, connected; the driver's errors are
    the caller's to wrap (connection.wrap_database_errors)."""
    raw = connection.connection
    name = _prepared_name(connection, raw, sql, 0, raw.execute)
    if name is None:
        if numbered(sql)[1]:
            raise ValueError("fetchone_on_driver() takes no parameters: use execute()")
        # No parameters, yet formatted as execute()'s cursor formats: %% is %.
        return raw.execute(sql, ()).fetchone()
    try:
        return raw.execute(f"EXECUTE {name}").fetchone()
    except psycopg.Error as error:
        _forget_if_unknown(raw, name, error)
        raise


def _prepared_name(connection, raw, sql: str, params: int, run) -> str | None:
    """The name `sql` is prepared under on the driver's connection `raw`,
    prepared now (run("PREPARE ...")) the first time; None when it must run
    as it is: behind transaction pooling, past MAX_PREPARED statements, or
    when its placeholders are not `params` in number."""
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        return None
    prepared = _PREPARED.setdefault(raw, set())
    name = statement_name(sql)
    if name not in prepared:
        if len(prepared) >= MAX_PREPARED:
            return None
        text, count = numbered(sql)
        if count != params:
            return None
        run(f"PREPARE {name} AS {text}")
        prepared.add(name)
    return name


def _forget_if_unknown(raw, name: str, error: Exception) -> None:
    """A statement the server no longer knows (a DEALLOCATE ALL behind this
    module's back) is forgotten, so the next run prepares it again rather
    than failing on every request of the connection."""
    cause = error if isinstance(error, psycopg.Error) else error.__cause__
    if getattr(cause, "sqlstate", None) == UNKNOWN_STATEMENT:
        _PREPARED.get(raw, set()).discard(name)
