"""`manage.py undo_import`: the last run undone leaves the catalog as it was."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import DeletedPaper, Paper
from history.models import ImportRun, PaperRevision
from history.undo import UndoRefused, undo_run
from people.models import Person
from tests.history.helpers import catalog_rows, second_run


def undo(*args):
    out = StringIO()
    call_command("undo_import", *args, stdout=out)
    return out.getvalue()


def test_undoing_the_last_run_leaves_every_catalog_table_as_it_was(seeded):
    before = catalog_rows()
    report = second_run()
    assert report.created and report.updated and report.people_created
    assert catalog_rows() != before

    output = undo("--last")

    assert catalog_rows() == before
    assert "1 papers removed, 1 papers restored" in output
    assert not DeletedPaper.objects.exists()
    undo_run_record = ImportRun.objects.get(kind="undo")
    assert undo_run_record.undoes_id == report.run_id
    longwriter = Paper.objects.get(title__startswith="LongWriter: Unleashing")
    latest = longwriter.revisions.order_by("-pk").first()
    assert latest.kind == "undo" and latest.changes["upvotes"] == [600, 6]
    assert PaperRevision.objects.filter(kind="removed", run=undo_run_record).count() == 1


def test_a_dry_run_undo_changes_nothing(seeded):
    second_run()
    after = catalog_rows()
    output = undo("--last", "--dry-run")
    assert "Dry run" in output
    assert catalog_rows() == after
    assert not ImportRun.objects.filter(kind="undo").exists()


def test_what_staff_changed_since_the_run_is_kept_and_reported(seeded):
    report = second_run()
    created = Paper.objects.get(title__startswith="Zebra")
    updated = Paper.objects.get(title__startswith="LongWriter: Unleashing")
    updated.upvotes = 700
    updated.staff_edited_fields = ["upvotes"]
    updated.save()
    created.staff_edited_fields = ["title"]
    created.save()

    result = undo_run(ImportRun.objects.get(pk=report.run_id))

    updated.refresh_from_db()
    assert updated.upvotes == 700
    assert Paper.objects.filter(pk=created.pk).exists()
    assert any("upvotes" in line for line in result.kept)
    assert any("Zebra" in line for line in result.kept)
    # The person only the kept paper names stays with it.
    assert Person.objects.filter(name="Zed Quixote").exists()


def test_a_run_is_not_undone_while_a_later_run_changed_its_papers(seeded):
    first = second_run()
    second = second_run()  # the same listings again: no change, no revision
    assert not PaperRevision.objects.filter(run_id=second.run_id).exists()
    from catalog.importer.service import import_listings
    from tests.history.helpers import LONGWRITER
    from tests.importer.test_import_service import listing_from_text

    third = import_listings(
        [listing_from_text(LONGWRITER.replace(" 600", " 900"), "daily-3.txt", format="daily")]
    )
    with pytest.raises(UndoRefused, match=f"run {third.run_id}"):
        undo_run(ImportRun.objects.get(pk=first.run_id))
    with pytest.raises(CommandError, match="undo them first"):
        undo(str(first.run_id))
    undo(str(third.run_id))
    undo(str(first.run_id))
    assert Paper.objects.get(title__startswith="LongWriter: Unleashing").upvotes == 6
    with pytest.raises(CommandError, match="already undone"):
        undo(str(first.run_id))
