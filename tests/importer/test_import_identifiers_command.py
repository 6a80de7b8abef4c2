"""`manage.py import_identifiers`: lookups through the import path, all or nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Paper, PaperSource
from people.models import Person
from tests.importer.lookup_server import lookup_server, serve_recorded_batch  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(lookup_server, settings, seed):  # noqa: F811
    serve_recorded_batch(lookup_server, settings)
    return lookup_server


def run(*identifiers, **options):
    out, err = StringIO(), StringIO()
    call_command("import_identifiers", *identifiers, stdout=out, stderr=err, **options)
    return out.getvalue()


def test_identifiers_fill_the_gaps_of_the_papers_they_match(server):
    pythia = Paper.objects.get(title__startswith="Pythia: A Suite")
    assert pythia.year is None and not pythia.authorships.exists()
    people_before = Person.objects.count()

    papers_before = Paper.objects.count()
    output = run("https://arxiv.org/abs/2304.01373v2", "doi:10.1002/jcc.26768", "2405.15743")

    pythia.refresh_from_db()
    assert pythia.year == 2023
    assert pythia.arxiv_id == "2304.01373"
    names = [a.person.name for a in pythia.authorships.order_by("position")]
    assert names[:2] == ["Stella Biderman", "Hailey Schoelkopf"]
    assert Person.objects.filter(name="Stella Biderman").count() == 1
    assert Person.objects.count() > people_before
    mpnerf = Paper.objects.get(title__startswith="MP-NeRF")
    assert mpnerf.doi == "10.1002/jcc.26768"
    assert "identifiers: 3 entries (lookup)" in output
    assert "Imported." in output
    # The SμPar paper's provisional title is replaced by arXiv's, not duplicated.
    assert Paper.objects.count() == papers_before
    smupar = Paper.objects.get(arxiv_id="2405.15743")
    assert smupar.title.startswith("Sparse maximal update parameterization")
    assert smupar.url == "https://arxiv.org/abs/2405.15743"


def test_a_second_run_changes_nothing(server):
    run("2304.01373", "10.1002/jcc.26768", "2405.15743")
    output = run("2304.01373", "10.1002/jcc.26768", "2405.15743")
    assert "No changes: the catalog already matches." in output


def test_one_failed_identifier_stops_the_run_and_writes_nothing(server):
    papers, sources = Paper.objects.count(), PaperSource.objects.count()
    with pytest.raises(CommandError) as error:
        run("2304.01373", "10.9999/missing", "pythia")
    message = str(error.value)
    assert "nothing was imported" in message
    assert "doi:10.9999/missing: DOI not found" in message
    assert "pythia: 'pythia' is neither an arXiv id" in message
    assert (Paper.objects.count(), PaperSource.objects.count()) == (papers, sources)
    assert Paper.objects.get(title__startswith="Pythia: A Suite").year is None


def test_skip_bad_imports_the_rest_and_lists_what_it_skipped(server):
    output = run("2304.01373", "10.9999/missing", skip_bad=True)
    assert "skipped: doi:10.9999/missing: DOI not found" in output
    assert Paper.objects.get(title__startswith="Pythia: A Suite").year == 2023


def test_nothing_found_at_all_is_an_error_even_with_skip_bad(server):
    with pytest.raises(CommandError, match="No identifier could be looked up"):
        run("10.9999/missing", skip_bad=True)


def test_dry_run_reports_and_writes_nothing(server):
    output = run("2304.01373", dry_run=True)
    assert "Dry run: nothing was written." in output
    assert Paper.objects.get(title__startswith="Pythia: A Suite").year is None
