"""A catalog put back from its session snapshot (tests/snapshots.py) is what
its builder writes: the same rows, the same search index and facet counts,
and a new catalog version, so no page cached before is served after."""

import pytest
from django.db import connection, transaction

from catalog.counts import AWARD_CELLS, PAPER_CELLS, PERSON_COUNTS
from catalog.models import Award, Paper, PaperSource
from core.cache import catalog_version
from people.models import Person, PersonAlias
from tests.browsing.conftest import build_small_catalog
from tests.factories import make_paper
from tests.oai.conftest import build_many
from tests.query_budget import BUDGET_SIZES, build_catalog
from venues.models import Venue

pytestmark = pytest.mark.django_db


def counts(table: str, keys: dict) -> list:
    """A count table's rows with its ids read as slugs (`keys`: column -> {id: slug})."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE papers <> 0")
        columns = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return sorted(
        tuple(
            keys[c].get(value, f"none:{value}") if c in keys else value
            for c, value in zip(columns, row, strict=True)
        )
        for row in rows
    )


def catalog_rows() -> dict:
    """Everything the pages read, independent of primary keys and of when it was written."""
    venues = dict(Venue.objects.values_list("pk", "slug"))
    people = dict(Person.objects.values_list("pk", "slug"))
    awards = dict(Award.objects.values_list("pk", "slug"))
    papers = Paper.objects.order_by("slug").prefetch_related("authorships__person", "awards")
    cells = {"venue_key": venues}
    return {
        "papers": [
            (
                paper.slug,
                paper.citation_key,
                paper.title,
                paper.abstract,
                venues.get(paper.venue_id),
                paper.year,
                paper.upvotes,
                paper.author_names,
                str(paper.search_vector),
                str(paper.head_vector),
                [(a.position, a.person.slug) for a in paper.authorships.all()],
                sorted(award.slug for award in paper.awards.all()),
            )
            for paper in papers
        ],
        "people": sorted(Person.objects.values_list("slug", "name")),
        "aliases": sorted(PersonAlias.objects.values_list("person__slug", "name")),
        "venues": sorted(Venue.objects.values_list("slug", "name", "kind")),
        "awards": sorted(Award.objects.values_list("slug", "name")),
        "sources": sorted(PaperSource.objects.values_list("paper__slug", "listing", "line")),
        # Kept by triggers (catalog/counts.py): restored rows must count as built ones.
        PAPER_CELLS: counts(PAPER_CELLS, cells),
        AWARD_CELLS: counts(AWARD_CELLS, {**cells, "award_id": awards}),
        PERSON_COUNTS: counts(PERSON_COUNTS, {"person_id": people}),
        # The search index (SQLite: an FTS5 table kept by triggers).
        "found": sorted(Paper.objects.search("language models").values_list("slug", flat=True)),
    }


BUILDERS = {
    "small": build_small_catalog,
    "many": build_many,
    **{str(n): (lambda n=n: build_catalog(n)) for n in BUDGET_SIZES},
}


# The session snapshots are named as arguments: they must be taken before the
# test's transaction begins, or it would roll them back (TableSnapshot.take).
@pytest.mark.parametrize("name", BUILDERS)
def test_a_restored_catalog_is_what_its_builder_writes(
    name, small_catalog_snapshot, many_snapshot, budget_catalog_snapshots
):
    snapshot = {
        "small": small_catalog_snapshot[0],
        "many": many_snapshot[0],
        **{str(n): budget_catalog_snapshots[n] for n in BUDGET_SIZES},
    }[name]
    version = catalog_version()
    before = transaction.savepoint()
    snapshot.restore()
    assert catalog_version() != version  # what the cache held before is stale now
    restored = catalog_rows()
    assert restored["papers"]
    # Rows written next go after the restored ones: no id is handed out twice.
    highest = max(Paper.objects.values_list("pk", flat=True))
    assert make_paper("Written after the restore").pk > highest
    transaction.savepoint_rollback(before)

    assert catalog_version() == version and not Paper.objects.exists()
    BUILDERS[name]()
    assert catalog_rows() == restored


def test_each_test_has_its_own_copy_of_what_the_builder_returned(catalog, small_catalog_snapshot):
    _, built = small_catalog_snapshot
    assert catalog == built  # the same rows (model instances are equal by primary key)
    pythia = catalog["papers"]["pythia"]
    assert pythia is not built["papers"]["pythia"]
    # Shared within the copy as the builder shared them.
    assert pythia.venue is catalog["venues"]["icml"]
    pythia.title = "Changed in this test only"
    assert built["papers"]["pythia"].title.startswith("Pythia")
    assert Paper.objects.get(pk=pythia.pk).title.startswith("Pythia")
