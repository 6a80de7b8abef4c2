"""Filtered-list exports: exactly the papers the list shows for the
same parameters, every page of them, in a constant number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Paper
from tests.conftest import SEED_COUNTS
from tests.exports.conftest import parse_bibtex, parse_ris, ris_values
from tests.factories import make_paper
from tests.query_budget import build_catalog, count_queries, empty_catalog, listed_slugs

pytestmark = pytest.mark.django_db


def exported_slugs(client, params, extension="json"):
    response = client.get(f"/papers/export.{extension}", params)
    assert response.status_code == 200
    slug_of = dict(Paper.objects.values_list("citation_key", "slug"))
    body = response.content.decode()
    if extension == "json":
        keys = [item["id"] for item in json.loads(body)]
    elif extension == "bib":
        keys = [entry.key for entry in parse_bibtex(body).entries] if body.strip() else []
    else:
        keys = [ris_values(record, "ID")[0] for record in parse_ris(body)] if body else []
    return [slug_of[key] for key in keys]


PARAMS = [
    {},
    {"q": "language models"},
    {"q": "biderman", "sort": "newest"},
    {"venue": ["iclr", "icml"]},
    {"author": "stella-biderman"},
    {"author": ["stella-biderman", "leo-gao"]},
    {"year": "2022", "sort": "title"},
    {"year_from": "2022", "year_to": "2023", "sort": "oldest"},
    {"award": "outstanding-paper-award"},
    {"sort": "upvotes"},
    {"year": "abc", "sort": "bogus"},  # ignored, as on the list
    {"venue": "no-such-venue"},  # names nothing: empty, as on the list
]


@pytest.mark.parametrize("params", PARAMS, ids=[str(p) for p in PARAMS])
def test_a_filtered_export_is_exactly_what_the_list_shows(client, seed, params):
    listed = listed_slugs(client, params)
    for extension in ("json", "bib", "ris"):
        assert exported_slugs(client, params, extension) == listed, extension


def test_an_export_ignores_the_page_and_exports_every_match(client, seed):
    everything = exported_slugs(client, {})
    assert len(everything) == SEED_COUNTS.papers
    assert exported_slugs(client, {"page": "3"}) == everything


def test_export_file_names_name_the_filter(client, seed):
    cases = {
        "": "papers",
        "?author=stella-biderman": "papers-stella-biderman",
        "?venue=iclr&year=2022": "papers-iclr-2022",
        "?venue=iclr&venue=icml": "papers",
    }
    for query, name in cases.items():
        response = client.get(f"/papers/export.bib{query}")
        assert response["Content-Disposition"] == f'attachment; filename="{name}.bib"'


def test_the_list_page_links_its_exports_with_the_active_filters(client, seed):
    html = client.get("/papers/", {"venue": "iclr", "year": "2022", "page": "1"}).content.decode()
    assert 'href="/papers/export.bib?venue=iclr&amp;year=2022"' in html
    assert 'href="/papers/export.ris?venue=iclr&amp;year=2022"' in html
    assert 'href="/papers/export.json?venue=iclr&amp;year=2022"' in html


def test_person_venue_and_award_pages_link_their_own_exports(client, seed):
    html = client.get("/people/stella-biderman/").content.decode()
    assert 'href="/papers/export.bib?author=stella-biderman"' in html
    html = client.get("/venues/iclr/").content.decode()
    assert 'href="/papers/export.ris?venue=iclr"' in html
    html = client.get("/awards/outstanding-paper-award/").content.decode()
    assert 'href="/papers/export.json?award=outstanding-paper-award"' in html


def test_the_paper_page_links_its_exports(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    html = client.get(paper.get_absolute_url()).content.decode()
    for extension in ("bib", "ris", "json"):
        assert f'href="/papers/{paper.slug}.{extension}"' in html


def test_a_paper_titled_export_never_takes_the_list_exports_url(client, db):
    make_paper("Unrelated", year=2020)
    paper = make_paper("Export", year=2021, authors=["Ana Núñez"])
    assert paper.slug == "export-2"
    assert client.get("/papers/export-2/").status_code == 200
    (item,) = json.loads(client.get("/papers/export-2.json").content)
    assert item["title"] == "Export"
    # /papers/export.json is still the whole (filtered) list.
    assert len(json.loads(client.get("/papers/export.json").content)) == 2


def test_a_paper_whose_slug_is_export_is_still_reachable(client, db):
    # Not possible through the importer or Paper.save(), but a slug set by hand
    # must not make the paper's page unreachable.
    paper = make_paper("Anything", slug="export", year=2021)
    response = client.get("/papers/export/")
    assert response.status_code == 200 and response.context["paper"] == paper


EXPORT_URLS = [
    "/papers/export.bib",
    "/papers/export.ris",
    "/papers/export.json",
    "/papers/export.bib?q=scaling&venue=icml&author=stella-biderman&award=oral&sort=title",
]
# Papers, then their authorships with their people (PaperQuerySet.for_export()).
EXPORT_QUERIES = 2


@pytest.mark.parametrize("url", EXPORT_URLS)
def test_a_whole_catalog_export_makes_the_same_queries_for_1_and_100_papers(
    client, url, django_assert_max_num_queries
):
    build_catalog(1)
    with_one = count_queries(client, url)
    empty_catalog()
    build_catalog(100)
    with django_assert_max_num_queries(EXPORT_QUERIES + 1):  # +1: a cache version read, if any
        with_hundred = count_queries(client, url)
    assert with_one == with_hundred


def test_a_paper_export_makes_a_fixed_number_of_queries(client, db):
    paper = make_paper("Pythia", authors=["Stella Biderman", "Hailey Schoelkopf"])
    client.get(f"/papers/{paper.slug}.bib")  # warm up
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/papers/{paper.slug}.bib")
    assert len(captured) <= EXPORT_QUERIES + 1


def test_reading_a_paper_without_a_key_writes_nothing(client, db):
    """Keys are given when papers are written (Paper.save(), the importer,
    the admin): a GET of the page or of an export never writes."""
    paper = make_paper("Pythia", year=2023, authors=["Stella Biderman"])
    Paper.objects.filter(pk=paper.pk).update(citation_key="")
    with CaptureQueriesContext(connection) as captured:
        (item,) = json.loads(client.get(f"/papers/{paper.slug}.json").content)
        bibtex = client.get(f"/papers/{paper.slug}.bib").content.decode()
        assert client.get(f"/papers/{paper.slug}/").status_code == 200
        client.get("/papers/export.bib", {"author": "stella-biderman"})
    writes = [
        query["sql"]
        for query in captured
        if query["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert Paper.objects.get(pk=paper.pk).citation_key == ""
    # Shown under the key it would get, or its slug where a key is optional.
    assert "{biderman2023pythia," in bibtex.splitlines()[0]
    assert item["id"] == paper.slug
