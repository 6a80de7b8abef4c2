"""A list whose facet counts are neither cached nor cheap shows its rows,
number of results and chips at once, and its facets apart: a placeholder
that links to the facets' own page and that a script fills from their
fragment (catalog.views.PaperFacetsView). The limit is a setting,
PAPERSHELF_FACETS_INLINE_UP_TO, set low here to defer on the seed catalog."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import counts
from catalog.filters import ActiveFilters
from catalog.models import Paper
from venues.models import Venue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed", "empty_cache")]

FRAGMENT = "/facets/papers/fragment/"
PAGE = "/facets/papers/"
# A search with many matches; filters the cells count but whose top authors
# need a sample; two authors (grouped queries): each deferred under a low limit.
DEFERRED = [
    "q=language",
    "q=language&sort=newest&year_from=2020",
    "q=language&year=2022",  # its years are counted without the year: another pool
    "venue=arxiv&year_from=2020",
    "year_to=2024&venue=arxiv&venue=icml",
    "author=stella-biderman&author=leo-gao",
]
# Those counted from the cells: the same one query, without its sample.
ONE_CELLS_QUERY = {"venue=arxiv&year_from=2020", "year_to=2024&venue=arxiv&venue=icml"}
SIDEBAR = re.compile(r'<aside class="facets".*?</aside>', re.S)


@pytest.fixture
def limit(settings):
    """Lists count their facets themselves for up to 3 results."""
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = 3
    return settings


def get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # A statement is prepared once per connection (core.prepared), by
    # whichever page runs it first: not one of the page's queries.
    return response, len([q for q in captured if not q["sql"].startswith("PREPARE ")])


def sidebar(response) -> str:
    (found,) = SIDEBAR.findall(response.content.decode())
    return found


def inline_sidebar(client, settings, query):
    """The sidebar the list shows for `query` when it counts its facets itself."""
    from django.core.cache import cache

    settings.PAPERSHELF_FACETS_INLINE_UP_TO = None
    cache.clear()
    response, queries = get(client, f"/papers/?{query}")
    assert response.context["facets_urls"] is None
    cache.clear()
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = 3
    return sidebar(response), queries, response


@pytest.mark.parametrize("query", DEFERRED)
def test_a_deferred_list_has_rows_count_chips_and_a_link_in_fewer_queries(client, limit, query):
    inline, inline_queries, before = inline_sidebar(client, limit, query)
    response, queries = get(client, f"/papers/?{query}")
    assert response.status_code == 200
    context = response.context
    assert context["facets_urls"] == {
        "fragment": f"{FRAGMENT}?{query}",
        "page": f"{PAGE}?{query}",
    }
    assert [p.pk for p in context["object_list"]] == [p.pk for p in before.context["object_list"]]
    assert context["total"] == before.context["total"] > 3
    assert context["total_shown"] == before.context["total_shown"]
    assert [c.label for c in context["chips"]] == [c.label for c in before.context["chips"]]
    assert context["sort_links"] == before.context["sort_links"]
    html = response.content.decode()
    placeholder = sidebar(response)
    assert f'data-facets-fragment="{FRAGMENT}?{query.replace("&", "&amp;")}"' in placeholder
    assert f'<a href="{PAGE}?{query.replace("&", "&amp;")}" rel="nofollow">' in placeholder
    assert '<h2 id="facets-heading">Narrow down</h2>' in placeholder
    assert 'class="facet"' not in placeholder and 'class="facet"' in inline
    assert "js/facets.js" in html and "js/facets.js" not in before.content.decode()
    if query in ONE_CELLS_QUERY:
        # Its sample of authors is skipped (test_the_guarded_cells_query_…).
        assert queries == inline_queries, (queries, inline_queries)
    else:
        assert queries < inline_queries, (queries, inline_queries)


def test_the_deferred_search_page_counts_only_the_results(client, limit):
    response, queries = get(client, "/papers/?q=language")
    # The catalog version (twice: page cache, snapshot), the newest matches
    # (with the number of results), the page's rows: no facet query.
    assert response.context["facets_urls"]
    assert queries <= 5, queries


@pytest.mark.parametrize("query", DEFERRED)
def test_the_fragment_and_the_page_show_the_inline_facets(client, limit, query):
    inline, _, before = inline_sidebar(client, limit, query)
    fragment = client.get(f"{FRAGMENT}?{query}")
    assert fragment.status_code == 200
    assert fragment["X-Robots-Tag"] == "noindex"
    assert fragment.content.decode().strip() == inline
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "<h1>Narrow down the papers</h1>" in html
    # The same entries, their links leading back to the list.
    assert sidebar(page) == inline.replace('href="?', 'href="/papers/?')
    assert f'href="/papers/?{query.replace("&", "&amp;")}">Back to the list' in html
    assert f"{before.context['total_shown']} paper" in html


@pytest.mark.parametrize("query", DEFERRED)
def test_after_the_fragment_the_list_shows_the_facets_inline(client, limit, query):
    assert client.get(f"/papers/?{query}").context["facets_urls"]
    assert client.get(f"{FRAGMENT}?{query}").status_code == 200
    for other in (query, f"{query}&sort=oldest", f"{query}&page=2"):
        response = client.get(f"/papers/?{other}")
        if response.status_code == 404:  # no second page
            continue
        assert response.context["facets_urls"] is None, other
        assert 'class="facet"' in sidebar(response)


def test_the_no_javascript_page_also_fills_the_cache(client, limit):
    assert client.get(f"{PAGE}?q=language").status_code == 200
    assert client.get("/papers/?q=language&page=2").context["facets_urls"] is None


@pytest.mark.parametrize(
    "query",
    [
        "",  # the whole catalog: top authors from the kept totals
        "venue=arxiv",  # one venue: the same
        "q=zzzzqqq",  # no match
        "venue=icml&year=2099",  # no paper
    ],
)
def test_cheap_facets_stay_inline_whatever_the_limit(client, settings, query):
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = 0
    response = client.get(f"/papers/?{query}")
    assert response.status_code == 200
    assert response.context["facets_urls"] is None
    assert "js/facets.js" not in response.content.decode()


def test_moved_slugs_answer_301_on_the_deferred_path(client, limit):
    arxiv = Venue.objects.get(slug="arxiv")
    arxiv.slug = "arxiv-preprints"
    arxiv.save()
    # Venues are any-of: icml's papers and the moved slug's, more than 3.
    for path in ("/papers/", FRAGMENT, PAGE):
        response = client.get(f"{path}?venue=icml&venue=arxiv&year_to=2024")
        assert response.status_code == 301, path
        assert response["Location"] == f"{path}?venue=icml&venue=arxiv-preprints&year_to=2024"
    followed = client.get("/papers/?venue=icml&venue=arxiv-preprints&year_to=2024")
    assert followed.context["facets_urls"]
    labels = [chip.label for chip in followed.context["chips"]]
    assert labels == ["Venue: ICML", f"Venue: {arxiv.name}", "To: 2024"]


def test_unknown_slugs_are_named_on_the_deferred_path(client, limit):
    response = client.get("/papers/?venue=icml&venue=arxiv&venue=no-such-venue")
    assert response.status_code == 200
    assert response.context["facets_urls"]
    assert "There is no venue “no-such-venue” in the catalog." in response.context["problems"]
    assert "Venue: no-such-venue" in [chip.label for chip in response.context["chips"]]


@pytest.mark.parametrize("path", [FRAGMENT, PAGE])
@pytest.mark.parametrize(
    "query",
    [
        "year=abc&sort=bogus&page=-1",
        "q=" + "language%20" * 200,
        "venue=" + "&venue=".join(f"v{i}" for i in range(60)),
        "author=%E2%80%AE%F0%9F%A7%AA&award=%3Cscript%3E",
        "q=%ff%fe&year_from=99999&year_to=-5",
        "q=%22%27%3B--%20DROP%20TABLE",
        "page=999999&q=language",
    ],
)
def test_hostile_query_strings_on_the_facets_never_fail(client, limit, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, response.status_code
    if path == PAGE:
        assert b"<h1>Narrow down the papers</h1>" in response.content


@pytest.mark.parametrize("path", [FRAGMENT, PAGE])
def test_a_nul_byte_on_the_facets_is_a_400(client, path):
    assert client.get(f"{path}?q=a%00b").status_code == 400


def test_the_guarded_cells_query_skips_only_the_sample(limit):
    active = ActiveFilters(venues=("arxiv",), year_from=2020)
    sample = Paper.objects.filter(venue__slug="arxiv", year__gte=2020).values("pk")
    full = counts.cell_facets(active, sample, 5)
    total = sum(full["years"].values())
    assert total > 3 and full["authors"]
    guarded = counts.cell_facets(active, sample, 5, sample_up_to=total - 1)
    # Neither the sample nor the kept cells' sum (which said "proven").
    assert guarded["authors"] == [] and full["proven"] and not guarded["proven"]
    skipped = ("authors", "proven")
    assert {k: v for k, v in guarded.items() if k not in skipped} == {
        k: v for k, v in full.items() if k not in skipped
    }
    assert counts.cell_facets(active, sample, 5, sample_up_to=total) == full


def test_the_facets_page_without_parameters_is_the_whole_catalogs(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/papers/">Back to the list' in html
    assert 'href="/papers/?venue=arxiv"' in sidebar(response)


def test_a_deferred_search_reads_only_its_results(client, limit):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/?q=language&year=2022&venue=arxiv&venue=icml")
    assert response.context["facets_urls"]
    reads = [q["sql"] for q in captured.captured_queries if "newest.*" in q["sql"]]
    # One read, of the results alone: not of the papers without the year
    # filter, nor without the venues (the facets' pools).
    assert len(reads) == 1 and reads[0].count("newest.*") == 1, reads


def test_a_deferred_page_is_cached_until_its_facets_are_counted(client, limit):
    url = "/papers/?q=language"
    first, _ = get(client, url)
    assert first.context["facets_urls"]
    # Asked again: from the page cache (the catalog version is the one query),
    # not counted again, as long as nobody has counted its facets.
    again, queries = get(client, url)
    assert queries == 1
    assert again.content == first.content
    assert client.get(f"{FRAGMENT}?q=language").status_code == 200
    # Once counted, the page is built again with them inline, and that one
    # is the page cached.
    after, _ = get(client, url)
    assert after.context["facets_urls"] is None
    assert 'class="facet"' in sidebar(after)
    cached, queries = get(client, url)
    assert queries == 1
    assert cached.content == after.content


@pytest.mark.parametrize("query", DEFERRED)
def test_other_pages_of_deferred_results_do_not_count_them_again(client, limit, query):
    first, _ = get(client, f"/papers/?{query}")
    with CaptureQueriesContext(connection) as captured:
        other = client.get(f"/papers/?{query}&sort=oldest")
    assert other.context["facets_urls"]
    assert other.context["total_shown"] == first.context["total_shown"]
    # The number of results comes from the cache: no year count, no read of
    # the newest matches; the catalog version, the rows and their relations.
    statements = [q["sql"] for q in captured if q["sql"] not in ("BEGIN", "COMMIT")]
    counting = ("year_key", "GROUP BY", "newest")
    assert not any(word in sql for sql in statements for word in counting), statements
    assert len(statements) <= 5, statements


@pytest.mark.parametrize(
    "query", ["author=stella-biderman", "author=stella-biderman&venue=arxiv&year_from=2020"]
)
def test_a_deferred_author_list_names_the_author_from_its_one_cells_query(client, limit, query):
    """The cells query names the active author even when it skips the
    sample that counts her co-authors: the chip needs no query of its own,
    on the first page or on a later one (the number of results cached)."""
    for url in (f"/papers/?{query}", f"/papers/?{query}&sort=title"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.context["facets_urls"], "not deferred"
        assert "Author: Stella Biderman" in [chip.label for chip in response.context["chips"]]
        # Not selectors.active_names()' query.
        assert not [q["sql"] for q in captured if 'AS "parameter"' in q["sql"]]
    no_one = counts.cell_facets(ActiveFilters(authors=("no-such-person",)), None, 5)
    assert no_one["people"] == []
