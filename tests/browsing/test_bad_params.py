"""Bad parameters never give a 500.

The policy, the same on every page:
* a value of the wrong shape (year=abc, sort=bogus) is ignored, and the page says so;
* a well-formed slug that names nothing is applied (no paper is in a venue that
  does not exist: an empty result), and the page says the slug is unknown;
* a page number that does not exist, or an unknown slug in a path, is a 404;
* a NUL byte anywhere in the query string is a 400: it is never part of a real
  value and PostgreSQL refuses it in text;
* an over-long search is cut to its first 200 characters, and the page says so.
"""

import pytest

from tests.browsing.conftest import keys

pytestmark = pytest.mark.django_db

URL = "/papers/"
ALL = {"pythia", "pile", "obelics", "gptneox", "lone"}


def problems(response):
    return response.context["problems"]


@pytest.mark.parametrize("name", ["year", "year_from", "year_to"])
@pytest.mark.parametrize("value", ["abc", "2022.5", "99999", "-1", "1e3"])
def test_a_year_that_is_not_a_year_is_ignored_with_a_message(client, catalog, name, value):
    response = client.get(URL, {name: value})
    assert set(keys(catalog, response)) == ALL
    assert any(p.startswith(f"Ignored {name}=") for p in problems(response))
    assert f"Ignored {name}=" in response.content.decode()


def test_an_unknown_sort_is_ignored_with_a_message(client, catalog):
    response = client.get(URL, {"sort": "bogus"})
    assert keys(catalog, response)[0] == "obelics"  # newest first
    assert any("sort=" in p for p in problems(response))


@pytest.mark.parametrize(
    ("name", "noun"), [("venue", "venue"), ("author", "person"), ("award", "award")]
)
def test_an_unknown_slug_gives_an_empty_result_and_says_so(client, catalog, name, noun):
    response = client.get(URL, {name: "no-such-thing"})
    assert keys(catalog, response) == []
    assert f"There is no {noun} “no-such-thing” in the catalog." in problems(response)
    assert "No papers match" in response.content.decode()


def test_an_unknown_venue_next_to_a_known_one_keeps_the_known_ones_papers(client, catalog):
    response = client.get(URL, {"venue": ["icml", "bogus"]})
    assert set(keys(catalog, response)) == {"pythia", "gptneox"}
    assert problems(response) == ["There is no venue “bogus” in the catalog."]


@pytest.mark.parametrize("page", ["99999", "-1", "0", "abc", "1.5"])
def test_a_page_that_does_not_exist_is_a_404(client, catalog, page):
    response = client.get(URL, {"page": page})
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_page_last_is_the_last_page(client, catalog):
    assert client.get(URL, {"page": "last"}).status_code == 200


def test_a_10_kb_search_is_shortened_and_answered(client, catalog):
    response = client.get(URL, {"q": "pythia " + "x" * 10_000})
    assert response.status_code == 200
    assert any("longer than 200 characters" in p for p in problems(response))
    assert len(response.context["search"]) <= 200


def test_a_10_kb_search_of_many_words_is_answered(client, catalog):
    response = client.get(URL, {"q": "pythia " * 1500})
    assert response.status_code == 200
    assert keys(catalog, response) == ["pythia", "pile"]


@pytest.mark.parametrize(
    "query",
    ["q=%00", "q=pythia%00", "venue=icml%00", "year=%00", "author=%00x", "%00=1", "sort=%00"],
)
def test_a_nul_byte_is_a_400_on_the_list(client, catalog, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/papers/pythia-a-suite-for-analyzing-large-language-models/",
        "/people/",
        "/people/stella-biderman/",
        "/venues/",
        "/venues/icml/",
        "/awards/",
        "/awards/oral-presentation/",
    ],
)
def test_a_nul_byte_is_a_400_on_every_page(client, catalog, url):
    assert client.get(url + "?q=%00").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/papers/no-such-paper/",
        "/people/no-such-person/",
        "/venues/no-such-venue/",
        "/awards/no-such-award/",
        "/papers/%00/",
        "/people/stella-biderman/?page=99",
        "/venues/icml/?page=-1",
        "/awards/oral-presentation/?page=abc",
        "/people/?page=99999",
        "/venues/?page=0",
        "/awards/?page=x",
    ],
)
def test_unknown_slugs_and_pages_on_other_pages_are_404s(client, catalog, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/people/", "/venues/", "/awards/"])
def test_an_unknown_index_sort_is_ignored_with_a_message(client, catalog, url):
    response = client.get(url, {"sort": "bogus"})
    assert response.status_code == 200
    assert "Ignored sort=" in response.content.decode()


def test_a_10_kb_people_search_is_answered(client, catalog):
    assert client.get("/people/", {"q": "x" * 10_000}).status_code == 200
