"""Merges of people and venues, and lookups, are in the papers' history."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Paper
from history.models import ImportRun
from people.services import person_merge
from tests.factories import make_paper, make_person, make_venue
from tests.importer.lookup_server import lookup_server, serve_recorded_batch  # noqa: F401
from venues.services import venue_merge

pytestmark = pytest.mark.django_db


def test_a_person_merge_records_each_papers_author_list_before_and_after(django_user_model):
    user = django_user_model.objects.create_user("ed")
    stella = make_person("Stella Biderman")
    surname = make_person("Biderman")
    paper = make_paper("Two", authors=["Le Scao", surname])

    person_merge(keep=stella, others=[surname], user=user)

    revision = paper.revisions.get(kind="merge")
    assert revision.who == "ed"
    before, after = revision.changes["authors"]
    assert [a[0] for a in before] == ["Le Scao", "Biderman"]
    assert [a[0] for a in after] == ["Le Scao", "Stella Biderman"]
    assert "Biderman into Stella Biderman" in revision.note


def test_a_venue_merge_records_each_papers_venue_before_and_after():
    biorxiv, typo = make_venue("bioRxiv"), make_venue("bioRxvi")
    paper = make_paper("On typos", venue=typo)

    venue_merge(keep=biorxiv, others=[typo])

    revision = paper.revisions.get(kind="merge")
    assert revision.changes["venue"] == ["bioRxvi", "bioRxiv"]
    assert revision.who == "command line"


@pytest.fixture
def server(lookup_server, settings, seed):  # noqa: F811
    return serve_recorded_batch(lookup_server, settings)


def test_a_lookup_is_a_run_and_its_changes_are_revisions(server):
    call_command(
        "import_identifiers",
        "2304.01373",
        "doi:10.1002/jcc.26768",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    run = ImportRun.objects.get()
    assert run.kind == "lookup"
    assert [f["name"] for f in run.files] == ["2304.01373", "doi:10.1002/jcc.26768"]
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    revision = pythia.revisions.get(run=run)
    assert revision.changes["year"] == [None, 2023]
    assert revision.changes["authors"][0] == []
    assert revision.changes["authors"][1][0][0] == "Stella Biderman"

    call_command("undo_import", "--last", stdout=StringIO())
    pythia.refresh_from_db()
    assert pythia.year is None and not pythia.authorships.exists()
