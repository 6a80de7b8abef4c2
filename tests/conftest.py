"""What every test package shares: the seed catalog's numbers, and the
catalogs tests start from, each made once per session and put back in each
test that asks.

    def test_something(client, seed):        # fixtures/catalog.json, 135 papers
        assert Paper.objects.count() == SEED_COUNTS.papers

    def test_other(client, catalog):         # tests/browsing/conftest.py, 5 papers
        assert catalog["papers"]["pythia"].venue.name == "ICML"

    def test_import(seeded):                  # fixtures/listings/ imported, one run
        assert seeded.entries == SEED_COUNTS.entries

`seed`, `catalog`, `seeded` and `budget_catalog` are function-scoped and
isolated like `db`: the rows come back in the test's transaction
(tests/snapshots.py), or once for the tests in a row that ask for the same
catalog, each test in a savepoint (tests/shared_restore.py); its rollback
removes what it wrote, and the objects a builder returned are the test's own
copies.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from catalog.importer.service import import_listings
from tests.browsing.conftest import build_small_catalog
from tests.importer.seed_listings import SEED_FILES
from tests.oai.conftest import build_many
from tests.query_budget import BUDGET_SIZES, build_catalog
from tests.shared_restore import SHARED, take_shared
from tests.snapshots import TableSnapshot
from tests.vacuum import VACUUM

SEED_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "catalog.json"


@dataclass(frozen=True)
class SeedCounts:
    """The seed catalog in numbers: fixtures/listings/ imported, = fixtures/catalog.json."""

    papers: int = 135
    # Listing entries in the five seed files; 16 of them are a paper already
    # listed elsewhere, merged into it.
    entries: int = 151
    merged: int = 16
    # Papers with a source of each listing format.
    blog_papers: int = 41
    abstracts_papers: int = 10
    daily_papers: int = 84
    stella_biderman_papers: int = 19


SEED_COUNTS = SeedCounts()


def load_seed_catalog():
    """What `manage.py load_catalog` does (loaddata, then the search index)."""
    if not SEED_FIXTURE.is_file():
        pytest.fail(
            f"{SEED_FIXTURE} is missing: the seed-catalog tests need it "
            "(make it with: manage.py import_listings fixtures/listings/* --fixture PATH)."
        )
    call_command("load_catalog", fixture=str(SEED_FIXTURE), verbosity=0)


@pytest.fixture
def empty_cache():
    """An empty cache before and after the test: pages are built, not served
    from what an earlier test put in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def seed_catalog_snapshot(request, django_db_setup, django_db_blocker):
    """fixtures/catalog.json as loaded once in this session (use `seed`)."""
    return take_shared(request, django_db_blocker, "seed", "seed_catalog", load_seed_catalog)[0]


@pytest.fixture
def seed(db, seed_catalog_snapshot):
    """The seed catalog (fixtures/catalog.json): 135 papers, SEED_COUNTS."""
    SHARED.begin_test(seed_catalog_snapshot)


@pytest.fixture(scope="session")
def small_catalog_snapshot(request, django_db_setup, django_db_blocker):
    """build_small_catalog() as run once in this session, and what it returned."""
    return take_shared(request, django_db_blocker, "catalog", "small_catalog", build_small_catalog)


@pytest.fixture
def catalog(db, small_catalog_snapshot):
    """The small catalog (tests/browsing/conftest.py): its venues, awards,
    people and papers by key, as build_small_catalog() returns them."""
    snapshot, built = small_catalog_snapshot
    SHARED.begin_test(snapshot)
    # This test's own objects: what it changes in them stays in this test.
    return copy.deepcopy(built)


@pytest.fixture(scope="session")
def seed_import_snapshot(request, django_db_setup, django_db_blocker):
    """fixtures/listings/ as imported once in this session, and the import's report."""
    from tests.importer.test_import_service import parsed

    def load():
        return import_listings(parsed(*SEED_FILES))

    return take_shared(request, django_db_blocker, "seeded", "seed_import", load)


@pytest.fixture
def seeded(db, seed_import_snapshot):
    """The catalog `import_listings()` makes of the seed listings (SEED_COUNTS),
    and that import's report."""
    snapshot, report = seed_import_snapshot
    SHARED.begin_test(snapshot)
    return copy.deepcopy(report)


@pytest.fixture(scope="session")
def many_snapshot(django_db_setup, django_db_blocker):
    """build_many() (tests/oai/conftest.py) as run once in this session, and its papers."""
    with django_db_blocker.unblock():
        return TableSnapshot.take("oai_many", build_many)


@pytest.fixture(scope="session")
def budget_catalog_snapshots(django_db_setup, django_db_blocker):
    """build_catalog(n) as run once in this session, for each of BUDGET_SIZES."""
    with django_db_blocker.unblock():
        return {
            n: TableSnapshot.take(f"budget_catalog_{n}", lambda n=n: build_catalog(n))[0]
            for n in BUDGET_SIZES
        }


@pytest.fixture
def budget_catalog(db, budget_catalog_snapshots):
    """`budget_catalog(n)` writes what build_catalog(n) writes (tests/query_budget.py),
    for n in BUDGET_SIZES, into an empty catalog."""

    def restore(n: int) -> None:
        if n not in budget_catalog_snapshots:
            raise ValueError(f"no budget catalog of {n} papers: add {n} to BUDGET_SIZES")
        budget_catalog_snapshots[n].restore()

    return restore


@pytest.fixture(autouse=True, scope="session")
def _vacuum_between_tests(django_db_blocker):
    """On PostgreSQL, the tables are vacuumed every few tests (tests/vacuum.py);
    tests in a row that ask for the same snapshot share its restore
    (tests/shared_restore.py)."""
    VACUUM.blocker = SHARED.blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # the test's fixtures are torn down: its transaction is rolled back
    SHARED.after(item, nextitem, when_idle=lambda: VACUUM.after(item, nextitem))
    return result


@pytest.fixture
def staff_client(django_user_model):
    """A client signed in as a superuser; named so as not to clash with the
    curating tests' "curator" (a staff user in the Curators group)."""
    user = django_user_model.objects.create_superuser("chief-curator", "c@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


# Debian's Chromium for every browser test (see ../shared/RECIPES.md): never
# `playwright install`, always `executable_path`. The flags keep a headless run
# in a container quiet and off the network.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `apt-get install -y chromium` (make test does when "
            'it can), or deselect these tests with -m "not browser".'
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_catalog(transactional_db, live_server, small_catalog_snapshot):
    """The browser tests' small catalog (tests/browsing/conftest.py), served
    by a live server: its base URL. The rows are committed, and emptied by
    the flush after the test (snapshots are not models: flush leaves them)."""
    snapshot, _ = small_catalog_snapshot
    snapshot.restore()
    return live_server.url


def admin_log_in(page, base: str, username: str, password: str, *, path: str = "/admin/login/"):
    """Sign in to the admin through its login form, as a curator in a browser does."""
    page.goto(f"{base}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
