"""/api/v1/people, /venues, /awards and their detail endpoints."""

import pytest

from people.models import PersonAlias
from tests.api.conftest import walk
from tests.factories import make_person


def test_people_by_name_with_their_paper_counts(api, catalog):
    answer = api("/api/v1/people")
    assert answer["count"] == 4 and answer["next"] is None
    assert [(p["name"], p["paper_count"]) for p in answer["results"]] == [
        ("Hailey Schoelkopf", 3),
        ("Hugo Laurençon", 1),
        ("Leo Gao", 3),
        ("Stella Biderman", 4),
    ]
    stella = answer["results"][3]
    assert stella == {
        "slug": "stella-biderman",
        "name": "Stella Biderman",
        "orcid": None,
        "paper_count": 4,
        "page_url": "http://testserver/people/stella-biderman/",
        "api_url": "http://testserver/api/v1/people/stella-biderman",
        "papers_url": "http://testserver/api/v1/papers?author=stella-biderman",
    }
    assert api(stella["papers_url"])["count"] == 4


def test_a_person_with_name_variants(api, catalog):
    PersonAlias.objects.create(person=catalog["people"]["stella"], name="S. Biderman")
    answer = api("/api/v1/people/stella-biderman")
    assert answer["aliases"] == ["S. Biderman"]
    assert answer["paper_count"] == 4


def test_people_are_paged_by_cursor_through_name_ties(api, catalog):
    for _ in range(7):
        make_person("Alex Same")
    results, pages = walk(api, "/api/v1/people", {"per_page": 3})
    assert pages == 4
    assert len({p["slug"] for p in results}) == len(results) == 11


def test_venues_and_a_venue(api, catalog):
    answer = api("/api/v1/venues")
    assert [(v["slug"], v["kind"], v["paper_count"]) for v in answer["results"]] == [
        ("arxiv", "preprint", 1),
        ("icml", "conference", 2),
        ("neurips", "conference", 1),
    ]
    icml = api("/api/v1/venues/icml")
    assert icml["aliases"] == [] and icml["papers_url"].endswith("/api/v1/papers?venue=icml")


def test_awards_and_an_award(api, catalog):
    answer = api("/api/v1/awards")
    assert [(a["slug"], a["paper_count"]) for a in answer["results"]] == [
        ("oral-presentation", 2),
        ("outstanding-paper-award", 2),
    ]
    award = api("/api/v1/awards/oral-presentation")
    assert api(award["papers_url"])["count"] == 2


@pytest.mark.parametrize("url", ["/api/v1/people/nobody", "/api/v1/venues/x", "/api/v1/awards/x"])
def test_unknown_slugs_are_404_problems(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", ["/api/v1/people", "/api/v1/venues", "/api/v1/awards"])
def test_index_lists_take_only_paging_parameters(client, catalog, url):
    response = client.get(url, {"sort": "papers"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sort"]
