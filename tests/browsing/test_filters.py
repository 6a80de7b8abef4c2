"""Each list filter alone and combined, with exact result sets."""

import pytest

from tests.browsing.conftest import keys

pytestmark = pytest.mark.django_db

URL = "/papers/"


def test_the_list_shows_every_paper_newest_first(client, catalog):
    # Same year: the later-added paper first.
    assert keys(catalog, client.get(URL)) == ["obelics", "pythia", "lone", "gptneox", "pile"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"venue": "icml"}, {"pythia", "gptneox"}),
        ({"venue": ["icml", "arxiv"]}, {"pythia", "gptneox", "pile"}),
        ({"year": "2023"}, {"pythia", "obelics"}),
        ({"year_from": "2022"}, {"pythia", "obelics", "gptneox", "lone"}),
        ({"year_to": "2022"}, {"gptneox", "lone", "pile"}),
        ({"year_from": "2021", "year_to": "2022"}, {"gptneox", "lone"}),
        ({"author": "hugo-laurencon"}, {"obelics"}),
        ({"author": "hailey-schoelkopf"}, {"pythia", "gptneox", "lone"}),
        ({"author": ["stella-biderman", "hailey-schoelkopf"]}, {"pythia", "gptneox"}),
        ({"author": ["stella-biderman", "hugo-laurencon", "leo-gao"]}, set()),
        ({"award": "oral-presentation"}, {"pythia", "gptneox"}),
        ({"award": "outstanding-paper-award"}, {"obelics", "gptneox"}),
        ({"q": "dataset"}, {"pile", "obelics"}),
    ],
)
def test_each_filter_alone_gives_exactly_its_papers(client, catalog, params, expected):
    assert set(keys(catalog, client.get(URL, params))) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"venue": "icml", "year": "2022"}, {"gptneox"}),
        (
            {"venue": ["icml", "neurips"], "award": "outstanding-paper-award"},
            {"obelics", "gptneox"},
        ),
        ({"venue": "icml", "author": "leo-gao", "year_from": "2023"}, {"pythia"}),
        (
            {"author": "stella-biderman", "award": "oral-presentation", "q": "language"},
            {"pythia", "gptneox"},
        ),
        ({"q": "open", "year": "2023"}, {"obelics"}),
        ({"venue": "arxiv", "award": "oral-presentation"}, set()),
    ],
)
def test_filters_combine(client, catalog, params, expected):
    assert set(keys(catalog, client.get(URL, params))) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["obelics", "pythia", "lone", "gptneox", "pile"]),
        ("oldest", ["pile", "gptneox", "lone", "pythia", "obelics"]),
        ("title", ["lone", "gptneox", "obelics", "pythia", "pile"]),
        ("upvotes", ["pythia", "gptneox", "pile", "obelics", "lone"]),
    ],
)
def test_sort_orders(client, catalog, sort, expected):
    assert keys(catalog, client.get(URL, {"sort": sort})) == expected


def test_pagination_keeps_every_filter_and_the_sort(client, catalog):
    from tests.factories import make_papers

    venue = catalog["venues"]["icml"]
    leo = catalog["people"]["leo"]
    make_papers(
        {"title": f"Extra {n:02}", "venue": venue, "year": 2021, "authors": [leo]}
        for n in range(30)
    )
    params = "venue=icml&venue=arxiv&author=leo-gao&year_to=2022&sort=title"
    response = client.get(f"{URL}?{params}")
    assert response.context["paginator"].count == 30 + 2  # the extras, gptneox and pile
    assert len(response.context["object_list"]) == 25
    html = response.content.decode()
    next_link = (
        "?venue=icml&amp;venue=arxiv&amp;author=leo-gao&amp;year_to=2022&amp;sort=title&amp;page=2"
    )
    assert next_link in html
    second = client.get(f"{URL}?{params}&page=2")
    assert len(second.context["object_list"]) == 7
    assert "page=1" in second.content.decode() or "sort=title" in second.content.decode()


def test_sort_links_keep_filters_and_go_back_to_page_one(client, catalog):
    html = client.get(URL, {"venue": "icml", "year": "2022", "page": "1"}).content.decode()
    assert 'href="?venue=icml&amp;year=2022&amp;sort=oldest"' in html


def test_relevance_is_the_default_sort_only_with_a_search(client, catalog):
    assert client.get(URL).context["filter"].sort_key == "newest"
    assert client.get(URL, {"q": "pythia"}).context["filter"].sort_key == "relevance"
    assert client.get(URL, {"q": "pythia", "sort": "oldest"}).context["filter"].sort_key == "oldest"
    # Relevance without a search means nothing: newest first.
    assert client.get(URL, {"sort": "relevance"}).context["filter"].sort_key == "newest"
