"""/api/v1/papers: the paper list's parameters and results, paged by cursor."""

import datetime

import pytest
from django.db import connection

from catalog.models import Paper
from tests.api.conftest import walk
from tests.factories import make_paper, make_papers, make_venue
from tests.query_budget import listed_slugs

PYTHIA = "pythia-a-suite-for-analyzing-large-language-models"

# Parameter sets the list page and the API must agree on.
LIST_QUERIES = [
    {},
    {"sort": "oldest"},
    {"sort": "title"},
    {"sort": "upvotes"},
    {"q": "language"},
    {"q": "pythia"},
    {"q": "dataset", "sort": "title"},
    {"venue": ["icml", "neurips"]},
    {"year": "2023"},
    {"year_from": "2021", "year_to": "2022"},
    {"author": ["stella-biderman", "leo-gao"]},
    {"award": "oral-presentation"},
    {"venue": "no-such-venue"},
    {"sort": "relevance"},
]


@pytest.fixture
def ties(catalog):
    """Forty more papers that tie on every sort key but the id."""
    venue = catalog["venues"]["icml"]
    make_papers(
        {
            "title": "Same Title Language",
            "venue": venue,
            "year": 2022,
            "upvotes": 30 if i % 2 else None,
            "published_on": datetime.date(2022, 5, 1) if i % 3 else None,
        }
        for i in range(40)
    )
    return catalog


@pytest.mark.parametrize("params", LIST_QUERIES)
def test_the_api_lists_what_the_paper_list_lists(api, client, ties, params):
    results, pages = walk(api, "/api/v1/papers", {**params, "per_page": 7})
    expected = listed_slugs(client, params)
    assert [paper["slug"] for paper in results] == expected
    assert api("/api/v1/papers", params)["count"] == len(expected)
    assert pages == max(1, -(-len(expected) // 7))


MEMBERSHIP_QUERIES = [
    {"author": "stella-biderman", **sort}
    for sort in ({}, {"sort": "oldest"}, {"sort": "title"}, {"sort": "upvotes"})
] + [
    {"author": ["stella-biderman", "leo-gao"], "year_from": "2022"},
    {"award": "oral-presentation", "sort": "title"},
    {"author": "stella-biderman", "venue": "icml", "sort": "upvotes"},
]


@pytest.mark.parametrize("params", MEMBERSHIP_QUERIES)
def test_ids_first_pages_list_what_the_paper_list_lists(api, client, ties, monkeypatch, params):
    """Author and award results are read ids first, walking the sort index
    (api.views.ids_first(), from 500 results on: here from 1), then rows by
    id: the same papers, in the same order, page after page, as the list
    (the obvious way); the count from the cells equals a COUNT."""
    from api import views
    from catalog.selectors import paper_filter

    monkeypatch.setattr(views, "WALK_MIN_MATCHES", 1)
    results, pages = walk(api, "/api/v1/papers", {**params, "per_page": 2})
    expected = listed_slugs(client, params)
    assert [paper["slug"] for paper in results] == expected
    assert pages == max(1, -(-len(expected) // 2))
    count = api("/api/v1/papers", params)["count"]
    assert count == len(expected) == paper_filter(params).qs.count()


def test_a_paper_has_its_public_fields_and_nothing_internal(api, catalog):
    paper = catalog["papers"]["pythia"]
    Paper.objects.filter(pk=paper.pk).update(
        review_note="Secret staff note",
        needs_review=True,
        staff_edited_fields=["title"],
        doi="10.5555/pythia",
        arxiv_id="2304.01373",
        published_on=datetime.date(2023, 4, 3),
    )
    paper.sources.create(listing="secret-listing.txt", format="blog", entry_index=1, line=9)
    answer = api(f"/api/v1/papers/{PYTHIA}")
    assert answer == {
        "slug": PYTHIA,
        "title": "Pythia: A Suite for Analyzing Large Language Models",
        "abstract": "How do large language models develop during training?",
        "year": 2023,
        "date": "2023-04-03",
        "venue": {"name": "ICML", "slug": "icml"},
        "authors": [
            {
                "name": "Stella Biderman",
                "slug": "stella-biderman",
                "equal_contribution": False,
                "position": 1,
            },
            {
                "name": "Hailey Schoelkopf",
                "slug": "hailey-schoelkopf",
                "equal_contribution": False,
                "position": 2,
            },
            {"name": "Leo Gao", "slug": "leo-gao", "equal_contribution": False, "position": 3},
        ],
        "authors_complete": True,
        "author_count": None,
        "arxiv_id": "2304.01373",
        "doi": "10.5555/pythia",
        "url": None,
        "awards": [{"name": "Oral Presentation", "slug": "oral-presentation"}],
        "upvotes": 50,
        "page_url": f"http://testserver/papers/{PYTHIA}/",
        "bibtex_url": f"http://testserver/papers/{PYTHIA}.bib",
        "api_url": f"http://testserver/api/v1/papers/{PYTHIA}",
    }
    listed = api("/api/v1/papers", {"q": "pythia suite"})["results"]
    assert listed == [answer]


def test_the_links_of_a_paper_lead_to_it(api, client, catalog):
    answer = api(f"/api/v1/papers/{PYTHIA}")
    assert client.get(answer["page_url"]).status_code == 200
    assert client.get(answer["bibtex_url"]).status_code == 200
    assert api(answer["api_url"]) == answer


def test_unknown_slug_is_a_problem_404(client, catalog):
    response = client.get("/api/v1/papers/no-such-paper")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "There is no paper 'no-such-paper'.",
    }


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1066"}, "year"),
        ({"year_from": "2020.5"}, "year_from"),
        ({"sort": "bogus"}, "sort"),
        ({"sort": ""}, "sort"),
        ({"year_to": ""}, "year_to"),
        ({"per_page": ""}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"per_page": "3³"}, "per_page"),  # a digit to str.isdigit(), not to int()
        ({"page": "2"}, "page"),
        ({"vneue": "icml"}, "vneue"),
        ({"year": ["2020", "2021"]}, "year"),
        ({"q": "word " * 50}, "q"),
        ({"venue": [f"v{i}" for i in range(21)]}, "venue"),
    ],
)
def test_bad_parameters_are_a_problem_400_naming_them(client, catalog, params, bad):
    response = client.get("/api/v1/papers", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert list(problem["errors"]) == [bad]
    assert bad in problem["detail"]


@pytest.mark.parametrize("query", ["q=a%00b", "venue=ic%00ml", "a%00=1"])
def test_a_nul_byte_is_a_400_on_every_database(client, catalog, query):
    response = client.get(f"/api/v1/papers?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_cursor_only_works_with_its_own_parameters(api, client, catalog):
    first = api("/api/v1/papers", {"per_page": 2, "sort": "title"})
    cursor = first["next"].split("cursor=")[1]
    response = client.get(f"/api/v1/papers?sort=oldest&per_page=2&cursor={cursor}")
    assert response.status_code == 400
    assert "other parameters" in response.json()["detail"]
    # per_page may change from page to page.
    assert client.get(f"/api/v1/papers?sort=title&per_page=3&cursor={cursor}").status_code == 200


@pytest.mark.parametrize("cursor", ["x", "eyJrIjpbXX0", "a" * 3000, "....", "%ff"])
def test_a_forged_cursor_is_a_400(client, catalog, cursor):
    response = client.get(f"/api/v1/papers?cursor={cursor}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "upvotes", "relevance"])
def test_a_walk_sees_every_paper_once_while_papers_are_added(api, ties, sort):
    """Papers added mid-walk (before and after the cursor) shift nothing; by
    relevance on PostgreSQL, pages are read by position (api/cursors.py,
    offset_page), so they may repeat a paper but never hide one."""
    params = {"sort": sort, "per_page": 5, "q": "language"}
    before = {p.slug for p in Paper.objects.all().search("language")}
    answer = api("/api/v1/papers", params)
    seen = [p["slug"] for p in answer["results"]]
    venue = make_venue("Late")
    added = 0
    while answer["next"]:
        for title in ("Aaa Language First", "Zzz Language Last"):
            make_paper(title, venue=venue, year=2000 + added, upvotes=added)
            added += 1
        answer = api(answer["next"])
        seen += [p["slug"] for p in answer["results"]]
    assert before <= set(seen)
    if sort != "relevance" or connection.vendor != "postgresql":
        assert len(seen) == len(set(seen))


def test_per_page_defaults_to_25_and_goes_up_to_100(api, db):
    Paper.objects.bulk_create(Paper(title=f"P {i}", slug=f"p-{i}") for i in range(130))
    assert len(api("/api/v1/papers")["results"]) == 25
    answer = api("/api/v1/papers", {"per_page": 100})
    assert len(answer["results"]) == 100 and answer["count"] == 130
    assert len(api(answer["next"])["results"]) == 30
