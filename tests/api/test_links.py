"""How people and programs find the open data: the /api/ page, and each
HTML page's JSON twin in its <head>."""

import pytest
from bs4 import BeautifulSoup


def alternate(response):
    soup = BeautifulSoup(response.content, "html.parser")
    links = soup.head.find_all("link", rel="alternate", type="application/json")
    return [link["href"] for link in links]


@pytest.mark.parametrize(
    ("page", "twin"),
    [
        ("/papers/", "/api/v1/papers"),
        ("/papers/?venue=icml&q=language&page=1&utm=x", "/api/v1/papers?venue=icml&q=language"),
        (
            "/papers/?venue=icml&utm=x&venue=iclr&q=a+b&page=1",
            "/api/v1/papers?venue=icml&venue=iclr&q=a+b",
        ),
        (
            "/papers/pythia-a-suite-for-analyzing-large-language-models/",
            "/api/v1/papers/pythia-a-suite-for-analyzing-large-language-models",
        ),
        ("/people/stella-biderman/", "/api/v1/people/stella-biderman"),
        ("/venues/icml/", "/api/v1/venues/icml"),
        ("/awards/oral-presentation/", "/api/v1/awards/oral-presentation"),
    ],
)
def test_pages_link_their_json_twin(client, catalog, page, twin):
    response = client.get(page)
    assert response.status_code == 200
    assert alternate(response) == [twin]
    assert client.get(twin).status_code == 200


def test_pages_without_a_twin_link_none(client, catalog):
    assert alternate(client.get("/people/")) == []
    # Not even a 404 for a slug that names nothing.
    assert alternate(client.get("/papers/no-such-paper/")) == []
    assert alternate(client.get("/people/nobody/")) == []


def test_the_api_page_shows_examples_that_work(client, catalog):
    response = client.get("/api/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert len(soup.find_all("h1")) == 1
    # The site's strict CSP: no inline script or style.
    assert not soup.find_all("script") and not soup.find_all("style")
    assert not soup.find_all(style=True)
    examples = [
        a["href"] for a in soup.main.find_all("a") if a["href"].startswith(("/api", "/oai"))
    ]
    assert len(examples) >= 7
    for href in examples:
        assert client.get(href).status_code == 200, href
