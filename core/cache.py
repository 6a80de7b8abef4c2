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

Reading the version is one primary-key query per request. The cache is
Django's default cache (local memory per process unless CACHES says
otherwise), so memory is bounded by its MAX_ENTRIES.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import DatabaseError, connection

VERSION_TABLE = "papershelf_catalog_version"
# Long enough to matter, short enough that a cache without invalidation (a
# misconfigured shared cache) could not serve stale pages for long.
TIMEOUT = 60 * 60


def catalog_version() -> int | None:
    """The catalog's current version, or None when it cannot be known."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {VERSION_TABLE} WHERE id = 1")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return row[0] if row else None


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
