"""The seed listings imported once per session and put back in each test that
asks for them (see tests/snapshots.py): `seeded`."""

import copy

import pytest

from catalog.importer.service import import_listings
from tests.importer.seed_listings import SEED_FILES
from tests.snapshots import TableSnapshot


@pytest.fixture(scope="session")
def seed_import_snapshot(django_db_setup, django_db_blocker):
    """fixtures/listings/ as imported once in this session, and the import's report."""
    from tests.importer.test_import_service import parsed

    with django_db_blocker.unblock():
        return TableSnapshot.take("seed_import", lambda: import_listings(parsed(*SEED_FILES)))


@pytest.fixture
def seeded(db, seed_import_snapshot):
    """The catalog `import_listings()` makes of the seed listings (SEED_COUNTS in
    tests/conftest.py), and that import's report."""
    snapshot, report = seed_import_snapshot
    snapshot.restore()
    return copy.deepcopy(report)
