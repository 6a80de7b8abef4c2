"""Caching keyed by the catalog's version.

Why: at 100,000 papers the paper list's facet counts (papers per venue, year,
award and top author over the whole filtered set) are most of a list page's
database time, and rendering the page is most of the rest; both are the same
for every visitor until the catalog changes. bench/RESULTS.md has the numbers.

Invalidation: the database keeps a version number, `papershelf_catalog_version`,
that triggers (migration 0006) change on every INSERT, UPDATE, DELETE or
TRUNCATE of a catalog table — whoever writes: the admin, the importer's bulk
writes, merges, raw SQL, a restore. Cache keys include the version, so a write
makes every cached entry unreachable at once; nothing is ever deleted by hand
and no writer has to remember to. The version changes inside the writing
transaction, so a reader sees the new version exactly when it sees the new
data. New values come from a sequence (PostgreSQL) or random() (SQLite), never
a counter, so a rolled-back transaction's version is never reused for other
data. A missing version row (a database flushed by a test) turns caching off.

Reading the version is one primary-key query for a cached page or answer,
and a second one, in the snapshot below, for one built. The cache is
Django's default cache: local memory per process, or one Redis server that
several hosts share (CACHE_URL, config/env.py); local memory is bounded by
its MAX_ENTRIES.

One snapshot: a page reads the version and its data in one transaction
(consistent_snapshot), on the connection its data comes from. Otherwise a
write committed between the two reads, or a read replica behind the
primary, would put data under a version it does not belong to, served
until the next write. On PostgreSQL that transaction is REPEATABLE READ
(READ COMMITTED takes a new snapshot for every statement) and READ ONLY;
on SQLite every transaction is one snapshot.
"""

from __future__ import annotations

import datetime
import hashlib
from contextlib import contextmanager
from typing import NamedTuple

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections, router, transaction

from core import prepared

VERSION_TABLE = "papershelf_catalog_version"
# Long enough to matter, short enough that a cache without invalidation (a
# misconfigured shared cache) could not serve stale pages for long.
TIMEOUT = 60 * 60


class VersionRow(NamedTuple):
    version: int
    changed_at: datetime.datetime | None


def catalog_db() -> str:
    """The database the catalog's pages read from (a replica, if a router
    says so): the version must be read there too."""
    return router.db_for_read(apps.get_model("catalog", "Paper"))


def read_version(using: str | None = None, *, changed_at: bool = True) -> VersionRow | None:
    """The catalog's version and when it changed (`changed_at` False: not
    read, None: a timestamp's conversion was a third of this read's
    Python), in one primary-key query; None when unknown (a database
    without the version row).

    A request's first query on a connection that CONN_HEALTH_CHECKS checks:
    this read is the check (Django's own is a SELECT 1 before it, one more
    round trip a page): failing, the connection is closed and the version
    read again on a new one, as after a failed check."""
    connection = connections[using or catalog_db()]
    column = "changed_at" if changed_at else "NULL"
    sql = f"SELECT version, {column} FROM {VERSION_TABLE} WHERE id = 1"
    checks = _is_health_check(connection)
    try:
        row = _fetch_one(connection, sql)
    except DatabaseError:
        if not checks:
            return None
        connection.close()
        try:
            row = _fetch_one(connection, sql)
        except DatabaseError:
            return None
    if not row:
        return None
    version, changed = row
    if isinstance(changed, str):  # SQLite keeps text, in UTC
        changed = datetime.datetime.fromisoformat(changed).replace(tzinfo=datetime.UTC)
    return VersionRow(version, changed)


def _fetch_one(connection, sql: str):
    # The only query of a page served from the cache, and most of its cost:
    # prepared (core.prepared), the server plans it once a connection, not
    # every request; unobserved, it skips Django's cursor wrapper. Through
    # gunicorn, the cached list reached 49% of a trivial view's requests/s
    # before, 52-55% with both (bench/RESULTS.md has the full runs).
    if _unobserved(connection):
        connection.ensure_connection()
        with connection.wrap_database_errors:
            return prepared.fetchone_on_driver(connection, sql)
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, ())
        return cursor.fetchone()


def _unobserved(connection) -> bool:
    """Whether the version may be read on the driver's connection: nothing
    watches this connection's queries (DEBUG's log, a test's
    CaptureQueriesContext, an execute_wrapper), which would then miss it,
    and no transaction, whose guards (a broken atomic block) Django's
    cursor keeps. Tools that patch Django's cursor class (some APM agents)
    do not see this read."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and not connection.queries_logged
        and not connection.execute_wrappers
    )


def _is_health_check(connection) -> bool:
    """Whether a query now is the connection's health check (Django's, due
    before the first query of a request), which it then counts as done."""
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
        or connection.in_atomic_block
        or getattr(connection, "pool", None)
    ):
        return False
    connection.health_check_done = True
    return True


def pages_cached() -> bool:
    """Whether whole pages and API answers are cached per catalog version
    (settings.PAPERSHELF_CACHE_PAGES: on unless turned off, as the bench's
    rendered rows do)."""
    return getattr(settings, "PAPERSHELF_CACHE_PAGES", True)


def catalog_version(using: str | None = None) -> int | None:
    """The catalog's current version, or None when it cannot be known."""
    row = read_version(using, changed_at=False)
    return row.version if row else None


@contextmanager
def consistent_snapshot():
    """Everything read inside, the version included, comes from one snapshot
    of the catalog's database; yields whether this started it (a version
    read before must then be read again inside). Inside a transaction
    already (a test's, a caller's), that transaction is the snapshot."""
    alias = catalog_db()
    connection = connections[alias]
    if connection.in_atomic_block:
        yield False
        return
    restore = None
    try:
        with transaction.atomic(using=alias):
            restore = _repeatable_read_only(connection)
            yield True
    finally:
        if restore is not None:
            restore()


def _repeatable_read_only(connection):
    """Make this transaction REPEATABLE READ READ ONLY on PostgreSQL with no
    statement of its own (no SET TRANSACTION): psycopg puts the connection's
    transaction characteristics into the BEGIN it sends before the first
    query. Returns what puts the connection's own ones back afterwards."""
    if connection.vendor != "postgresql":
        return None
    raw = connection.connection
    before = (raw.isolation_level, raw.read_only)
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    raw.read_only = True

    def restore():
        try:
            raw.isolation_level, raw.read_only = before
        except psycopg.Error:
            # Still in a transaction (a failed commit): never hand a later
            # request a read-only connection.
            connection.close()

    return restore


def cache_key(kind: str, version: int, *parts: str) -> str:
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()
    return f"papershelf:{kind}:{version}:{digest}"


def get_or_compute(kind: str, version: int | None, parts: tuple[str, ...], compute):
    """compute(), cached under `kind`, `version` and `parts` when the version is known."""
    if version is None:
        return compute()
    key = cache_key(kind, version, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
