"""PostgreSQL only: the application's tables vacuumed every few tests.

A row a test wrote and rolled back keeps its place in its table and indexes
until a VACUUM, and `make test-postgres` runs the server without autovacuum
(see the Makefile). Each test that puts the seed catalog back adds its pages
to the tables for good: late in a run a scan of the 135-row paper table took
50 ms, and each search read a long GIN pending list. A VACUUM between tests,
when no transaction is open and the tables are empty, removes those rows and
truncates the tables to nothing; with no row count recorded, the planner
keeps estimating from a table's actual size.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections

# Often enough that the tables never grow past a few tests' worth of pages;
# seldom enough that the VACUUMs cost little.
EVERY = 10
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


class Vacuum:
    def __init__(self):
        self.blocker = None  # pytest-django's django_db_blocker, set by tests/conftest.py
        self.tests_since = 0

    def after(self, item, nextitem) -> None:
        """Called once `item`'s fixtures are torn down (its transaction rolled back)."""
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES.intersection(
            getattr(item, "fixturenames", ())
        )
        if not uses_database:
            return
        self.tests_since += 1
        # After the last test the test database is gone already.
        if self.tests_since < EVERY or nextitem is None or self.blocker is None:
            return
        connection = connections["default"]
        if connection.vendor != "postgresql":
            return
        self.tests_since = 0
        quote = connection.ops.quote_name
        with self.blocker.unblock(), connection.cursor() as cursor:
            # Only the tables with dead rows (rolled back or deleted since
            # their last VACUUM); most of the application's tables have none,
            # and vacuuming an untouched table still reads its every index.
            # The statistics are flushed first: this backend's own counts
            # reach them only now and then.
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema() AND n_dead_tup > 0"
            )
            dead = {name for (name,) in cursor.fetchall()}
            # Unmanaged tables too (catalog_searchrow, written by triggers).
            tables = sorted(
                {
                    model._meta.db_table
                    for model in apps.get_models(include_auto_created=True)
                    if not model._meta.proxy and model._meta.db_table in dead
                }
            )
            if tables:
                cursor.execute("VACUUM " + ", ".join(quote(table) for table in tables))


VACUUM = Vacuum()
