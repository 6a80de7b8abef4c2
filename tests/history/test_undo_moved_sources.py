"""Undo gives a listing entry the run moved to another paper back to the
paper it belonged to: the catalog is row for row as before the run."""

import pytest

from catalog.importer.service import import_listings
from catalog.models import PaperSource
from history.models import ImportRun
from history.undo import undo_run
from tests.history.helpers import catalog_rows
from tests.importer.test_import_service import (
    arxiv_entry,
    import_two_arxiv_papers,
    listing_from_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_papers():
    """first.txt#1 is the First Paper, second.txt#1 the Second Paper."""
    return import_two_arxiv_papers()


def move_first_entry():
    """first.txt again, its entry now the Second Paper (its title and arXiv
    id outvote the entry's owner): the entry moves to the Second Paper."""
    # Blank lines first: the entry now starts on another line than before.
    text = "\n\n" + arxiv_entry("Second Paper", "2301.00002")
    return import_listings([listing_from_text(text, "first.txt")])


def test_undo_gives_a_moved_entry_back_and_leaves_the_catalog_as_before(two_papers):
    first, second = two_papers
    before = catalog_rows()
    source_before = PaperSource.objects.get(listing="first.txt")

    report = move_first_entry()
    moved = PaperSource.objects.get(listing="first.txt")
    assert moved.paper_id == second.pk and moved.line != source_before.line
    assert not first.sources.exists()

    result = undo_run(ImportRun.objects.get(pk=report.run_id))

    assert catalog_rows() == before
    restored = PaperSource.objects.get(listing="first.txt")
    assert (restored.pk, restored.paper_id, restored.line) == (
        source_before.pk,
        first.pk,
        source_before.line,
    )
    assert not result.kept


def test_a_moved_entry_whose_paper_was_deleted_since_stays_gone_and_is_reported(two_papers):
    first, second = two_papers
    report = move_first_entry()
    first_pk = first.pk
    first.delete()

    result = undo_run(ImportRun.objects.get(pk=report.run_id))

    assert not PaperSource.objects.filter(listing="first.txt").exists()
    assert any(
        f"first.txt#1 (it belonged to paper {first_pk}, deleted since)" in line
        for line in result.kept
    )
    assert second.sources.get().listing == "second.txt"


def test_a_run_recorded_without_the_moved_row_reports_the_entry_it_cannot_give_back(two_papers):
    _first, second = two_papers
    report = move_first_entry()
    run = ImportRun.objects.get(pk=report.run_id)
    revision = run.revisions.get(paper=second)
    # As runs recorded before the row was kept: [listing, index, owner].
    revision.undo_data["sources"] = [s[:3] for s in revision.undo_data["sources"]]
    revision.save()

    result = undo_run(run)

    assert not PaperSource.objects.filter(listing="first.txt").exists()
    assert any("not given back" in line for line in result.kept)
