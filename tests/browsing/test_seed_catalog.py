"""Acceptance on the seed catalog: fixtures/catalog.json, made by the importer."""

import pytest

from catalog.models import Paper
from tests.conftest import SEED_COUNTS

pytestmark = pytest.mark.django_db

URL = "/papers/"


def all_results(client, params):
    """Every paper the list shows for `params`, across all its pages."""
    slugs, page = [], 1
    while True:
        response = client.get(URL, {**params, "page": page})
        assert response.status_code == 200
        slugs += [paper.slug for paper in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


def test_venue_icml_shows_exactly_the_icml_papers(client, seed):
    expected = set(Paper.objects.filter(venue__name="ICML").values_list("slug", flat=True))
    assert expected
    result = all_results(client, {"venue": "icml"})
    assert len(result) == len(set(result))
    assert set(result) == expected


def test_year_2022_shows_exactly_the_2022_papers(client, seed):
    expected = set(Paper.objects.filter(year=2022).values_list("slug", flat=True))
    assert expected
    assert set(all_results(client, {"year": "2022"})) == expected


def test_stella_biderman_has_her_19_papers(client, seed):
    result = all_results(client, {"author": "stella-biderman"})
    assert len(result) == len(set(result)) == SEED_COUNTS.stella_biderman_papers
    paginator = client.get(URL, {"author": "stella-biderman"}).context["paginator"]
    assert paginator.count == SEED_COUNTS.stella_biderman_papers


def test_searching_pythia_puts_the_pythia_paper_first(client, seed):
    response = client.get(URL, {"q": "pythia"})
    first = response.context["object_list"][0]
    assert first.title.startswith("Pythia: A Suite for Analyzing Large Language Models")


@pytest.mark.parametrize(
    "query",
    ["year=abc", "page=99999", "page=-1", "venue=nope", "author=nope", "award=nope", "sort=x"],
)
def test_bad_parameters_never_give_a_500_on_the_seed_catalog(client, seed, query):
    assert client.get(f"{URL}?{query}").status_code in (200, 404)
    assert client.get(f"{URL}?q={'x' * 10_000}").status_code == 200
    assert client.get(f"{URL}?q=%00").status_code == 400
