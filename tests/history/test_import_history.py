"""Import runs are recorded, with a revision per paper they wrote."""

import pytest

from catalog.models import Paper
from history.models import ImportRun, PaperRevision
from tests.conftest import SEED_COUNTS
from tests.history.helpers import second_run


def test_the_seed_import_is_one_run_with_one_created_record_per_paper(seeded):
    run = ImportRun.objects.get()
    assert run.kind == "listings" and run.who == "command line"
    assert len(run.files) == 5
    created = PaperRevision.objects.filter(run=run, kind="created")
    assert created.count() == SEED_COUNTS.papers
    assert not any(created.values_list("changes", flat=True))
    assert run.report["created"] and len(run.report["created"]) == SEED_COUNTS.papers


def test_an_update_by_a_run_records_each_changed_field_before_and_after(seeded):
    report = second_run()
    paper = Paper.objects.get(title__startswith="LongWriter: Unleashing")
    revision = paper.revisions.get(run_id=report.run_id)
    assert revision.kind == "import"
    assert revision.changes["upvotes"] == [6, 600]
    assert str(revision.run).startswith(f"import run {report.run_id}: zebra.txt")


def test_a_dry_run_is_not_recorded(seeded):
    from catalog.importer.service import import_listings
    from tests.history.helpers import NEW_PAPER
    from tests.importer.test_import_service import listing_from_text

    report = import_listings([listing_from_text(NEW_PAPER, "zebra.txt")], dry_run=True)
    assert report.run_id is None
    assert ImportRun.objects.count() == 1


@pytest.mark.parametrize("verbosity", [1])
def test_the_command_records_file_sizes_and_hashes(db, tmp_path, verbosity):
    from django.core.management import call_command

    from tests.history.helpers import NEW_PAPER

    path = tmp_path / "zebra.txt"
    path.write_text(NEW_PAPER)
    call_command("import_listings", str(path), verbosity=0)
    run = ImportRun.objects.get()
    assert run.files[0]["name"] == "zebra.txt"
    assert run.files[0]["size"] == len(NEW_PAPER.encode())
    assert len(run.files[0]["sha256"]) == 64
    paper = Paper.objects.get()
    assert paper.revisions.get().kind == "created"
