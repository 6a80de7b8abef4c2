"""A page reads the catalog's version and its data from one snapshot, on one
connection (core.cache.consistent_snapshot): a write committed by someone
else between the two reads must not end up in the cache under the version
read before it, nor a replica's old data under the primary's new version.

These tests need the view to open its own transaction, so they run with
transactional_db (no test transaction around the request)."""

import threading

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

import core.cache
from catalog.models import Paper
from core import prepared
from tests.factories import make_paper, make_person, make_venue

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.cache,
    pytest.mark.usefixtures("empty_cache"),
]

PAGES = ["/papers/pythia/", "/papers/", "/api/v1/papers/pythia", "/api/v1/papers"]


@pytest.fixture
def pythia():
    venue, author = make_venue("ICML"), make_person("Stella Biderman")
    return make_paper("Pythia", venue=venue, year=2023, authors=[author])


def rename_elsewhere(pk: int, title: str) -> None:
    """Commit a rename on another connection (another thread's), as another
    server or the admin would."""

    def write():
        try:
            Paper.objects.filter(pk=pk).update(title=title)
        finally:
            connections.close_all()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


@pytest.fixture
def after_version_read(monkeypatch):
    """Run a callback once, right after a page has read the catalog version
    its data goes with: in a transaction. (The read before, outside one,
    only looks for the page in the cache.)"""
    callbacks = []
    original = core.cache.read_version

    def read_version(using=None, **kwargs):
        row = original(using, **kwargs)
        alias = using or core.cache.catalog_db()
        while callbacks and connections[alias].in_atomic_block:
            callbacks.pop()(alias)
        return row

    monkeypatch.setattr(core.cache, "read_version", read_version)
    return callbacks.append


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second writer: PostgreSQL")
@pytest.mark.parametrize("url", PAGES)
def test_a_write_committed_after_the_version_read_is_not_in_that_page(
    client, pythia, after_version_read, url
):
    after_version_read(lambda using: rename_elsewhere(pythia.pk, "Pythia Renamed"))
    first = client.get(url).content.decode()
    # The page is the catalog as of its version: the rename is not in it...
    assert "Pythia" in first and "Pythia Renamed" not in first
    # ...and the rename changed the version, so the next request sees it
    # rather than the page cached under the version before it.
    assert "Pythia Renamed" in client.get(url).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's isolation levels")
def test_pages_read_in_a_repeatable_read_read_only_transaction(client, pythia, after_version_read):
    seen = {}

    def settings_now(using):
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('transaction_isolation'), "
                "current_setting('transaction_read_only')"
            )
            seen["inside"] = cursor.fetchone()

    after_version_read(settings_now)
    assert client.get("/papers/pythia/").status_code == 200
    assert seen["inside"] == ("repeatable read", "on")
    # The connection is handed back as it was: the next transaction writes.
    Paper.objects.filter(pk=pythia.pk).update(title="Pythia, written after a page")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('transaction_isolation')")
        assert cursor.fetchone()[0] == "read committed"


@pytest.fixture
def version_reads(monkeypatch):
    """For each read of the catalog version, whether it was inside a transaction."""
    reads = []
    original = core.cache.read_version

    def read_version(using=None, **kwargs):
        reads.append(connection.in_atomic_block)
        return original(using, **kwargs)

    monkeypatch.setattr(core.cache, "read_version", read_version)
    return reads


@pytest.mark.parametrize("url", PAGES)
def test_the_version_is_read_again_inside_the_pages_transaction(client, pythia, version_reads, url):
    reads = version_reads
    assert client.get(url).status_code == 200
    # Outside, to look in the cache; inside, with the data, to build it.
    assert reads == [False, True]
    assert not connection.in_atomic_block  # and the transaction ended with the page
    # Cached: no data read, so no transaction either, just the version.
    reads.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert reads == [False]
    # The API reads the version's time too (its answers' validators).
    column = "changed_at" if url.startswith("/api/") else "NULL"
    sql = f"SELECT version, {column} FROM papershelf_catalog_version WHERE id = 1"
    # Prepared on PostgreSQL by the first request (core.prepared).
    if connection.vendor == "postgresql":
        sql = f"EXECUTE {prepared.statement_name(sql)}"
    assert [query["sql"] for query in captured] == [sql]


class ReadsElsewhere:
    """A router that sends the catalog's reads to another database, as a
    read replica's router would."""

    def db_for_read(self, model, **hints):
        return "fixture_build"


@pytest.mark.django_db(transaction=True, databases=["default", "fixture_build"])
@override_settings(DATABASE_ROUTERS=[f"{__name__}.ReadsElsewhere"])
def test_the_version_is_read_where_the_pages_data_is_read(after_version_read):
    inside = []
    after_version_read(lambda using: inside.append((using, connections[using].in_atomic_block)))
    assert core.cache.catalog_db() == "fixture_build"
    with core.cache.consistent_snapshot():
        core.cache.catalog_version()
        assert not connections["default"].in_atomic_block
    assert inside == [("fixture_build", True)]


@override_settings(PAPERSHELF_CACHE_PAGES=False)
@pytest.mark.parametrize("url", PAGES)
def test_without_the_page_cache_the_version_is_read_once_inside(client, pythia, version_reads, url):
    reads = version_reads
    response = client.get(url)
    assert response.status_code == 200
    assert reads == [True]
    if url.startswith("/api/"):
        # The answer carries the validators of the version read inside; a
        # conditional request still reads it first, alone, to answer 304.
        state = core.cache.read_version()
        assert response["ETag"] == f'"{state.version}.1"'
        reads.clear()
        with CaptureQueriesContext(connection) as captured:
            again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304 and len(captured) == 1
        assert reads == [False]


@pytest.fixture
def health_checks(monkeypatch):
    """CONN_HEALTH_CHECKS on, and the connection's own checks (SELECT 1) counted."""
    checks, wrapper = [], connections["default"]
    original = type(wrapper).is_usable
    monkeypatch.setattr(wrapper, "health_check_enabled", True)

    def is_usable(self):
        checks.append(True)
        return original(self)

    monkeypatch.setattr(type(wrapper), "is_usable", is_usable)
    return checks


def test_the_version_read_is_the_requests_health_check(client, pythia, health_checks):
    client.get("/papers/")  # connected
    assert client.get("/papers/").status_code == 200  # cached: the version alone
    assert client.get("/papers/pythia/").status_code == 200  # built
    assert health_checks == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that goes away")
def test_a_connection_the_version_read_finds_broken_is_replaced(pythia, health_checks):
    version = core.cache.catalog_version()
    connection.health_check_done = False  # a new request (close_old_connections)
    broken = connection.connection
    broken.close()  # the server went away in between
    assert core.cache.catalog_version() == version
    assert connection.connection is not broken and not connection.connection.closed
    assert health_checks == []
