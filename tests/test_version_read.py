"""The catalog version's read on PostgreSQL (core.cache.read_version): a
statement prepared once per connection, run on the driver's connection
when nothing observes the connection's queries, through Django's cursor
when something does.

Outside a transaction, as a page served from the cache reads it: these
tests run with transactional_db (no test transaction around them)."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

import core.cache
from catalog.models import Paper
from core import prepared
from tests.factories import make_paper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL"),
]

SQL = f"SELECT version, NULL FROM {core.cache.VERSION_TABLE} WHERE id = 1"
EXECUTED = f"EXECUTE {prepared.statement_name(SQL)}"


@pytest.fixture(autouse=True)
def nothing_prepared():
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._PREPARED.clear()


def plain_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {core.cache.VERSION_TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


def server_prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


@contextmanager
def without_django_cursor():
    """Fail any use of Django's cursor on the default connection inside."""

    def refuse(*args, **kwargs):
        raise AssertionError("the version was read through a Django cursor")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", refuse)
        yield


def test_unobserved_the_version_is_read_on_the_drivers_connection():
    make_paper("Pythia")
    with without_django_cursor():
        first = core.cache.catalog_version()
        second = core.cache.catalog_version()
    assert first == second == plain_version()
    assert server_prepared() == [prepared.statement_name(SQL)]


def test_a_write_committed_elsewhere_is_seen_by_the_next_read():
    paper = make_paper("Pythia")
    with without_django_cursor():
        before = core.cache.catalog_version()

    def rename():
        try:
            Paper.objects.filter(pk=paper.pk).update(title="Pythia Renamed")
        finally:
            connections.close_all()

    writer = threading.Thread(target=rename)
    writer.start()
    writer.join()
    with without_django_cursor():
        after = core.cache.catalog_version()
    assert after != before and after == plain_version()


def test_observed_reads_go_through_djangos_cursor():
    make_paper("Pythia")
    version = plain_version()
    with CaptureQueriesContext(connection) as captured:
        assert core.cache.catalog_version() == version
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["PREPARE", "EXECUTE"]
    wrapped = []

    def wrapper(execute, sql, params, many, context):
        wrapped.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        assert core.cache.catalog_version() == version
    assert wrapped == [EXECUTED]


def test_in_a_transaction_the_read_goes_through_djangos_cursor(monkeypatch):
    version, used = plain_version(), []
    wrapper_class = type(connections["default"])
    real_cursor = wrapper_class.cursor

    def counted(self, *args, **kwargs):
        used.append(True)
        return real_cursor(self, *args, **kwargs)

    monkeypatch.setattr(wrapper_class, "cursor", counted)
    with transaction.atomic():
        assert core.cache.catalog_version() == version
    assert used


def test_a_statement_deallocated_behind_its_back_is_prepared_again(monkeypatch):
    version = core.cache.catalog_version()
    connection.connection.execute("DEALLOCATE ALL")  # the registry still lists it
    monkeypatch.setattr(connections["default"], "health_check_enabled", False)
    # Not a health check: that one request is not cached (no version)...
    assert core.cache.catalog_version() is None
    # ...and the next prepares the statement again, on the same connection.
    raw = connection.connection
    assert core.cache.catalog_version() == version
    assert connection.connection is raw
    assert server_prepared() == [prepared.statement_name(SQL)]


def test_behind_transaction_pooling_nothing_is_prepared(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    version = plain_version()
    assert core.cache.catalog_version() == core.cache.catalog_version() == version
    assert server_prepared() == []
