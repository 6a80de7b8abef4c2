"""The admin's import page: preview writes nothing, apply imports what was
previewed, once."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Authorship, Paper, PaperSource, PendingImport
from core.cache import VERSION_TABLE, catalog_version
from history.models import ImportRun, PaperRevision
from people.models import Person
from tests.conftest import SEED_COUNTS
from tests.curating.conftest import APPLY_URL, IMPORT_URL, bibtex, token_of, upload
from venues.models import Venue

CATALOG_MODELS = [Paper, Authorship, PaperSource, Person, Venue]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in CATALOG_MODELS}


def preview(client, **data):
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 200, response.content[:2000]
    return response


def test_the_changelist_links_to_the_import_page(curator_client, import_urls):
    response = curator_client.get("/admin/catalog/paper/")
    assert f'href="{IMPORT_URL}"' in response.content.decode()
    response = curator_client.get(IMPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import_form"' in html and 'name="text"' in html and 'type="file"' in html


def test_a_preview_writes_nothing_and_shows_what_would_be_created(curator_client, seed):
    before = counts()
    response = preview(
        curator_client, files=[upload("lab.bib", bibtex(2))], text=bibtex(1, start=5)
    )
    assert counts() == before
    html = response.content.decode()
    assert 'id="apply_form"' in html
    assert "Curated paper number 0" in html and "Curated paper number 5" in html
    files = {f["name"]: f for f in response.context["files"]}
    assert files["lab.bib"]["format"] == "bibtex" and files["lab.bib"]["entries"] == 2
    created = files["lab.bib"]["groups"][0]
    assert created["kind"] == "created" and len(created["papers"]) == 2
    assert PendingImport.objects.get().applied_at is None


def test_apply_imports_what_was_previewed_and_shows_the_report(curator_client, seed):
    response = preview(curator_client, files=[upload("lab.bib", bibtex(3))])
    response = curator_client.post(APPLY_URL, {"token": token_of(response)})
    assert response.status_code == 200
    assert "Imported." in response.content.decode()
    assert Paper.objects.count() == SEED_COUNTS.papers + 3
    paper = Paper.objects.get(title="Curated paper number 1")
    assert [a.person.name for a in paper.authorships.order_by("position")] == [
        "Ada Curator",
        "Bo Helper",
    ]
    assert PaperSource.objects.filter(listing="lab.bib").count() == 3


def test_an_applied_import_is_an_import_run_by_the_curator(curator_client, curator, seed):
    data = bibtex(2)
    response = preview(curator_client, files=[upload("lab.bib", data)])
    assert not ImportRun.objects.exists()
    response = curator_client.post(APPLY_URL, {"token": token_of(response)})
    run = ImportRun.objects.get()
    assert f'href="/admin/history/importrun/{run.pk}/change/"' in response.content.decode()
    assert run.user == curator
    assert run.kind == ImportRun.Kind.LISTINGS
    assert [(f["name"], f["size"]) for f in run.files] == [("lab.bib", len(data.encode()))]
    paper = Paper.objects.get(title="Curated paper number 1")
    assert PaperRevision.objects.filter(paper=paper, run=run).exists()


def test_a_double_submitted_apply_imports_once(curator_client, seed):
    token = token_of(preview(curator_client, files=[upload("lab.bib", bibtex(2))]))
    first = curator_client.post(APPLY_URL, {"token": token})
    after_first = counts()
    second = curator_client.post(APPLY_URL, {"token": token})
    assert counts() == after_first
    assert after_first["Paper"] == SEED_COUNTS.papers + 2
    assert "already applied" in second.content.decode()
    # The second shows the first one's report.
    assert second.context["counts"] == first.context["counts"]


def test_a_stale_preview_is_previewed_again_instead_of_applied(curator_client, seed):
    ensure_version_row()
    token = token_of(preview(curator_client, files=[upload("lab.bib", bibtex(2))]))
    # Someone edits the catalog between the preview and the apply.
    Paper.objects.filter(pk=Paper.objects.first().pk).update(upvotes=999)
    before = counts()
    response = curator_client.post(APPLY_URL, {"token": token})
    assert counts() == before
    html = response.content.decode()
    assert "The catalog changed since this preview" in html
    assert 'id="apply_form"' in html and response.context["token"] != token
    # The fresh preview applies.
    curator_client.post(APPLY_URL, {"token": response.context["token"]})
    assert Paper.objects.count() == before["Paper"] + 2


def test_updates_show_each_changed_field_old_and_new(curator_client, seed):
    paper = Paper.objects.filter(year__isnull=True, arxiv_id="").exclude(title="").first()
    text = f"@article{{x, title={{{paper.title}}}, year={{2021}}, note={{n}}}}\n"
    response = preview(curator_client, text=text)
    updated = [c for c in response.context["report"]["changes"] if c["kind"] == "updated"]
    assert len(updated) == 1 and updated[0]["title"] == paper.title
    assert ["year", "", "2021"] in updated[0]["fields"]
    assert "2021" in response.content.decode()


def test_conflicts_with_staff_edits_are_shown_and_kept(curator_client, seed):
    curator_client.post(APPLY_URL, {"token": token_of(preview(curator_client, text=bibtex(1)))})
    paper = Paper.objects.get(title="Curated paper number 0")
    paper.year = 2019
    paper.staff_edited_fields = ["year"]
    paper.save()
    text = bibtex(1).replace("year={2024}", "year={2025}")
    response = preview(curator_client, files=[upload(source_name(), text)])
    conflicts = [c for c in response.context["report"]["changes"] if c["kind"] == "conflict"]
    assert conflicts and conflicts[0]["fields"] == [["year", "2019", "2025"]]
    assert "staff edited year" in response.content.decode()


def source_name() -> str:
    return PaperSource.objects.get(paper__title="Curated paper number 0").listing


def test_bad_entries_are_skipped_with_file_and_line_and_the_rest_previewed(curator_client, seed):
    text = "@article{good, title={Good one}, year={2021}}\n@article{notitle, year={2021}}\n"
    response = preview(curator_client, files=[upload("mixed.bib", text)])
    (file,) = response.context["files"]
    assert file["entries"] == 1
    assert len(file["skipped"]) == 1 and "mixed.bib, line 2" in file["skipped"][0]
    assert "Skipped as bad (1): the other entries are imported" in response.content.decode()


def test_flagged_papers_are_listed_with_their_reason(curator_client, seed):
    response = preview(curator_client, text="@misc{k, title={No year here}}\n")
    (file,) = response.context["files"]
    assert file["flagged"] and "no year" in "; ".join(file["flagged"][0]["reasons"])


def test_a_script_in_a_title_is_shown_escaped(curator_client, seed):
    text = bibtex(1, title="Evil <script>alert(1)</script> paper {n}")
    response = preview(curator_client, files=[upload("<b>evil</b>.bib", text)])
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>evil</b>" not in html


def ensure_version_row():
    """The catalog version row (migration 0006): a flushed test database may lack it."""
    if catalog_version() is None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, 1)")
    assert catalog_version() is not None


def test_preview_query_count_is_constant_in_the_number_of_entries(curator_client, seed):
    """Guards against a query per entry in the preview (parsing, planning, rendering)."""

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            preview(curator_client, files=[upload(f"n{count}.bib", bibtex(count, start=count))])
        return len(captured)

    queries(1)  # warm: the session and permission caches
    assert queries(2) == queries(40)


def test_apply_query_count_is_constant_in_the_number_of_entries(curator_client, seed):
    """Guards against a query per entry in the apply and its report."""

    def queries(count: int) -> int:
        name = f"apply{count}.bib"
        response = preview(curator_client, files=[upload(name, bibtex(count, start=count))])
        with CaptureQueriesContext(connection) as captured:
            curator_client.post(APPLY_URL, {"token": token_of(response)})
        assert PaperSource.objects.filter(listing=name).count() == count
        return len(captured)

    queries(1)
    assert queries(2) == queries(40)


def test_two_files_of_the_same_name_stay_two_listings(curator_client, seed):
    files = [upload("lab.bib", bibtex(1)), upload("lab.bib", bibtex(1, start=1))]
    response = preview(curator_client, files=files)
    assert [f["name"] for f in response.context["files"]] == ["lab.bib", "lab.bib (2)"]
    curator_client.post(APPLY_URL, {"token": token_of(response)})
    assert Paper.objects.count() == SEED_COUNTS.papers + 2
