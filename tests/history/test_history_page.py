"""The paper's History page, revert, and the import runs' admin pages."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Paper
from history.models import ImportRun, PaperRevision
from tests.admin_forms import change_form_data, edit_in_admin
from tests.history.helpers import second_run


@pytest.fixture
def staff(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.org", "pw"))
    return client


def history_url(paper):
    return f"/admin/catalog/paper/{paper.pk}/history/"


def gpt_neox():
    return Paper.objects.get(title__startswith="GPT-NeoX-20B")


def test_an_admin_edit_of_fields_and_author_inline_is_recorded_with_the_user(staff, seeded):
    paper = gpt_neox()
    data = change_form_data(staff.get(reverse("admin:catalog_paper_change", args=[paper.pk])))
    first_equal = data.get("authorships-0-equal_contribution")
    changes = {"title": "GPT-NeoX-20B, renamed", "year": "2021"}
    if first_equal:
        changes["authorships-0-equal_contribution"] = ""
    else:
        changes["authorships-0-equal_contribution"] = "on"
    edit_in_admin(staff, paper, **changes)

    revision = paper.revisions.get(kind="admin")
    assert revision.who == "ed"
    assert revision.changes["title"][1] == "GPT-NeoX-20B, renamed"
    assert revision.changes["year"] == [2022, 2021]
    before, after = revision.changes["authors"]
    assert before[0][2] != after[0][2]


def test_the_history_page_shows_changes_newest_first_with_authors_marked(staff, seeded):
    paper = gpt_neox()
    edit_in_admin(staff, paper, title="Renamed once")
    edit_in_admin(staff, paper, title="Renamed twice")
    response = staff.get(history_url(paper))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Renamed once → Renamed twice") < text.index("→ Renamed once")
    # The seed import's run, whatever number earlier tests left it.
    assert f"import run {seeded.run_id}:" in text
    assert reverse("admin:history_importrun_change", args=[seeded.run_id]) in text


def test_a_revert_restores_the_version_and_marks_fields_staff_edited(staff, seeded):
    paper = gpt_neox()
    original = paper.title
    edit_in_admin(staff, paper, title="Renamed once")
    edit_in_admin(staff, paper, title="Renamed twice")
    created = paper.revisions.get(kind="created")

    confirm = staff.get(history_url(paper), {"revert": created.pk})
    assert confirm.status_code == 200 and b'name="confirm"' in confirm.content
    assert Paper.objects.get(pk=paper.pk).title == "Renamed twice"  # a GET changes nothing
    response = staff.post(history_url(paper), {"revert": created.pk, "confirm": "yes"})
    assert response.status_code == 302

    paper.refresh_from_db()
    assert paper.title == original
    assert "title" in paper.staff_edited_fields
    revert = paper.revisions.order_by("-pk").first()
    assert revert.kind == "revert" and revert.changes["title"] == ["Renamed twice", original]


def test_a_revert_needs_a_post(staff, seeded):
    paper = gpt_neox()
    edit_in_admin(staff, paper, title="Renamed once")
    created = paper.revisions.get(kind="created")
    staff.get(history_url(paper), {"revert": created.pk, "confirm": "yes"})
    assert Paper.objects.get(pk=paper.pk).title == "Renamed once"


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_history_page_costs_the_same_queries_for_1_or_many_revisions(staff, seeded):
    paper = gpt_neox()
    edit_in_admin(staff, paper, title="Renamed 0")
    few = queries(staff, history_url(paper))
    for n in range(1, 6):
        edit_in_admin(staff, paper, title=f"Renamed {n}")
    assert queries(staff, history_url(paper)) == few


def test_the_run_pages_cost_the_same_queries_for_1_or_many_runs(staff, seeded):
    run = ImportRun.objects.get()
    list_url = reverse("admin:history_importrun_changelist")
    queries(staff, list_url)  # warm: the first admin request reads the content types
    one = queries(staff, list_url)
    queries(staff, reverse("admin:history_importrun_change", args=[run.pk]))
    page = queries(staff, reverse("admin:history_importrun_change", args=[run.pk]))
    second_run()
    second_run()
    assert queries(staff, list_url) == one
    assert queries(staff, reverse("admin:history_importrun_change", args=[run.pk])) == page


def test_a_run_links_to_its_papers(staff, seeded):
    report = second_run()
    response = staff.get(reverse("admin:catalog_paper_changelist"), {"run": report.run_id})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_the_admin_undo_action_undoes_a_run(staff, seeded):
    report = second_run()
    response = staff.post(
        reverse("admin:history_importrun_changelist"),
        {"action": "undo_runs", "_selected_action": [report.run_id]},
    )
    assert response.status_code == 302
    assert not Paper.objects.filter(title__startswith="Zebra").exists()
    assert PaperRevision.objects.filter(run__kind="undo").exists()


def test_marking_papers_reviewed_is_recorded(staff, seeded):
    paper = Paper.objects.filter(needs_review=True).first()
    response = staff.post(
        reverse("admin:catalog_paper_changelist"),
        {"action": "mark_reviewed", "_selected_action": [paper.pk]},
    )
    assert response.status_code == 302
    revision = paper.revisions.get(kind="admin")
    assert revision.changes["needs_review"] == [True, False]
    assert revision.who == "ed"


def test_a_run_keeps_the_first_items_of_its_report_lists_and_every_count(staff, seeded):
    from catalog.importer.recording import LISTED_UP_TO, report_json
    from catalog.importer.report import ImportReport

    many = LISTED_UP_TO + 5
    report = ImportReport(
        created=[f"Paper {n}" for n in range(many)],
        updated=[("Old title", ["title"])],
        flagged=[(f"Paper {n}", ["no year"]) for n in range(many)],
    )
    run = ImportRun.objects.get()
    run.report = report_json(report)
    run.save()
    run.refresh_from_db()
    assert run.report["created"] == [f"Paper {n}" for n in range(LISTED_UP_TO)]
    assert len(run.report["flagged"]) == LISTED_UP_TO
    assert run.report["updated"] == [["Old title", ["title"]]]
    assert run.report["counts"] == {
        **dict.fromkeys(run.report["counts"], 0),
        "created": many,
        "updated": 1,
        "flagged": many,
    }
    listed = staff.get(reverse("admin:history_importrun_changelist")).content.decode()
    assert f"{many} created, 1 updated, 0 conflicts" in listed
    page = staff.get(reverse("admin:history_importrun_change", args=[run.pk])).content.decode()
    assert f"<div>flagged: {many}</div>" in page
