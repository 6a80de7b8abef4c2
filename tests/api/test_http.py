"""Caching validators, CORS, methods and errors: the HTTP side of the API."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from catalog.models import Paper

URLS = [
    "/api/v1/papers",
    "/api/v1/papers/pythia-a-suite-for-analyzing-large-language-models",
    "/api/v1/people",
    "/api/v1/people/stella-biderman",
    "/api/v1/venues",
    "/api/v1/venues/icml",
    "/api/v1/awards",
    "/api/v1/awards/oral-presentation",
]


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return response, len(captured)


@pytest.mark.parametrize("url", URLS)
def test_answers_carry_validators_and_may_be_cached_briefly(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"].endswith(" GMT")
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.cache
@pytest.mark.parametrize("url", URLS)
def test_an_unchanged_catalog_is_a_304_in_one_query(client, catalog, url):
    etag = client.get(url)["ETag"]
    response, count = queries(client, url, if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert count == 1


def test_if_none_match_takes_lists_weak_tags_and_star(client, catalog):
    etag = client.get("/api/v1/papers")["ETag"]
    for header in (f'"nope", {etag}', f"W/{etag}", "*"):
        assert client.get("/api/v1/papers", headers={"if-none-match": header}).status_code == 304
    assert client.get("/api/v1/papers", headers={"if-none-match": '"old"'}).status_code == 200


@pytest.mark.cache
def test_if_modified_since_is_a_304_until_the_catalog_changes(client, catalog):
    response = client.get("/api/v1/papers")
    since = response["Last-Modified"]
    answer, count = queries(client, "/api/v1/papers", if_modified_since=since)
    assert answer.status_code == 304 and count == 1
    earlier = http_date(0)
    assert client.get("/api/v1/papers", headers={"if-modified-since": earlier}).status_code == 200
    # If-None-Match decides when both are sent.
    both = {"if-modified-since": since, "if-none-match": '"old"'}
    assert client.get("/api/v1/papers", headers=both).status_code == 200


@pytest.mark.cache
def test_a_write_changes_the_etag_and_the_answer(api, client, catalog):
    first = client.get("/api/v1/papers")
    Paper.objects.filter(slug__startswith="pythia").update(title="Pythia, renamed")
    response = client.get("/api/v1/papers", headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert "Pythia, renamed" in [p["title"] for p in response.json()["results"]]
    # The cached count follows the catalog too.
    Paper.objects.filter(slug__startswith="pythia").delete()
    assert api("/api/v1/papers")["count"] == 4


@pytest.mark.cache
def test_last_modified_moves_forward_with_writes(client, catalog):
    from api.freshness import catalog_state

    before = catalog_state()
    Paper.objects.filter(slug__startswith="pythia").update(upvotes=1)
    after = catalog_state()
    assert after.version != before.version
    assert after.changed_at > before.changed_at


@pytest.mark.parametrize(
    "url", [*URLS, "/api/v1/papers/nope", "/api/v1/nope", "/api/v1/openapi.json"]
)
def test_any_origin_may_read_without_credentials(client, catalog, url):
    response = client.get(url, headers={"origin": "https://lab.example.org"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]


def test_a_preflight_allows_get_and_head_only(client, catalog):
    response = client.options(
        "/api/v1/papers",
        headers={"origin": "https://lab.example.org", "access-control-request-method": "GET"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, catalog, method):
    response = getattr(client, method)("/api/v1/papers")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_head_answers_like_get(client, catalog):
    response = client.head("/api/v1/papers")
    assert response.status_code == 200
    assert response["ETag"] == client.get("/api/v1/papers")["ETag"]


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/papers/a/b", "/api/v1/papers/"])
def test_unknown_api_paths_are_problems_not_html(client, catalog, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_a_trailing_slash_is_a_404_naming_the_endpoint_whatever_the_query(client, catalog):
    # The list's parameters on a path that is no endpoint: still a 404, not a
    # 400 about parameters an endpoint that does not exist would not take.
    response = client.get("/api/v1/papers/?q=language&sort=relevance")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "There is no API endpoint /api/v1/papers/. Did you mean /api/v1/papers (no trailing slash)?"
    )
    response = client.get("/api/v1/nope/?q=x")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no API endpoint /api/v1/nope/."


def test_an_endpoint_without_parameters_says_so(client, catalog):
    response = client.get("/api/v1/openapi.json?q=x")
    assert response.status_code == 400
    assert response.json()["errors"]["q"] == [
        "Unknown parameter; this endpoint takes no parameters."
    ]


@override_settings(PAPERSHELF_CACHE_PAGES=False)
def test_a_list_page_and_a_detail_take_a_fixed_number_of_queries(client, catalog):
    """Uncached answers: version, count (cached per catalog version after the
    first request), page, authors and awards (one query); version, paper,
    authors and awards: never a query per paper."""
    queries(client, "/api/v1/papers?per_page=100")
    response, count = queries(client, "/api/v1/papers?per_page=100")
    assert response.status_code == 200 and count == 3
    response, count = queries(client, "/api/v1/papers?per_page=100&venue=icml&q=language")
    assert response.status_code == 200 and count == 4
    url = "/api/v1/papers/pythia-a-suite-for-analyzing-large-language-models"
    response, count = queries(client, url)
    assert response.status_code == 200 and count == 3


@pytest.mark.cache
def test_a_cached_answer_takes_one_query_until_the_catalog_changes(client, catalog):
    url = "/api/v1/papers?venue=icml"
    first = client.get(url)
    response, count = queries(client, url)
    assert count == 1 and response.content == first.content
    # Another host's answer holds other absolute links: not served from this one's.
    other = client.get(url, headers={"host": "localhost"})
    assert b"http://localhost/api/v1/papers/" in other.content
    Paper.objects.filter(slug__startswith="pythia").update(title="Pythia, renamed")
    assert "Pythia, renamed" in client.get(url).content.decode()
