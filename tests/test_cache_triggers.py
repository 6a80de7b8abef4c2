"""Every catalog table is watched by the catalog-version triggers (migration
catalog 0006): a write to any of them changes the version that cache keys
include, so no page is served from before the write. A new table the pages
read fails here until it is watched (or listed below with a reason)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

VERSIONING = importlib.import_module("catalog.migrations.0006_catalog_version")
# core's old slugs (core.models.SlugRedirect) are watched by a later migration.
CORE_VERSIONING = importlib.import_module("core.migrations.0002_slug_redirect_version")
WATCHED = VERSIONING.WATCHED + CORE_VERSIONING.WATCHED
APPS = ("catalog", "people", "venues", "core")
# Tables no page reads, so no cached page can be stale because of them.
UNWATCHED = {
    # Tombstones of deleted papers: only the importer and the admin read them.
    "catalog_deletedpaper": "no page shows it",
    # Admin import previews waiting to be applied: no page shows them, and
    # a preview must not change the version its own staleness check reads.
    "catalog_pendingimport": "no page shows it; a preview must not look stale to itself",
}


def catalog_tables() -> set[str]:
    """Every concrete model table of the catalog apps, many-to-many tables included."""
    return {
        model._meta.db_table
        for app in APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def catalog_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {VERSIONING.TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


def test_every_catalog_table_is_watched_or_exempt_with_a_reason():
    tables = catalog_tables()
    assert tables - set(UNWATCHED) == set(WATCHED)
    assert set(UNWATCHED) <= tables  # no stale exemption


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.parametrize("table", WATCHED)
def test_every_kind_of_write_to_a_watched_table_changes_the_version_on_postgresql(table):
    # Statement triggers fire even when no row is touched: each statement
    # below changes nothing but the version.
    quoted = connection.ops.quote_name(table)
    for statement in (
        f"INSERT INTO {quoted} SELECT * FROM {quoted} WHERE false",
        f"UPDATE {quoted} SET id = id WHERE false",
        f"DELETE FROM {quoted} WHERE false",
    ):
        before = catalog_version()
        with connection.cursor() as cursor:
            cursor.execute(statement)
        assert catalog_version() != before, statement
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND tgfoid = %s::regproc AND (tgtype & 32) <> 0",  # 32: TRUNCATE
            [quoted, VERSIONING.FUNCTION],
        )
        assert cursor.fetchone()[0] == 1, "TRUNCATE is not watched"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
@pytest.mark.parametrize("table", WATCHED)
def test_every_kind_of_write_to_a_watched_table_changes_the_version_on_sqlite(table):
    # SQLite has row triggers only (and no TRUNCATE): one per operation.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
        )
        triggers = [sql for (sql,) in cursor.fetchall() if VERSIONING.TABLE in sql]
    for operation in ("INSERT", "UPDATE", "DELETE"):
        assert any(f"AFTER {operation} ON {table}" in sql for sql in triggers), operation
