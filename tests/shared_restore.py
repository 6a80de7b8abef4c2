"""One restore of a session snapshot shared by the tests that run in a row
and ask for it, as Django's TestCase shares setUpTestData.

Restoring the seed catalog is ~135 papers, their authors and sources, the
search rows and kept counts their triggers write, and the foreign-key checks
at the end of each test: most of what a short test that reads the seed costs.
When the next test asks for the same catalog (`seed`, `seeded`, `catalog`),
the rows are put back once, in a transaction opened between the tests; each
test then runs in a savepoint inside it (pytest-django's `db` nests its
transaction) and its rollback undoes only what the test wrote, leaving the
catalog as restored for the next one. The transaction is rolled back when a
test that wants something else comes (an empty catalog, another snapshot, a
transactional test), and at the end of the run.

Each test still sees a new catalog version (`begin_test`), as after its own
restore, so no page cached by an earlier test is served to it.
"""

from __future__ import annotations

from django.db import connections, transaction
from pytest_django.fixtures import validate_django_db

from tests.snapshots import TableSnapshot

TRANSACTIONAL_FIXTURES = frozenset(
    {
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)
DATABASE_FIXTURES = TRANSACTIONAL_FIXTURES | {"db"}
VERSION_BUMP = {
    "postgresql": "UPDATE papershelf_catalog_version "
    "SET version = nextval('papershelf_catalog_version_seq') WHERE id = 1",
    "sqlite": "UPDATE papershelf_catalog_version SET version = random() WHERE id = 1",
}


def uses_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    )


def is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker:
        transactional, reset_sequences, _, serialized_rollback, _ = validate_django_db(marker)
        if transactional or reset_sequences or serialized_rollback:
            return True
    return bool(TRANSACTIONAL_FIXTURES.intersection(getattr(item, "fixturenames", ())))


class SharedRestore:
    def __init__(self):
        self.blocker = None  # pytest-django's django_db_blocker, set by tests/conftest.py
        # Each snapshot once taken, by the names of the fixture that restores
        # it and of the session fixture that took it: a test module may define
        # its own fixture of the same name (tests/browsing/test_cell_facets.py
        # has a `catalog` of its own), and the session fixture alone may be
        # asked for by a test that restores it itself (tests/test_snapshots.py).
        self.snapshots: dict[tuple[str, str], TableSnapshot] = {}
        self.snapshot: TableSnapshot | None = None  # the one restored in `self.atomic`
        self.atomic = None

    def register(self, fixture: str, taken_by: str, snapshot: TableSnapshot) -> TableSnapshot:
        if (fixture, taken_by) in self.snapshots:
            # Two definitions of one session fixture (a conftest importing
            # another's): which one a test gets cannot be told by its name.
            raise RuntimeError(f"{taken_by!r} is defined twice: keep it in tests/conftest.py")
        self.snapshots[fixture, taken_by] = snapshot
        return snapshot

    def holds(self, snapshot: TableSnapshot) -> bool:
        """Whether `snapshot` is restored in the transaction the current test runs inside."""
        if self.snapshot is not snapshot:
            return False
        blocks = connections[snapshot.using].atomic_blocks
        return len(blocks) > 1 and blocks[0] is self.atomic

    def begin_test(self, snapshot: TableSnapshot) -> None:
        """Called by the fixture that asks for `snapshot`, inside its test's
        transaction: restores it unless it is restored already, and either way
        the test starts at a new catalog version."""
        if not self.holds(snapshot):
            snapshot.restore()
            return
        connection = connections[snapshot.using]
        with connection.cursor() as cursor:
            cursor.execute(VERSION_BUMP[connection.vendor])

    def wanted_by(self, item) -> TableSnapshot | None:
        if item is None or not uses_database(item) or is_transactional(item):
            return None
        names = item.fixturenames
        wanted = [
            snapshot
            for (fixture, taken_by), snapshot in self.snapshots.items()
            if fixture in names and taken_by in names
        ]
        return wanted[0] if len(wanted) == 1 else None

    def after(self, item, nextitem, when_idle) -> None:
        """After `item`'s transaction is rolled back and before `nextitem`
        starts: keep, end or begin the shared restore; `when_idle()` is called
        when no transaction is open (a VACUUM may run)."""
        if nextitem is not None and not uses_database(nextitem):
            # It cannot reach the database: decide at its own end.
            if self.atomic is None:
                when_idle()
            return
        wanted = self.wanted_by(nextitem)
        if wanted is not None and self.snapshot is wanted and self._intact():
            return
        self.end()
        when_idle()
        if wanted is None or self.blocker is None:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic(using=wanted.using)
            # As Django's TestCase marks its own: a durable atomic block may
            # run inside (only the innermost block is looked at, but to be sure).
            self.atomic._from_testcase = True
            self.atomic.__enter__()
            self.snapshot = wanted
            wanted.restore()
            # The restored rows' deferred foreign-key checks, run here once.
            # Left pending, each test's end (Django's check_constraints())
            # would run them in its savepoint, and PostgreSQL marks checks run
            # inside a rolled-back savepoint as pending again: every test
            # would check the whole catalog's keys.
            connections[wanted.using].check_constraints()

    def _intact(self) -> bool:
        blocks = connections[self.snapshot.using].atomic_blocks
        return len(blocks) == 1 and blocks[0] is self.atomic

    def end(self) -> None:
        """Roll the shared restore back, if one is open."""
        atomic, snapshot = self.atomic, self.snapshot
        self.atomic = self.snapshot = None
        if atomic is None:
            return
        connection = connections[snapshot.using]
        with self.blocker.unblock():
            # Normally only this block is open; if a test left another open
            # inside it, that one is rolled back too.
            while connection.atomic_blocks:
                transaction.set_rollback(True, using=snapshot.using)
                connection.atomic_blocks[-1].__exit__(None, None, None)


SHARED = SharedRestore()


def take_shared(request, django_db_blocker, fixture: str, name: str, load):
    """TableSnapshot.take(name, load), restored by the function fixture named
    `fixture` through SHARED (tests/shared_restore.py); a shared restore still
    open at the end of the session is rolled back before the test database goes."""
    with django_db_blocker.unblock():
        snapshot, result = TableSnapshot.take(name, load)
    request.addfinalizer(SHARED.end)
    return SHARED.register(fixture, request.fixturename, snapshot), result
