"""A staff delete is on record (who, when, the whole paper) and can be restored;
deleting people, venues and awards is in the history of the papers it changed."""

from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Award, DeletedPaper, Paper
from history.models import ImportRun, PaperDeletion, PaperRevision
from history.removal import RestoreRefused, paper_restore
from people.models import Person
from tests.admin_forms import edit_in_admin
from tests.history.helpers import catalog_rows, second_run
from venues.models import Venue

DELETIONS = reverse("admin:history_paperdeletion_changelist")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def without_updated_at(rows: dict) -> dict:
    """The catalog's rows, papers without updated_at (a restore is an update:
    feeds and harvesters must see the paper again)."""
    column = [f.attname for f in Paper._meta.concrete_fields].index("updated_at")
    rows = dict(rows)
    rows["catalog.Paper"] = sorted(r[:column] + r[column + 1 :] for r in rows["catalog.Paper"])
    return rows


def delete_in_admin(client, paper):
    url = reverse("admin:catalog_paper_delete", args=[paper.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content[:500]


def delete_selected(client, changelist: str, objects):
    response = client.post(
        reverse(changelist),
        {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"},
    )
    assert response.status_code == 302, response.content[:500]


def restore(client, *deletions):
    response = client.post(
        DELETIONS,
        {"action": "restore", "_selected_action": [d.pk for d in deletions]},
        follow=True,
    )
    assert response.status_code == 200
    return messages_of(response)[-1]


def rich_paper():
    """A seed paper with authors, a venue, an award and a source."""
    return (
        Paper.objects.filter(venue__isnull=False, awards__isnull=False, sources__isnull=False)
        .order_by("pk")
        .first()
    )


def test_a_delete_in_the_admin_is_recorded_with_who_and_the_whole_paper(staff_client, seeded):
    paper = rich_paper()
    authors = [a.person.name for a in paper.authorships.order_by("position")]
    delete_in_admin(staff_client, paper)

    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert DeletedPaper.objects.filter(slug=paper.slug).exists()
    deletion = PaperDeletion.objects.get()
    assert deletion.kind == "removed" and deletion.who == "chief-curator"
    assert deletion.paper_title == paper.title and deletion.note == "deleted in the admin"
    snapshot = deletion.undo_data
    assert snapshot["row"]["slug"] == paper.slug
    assert [a[3] for a in snapshot["authors"]] == authors
    assert snapshot["state"]["venue"] == paper.venue.name
    # The paper's earlier revisions are kept, for a restore to relink.
    assert snapshot["revisions"]

    listing = staff_client.get(DELETIONS)
    assert listing.status_code == 200
    assert paper.title in listing.content.decode() and "chief-curator" in listing.content.decode()
    page = staff_client.get(reverse("admin:history_paperdeletion_change", args=[deletion.pk]))
    assert page.status_code == 200 and authors[0] in page.content.decode()
    # The tombstones' list links each to its record.
    tombstones = staff_client.get(reverse("admin:catalog_deletedpaper_changelist"))
    assert f"{DELETIONS}?q=" in tombstones.content.decode()


def test_restoring_a_deleted_paper_gives_back_every_row_and_its_history(staff_client, seeded):
    paper = rich_paper()
    edit_in_admin(staff_client, paper, title="Renamed before the delete")
    before = without_updated_at(catalog_rows())
    revisions_before = set(paper.revisions.values_list("pk", flat=True))
    delete_in_admin(staff_client, paper)

    message = restore(staff_client, PaperDeletion.objects.get())

    assert message == "Restored “Renamed before the delete”."
    assert without_updated_at(catalog_rows()) == before
    assert not DeletedPaper.objects.exists()
    restored = Paper.objects.get(pk=paper.pk)
    kinds = list(restored.revisions.order_by("-created_at", "-id").values_list("kind", flat=True))
    assert kinds[:2] == ["restored", "removed"]
    assert revisions_before < set(restored.revisions.values_list("pk", flat=True))
    history = staff_client.get(reverse("admin:catalog_paper_history", args=[paper.pk]))
    assert "Restored" in history.content.decode() and "Removed" in history.content.decode()
    # Found by search again.
    assert Paper.objects.search("Renamed before").filter(pk=paper.pk).exists()


def test_a_bulk_delete_records_each_paper(staff_client, seeded):
    papers = list(Paper.objects.order_by("pk")[:3])
    delete_selected(staff_client, "admin:catalog_paper_changelist", papers)

    assert not Paper.objects.filter(pk__in=[p.pk for p in papers]).exists()
    assert sorted(PaperDeletion.objects.values_list("paper_title", flat=True)) == sorted(
        p.title for p in papers
    )
    assert DeletedPaper.objects.count() == 3
    assert all(d.undo_data["tombstone"] for d in PaperDeletion.objects.all())


def test_a_restore_is_refused_clearly_when_another_paper_took_its_slug(staff_client, seeded):
    paper = rich_paper()
    delete_in_admin(staff_client, paper)
    Paper.objects.create(title="Squatter", slug=paper.slug)
    rows = catalog_rows()

    message = restore(staff_client, PaperDeletion.objects.get())

    assert message == (
        f"“{paper.title}” cannot be restored: its slug “{paper.slug}” belongs to “Squatter” now."
    )
    assert catalog_rows() == rows
    with pytest.raises(RestoreRefused, match="slug"):
        paper_restore(revision=PaperDeletion.objects.get(), user=None)


def test_a_second_restore_and_an_undos_removal_are_refused(staff_client, seeded):
    paper = rich_paper()
    delete_in_admin(staff_client, paper)
    deletion = PaperDeletion.objects.get()
    restore(staff_client, deletion)
    assert restore(staff_client, deletion) == (
        f"“{paper.title}” cannot be restored: the paper is back already."
    )
    second_run()
    call_command("undo_import", "--last", stdout=StringIO())
    undone = PaperDeletion.objects.get(run__kind="undo")
    assert "re-import its listings" in restore(staff_client, undone)


def test_a_restore_leaves_out_a_person_deleted_since_and_says_so(staff_client, seeded):
    paper = rich_paper()
    first = paper.authorships.order_by("position").first().person
    delete_in_admin(staff_client, paper)
    Person.objects.filter(pk=first.pk).delete()

    message = restore(staff_client, PaperDeletion.objects.get())

    assert message == f"Restored “{paper.title}”, without: author {first.name} (deleted since)."
    restored = Paper.objects.get(pk=paper.pk)
    assert first.name not in [a.person.name for a in restored.authorships.all()]
    assert restored.revisions.latest("pk").note.startswith("restored, without: author")


def test_the_deletions_are_shown_only_to_staff_who_may_view_papers(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    client.force_login(viewer)
    assert client.get(DELETIONS).status_code == 403


def test_undoing_a_run_whose_paper_staff_deleted_reports_it_and_undoes_the_rest(
    staff_client, seeded
):
    report = second_run()
    created = Paper.objects.get(title__startswith="Zebra")
    delete_in_admin(staff_client, created)
    out = StringIO()

    call_command("undo_import", str(report.run_id), stdout=out)

    output = out.getvalue()
    assert "Zebra Transformers for Striped Sequences” (created by the run, deleted by staff" in (
        output
    )
    assert Paper.objects.get(title__startswith="LongWriter: Unleashing").upvotes == 6
    assert ImportRun.objects.get(pk=report.run_id).undone_by
    # The deletion stands (its tombstone too); the person only it named is gone.
    assert DeletedPaper.objects.filter(title__startswith="Zebra").exists()
    assert not Person.objects.filter(name="Zed Quixote").exists()


@pytest.mark.parametrize(
    "model, changelist, field",
    [
        (Person, "admin:people_person_changelist", "authors"),
        (Venue, "admin:venues_venue_changelist", "venue"),
        (Award, "admin:catalog_award_changelist", "awards"),
    ],
)
def test_deleting_people_venues_and_awards_is_in_the_history_of_their_papers(
    staff_client, seeded, model, changelist, field
):
    paper = rich_paper()
    target = {
        Person: lambda: paper.authorships.order_by("position").first().person,
        Venue: lambda: paper.venue,
        Award: lambda: paper.awards.first(),
    }[model]()
    touched = set(model.objects.filter(pk=target.pk).values_list("papers", flat=True))
    updated_at = paper.updated_at

    delete_selected(staff_client, changelist, [target])

    revisions = PaperRevision.objects.filter(kind="admin", note__contains=str(target))
    assert set(revisions.values_list("paper_id", flat=True)) == touched
    revision = revisions.get(paper=paper)
    assert revision.who == "chief-curator" and field in revision.changes
    paper.refresh_from_db()
    assert paper.updated_at > updated_at


def test_reverting_to_a_version_naming_a_deleted_person_is_refused_clearly(staff_client, seeded):
    paper = rich_paper()
    created = paper.revisions.get(kind="created")
    first = paper.authorships.order_by("position").first().person
    delete_selected(staff_client, "admin:people_person_changelist", [first])
    url = reverse("admin:catalog_paper_history", args=[paper.pk])

    response = staff_client.post(url, {"revert": created.pk, "confirm": "yes"}, follow=True)

    assert response.status_code == 200
    assert messages_of(response)[-1] == (
        f"Not reverted: that version names what was deleted since (authors: {first.name})."
    )


def test_a_paper_whose_id_was_taken_since_comes_back_under_a_new_one(staff_client, seeded):
    paper = rich_paper()
    other = Paper.objects.exclude(pk=paper.pk).order_by("pk").first()
    delete_in_admin(staff_client, paper)
    deletion = PaperDeletion.objects.get()
    deletion.undo_data["row"]["id"] = other.pk  # as if a fixture load had reused it
    deletion.save()

    restored = paper_restore(revision=deletion, user=None).paper

    assert restored.pk not in (paper.pk, other.pk)
    assert restored.slug == paper.slug and restored.sources.exists()
    assert Paper.objects.get(pk=other.pk).title == other.title
    assert restored.revisions.filter(kind="created").exists()


def test_the_deletions_list_reads_a_fixed_number_of_queries(staff_client, seeded):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(DELETIONS).status_code == 200
        return len(captured)

    delete_selected(staff_client, "admin:catalog_paper_changelist", [rich_paper()])
    one = queries()
    delete_selected(
        staff_client, "admin:catalog_paper_changelist", list(Paper.objects.order_by("pk")[:4])
    )
    assert PaperDeletion.objects.count() == 5
    assert queries() == one
