"""Every browsing page makes the same number of queries with 1 paper and with
100 (no per-row queries), within a small budget."""

import pytest
from django.db import connection

from tests.query_budget import count_queries, empty_catalog

pytestmark = pytest.mark.django_db

SEARCH = "/papers/?q=scaling&venue=icml&author=stella-biderman&year_from=2000&award=oral"

# The budget each page is held to; a change here should be a deliberate one.
BUDGET = {
    # +1: the papers-per-year chart's grouped query; +1: the catalog
    # version its page cache is keyed on (1 query in all when cached).
    "/": 7,
    "/papers/": 8,
    SEARCH: 8,
    "/papers/?sort=upvotes&page=1": 8,
    # Facets from the award cells (catalog/counts.py).
    "/papers/?award=oral&year_from=2000&sort=oldest": 8,
    # The paper, its authors, awards and sources in one query, related
    # papers; +1: the catalog version its page and related papers are cached
    # by (1 query in all when cached).
    "/papers/paper-0-scaling/": 4,
    "/people/": 2,
    "/people/?q=biderman&sort=papers": 2,
    # One grouped query gives the chart, the venues and the number of papers;
    # +1: the catalog version its page cache is keyed on.
    "/people/stella-biderman/": 8,
    "/venues/": 2,
    # The chart's query also counts the papers; +1: the catalog version its
    # page cache is keyed on (1 query in all when cached).
    "/venues/icml/": 7,
    "/awards/": 2,
    "/awards/oral/": 5,
}
# On PostgreSQL a relevance page of more matches than a page reads its ids,
# then its rows by them (prepared); with fewer, its facets read every id.
MORE_THAN_A_PAGE = {SEARCH: 1}


@pytest.mark.parametrize("url", list(BUDGET))
def test_query_count_does_not_grow_with_the_catalog(client, url, budget_catalog):
    budget_catalog(1)
    with_one = count_queries(client, url)
    empty_catalog()
    budget_catalog(100)
    with_hundred = count_queries(client, url)
    more = MORE_THAN_A_PAGE.get(url, 0) if connection.vendor == "postgresql" else 0
    assert with_one + more == with_hundred, (
        f"{url}: {with_one} queries with 1 paper, {with_hundred} with 100"
    )
    assert with_hundred <= BUDGET[url], f"{url}: {with_hundred} queries, budget {BUDGET[url]}"


def test_the_list_builds_one_filterset_per_request(client, monkeypatch, budget_catalog):
    """cached_page() and FilterView.get() share the view's FilterSet."""
    from catalog import views

    built = []
    real = views.paper_filter

    def counting(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)

    budget_catalog(1)
    monkeypatch.setattr(views, "paper_filter", counting)
    assert client.get("/papers/?venue=no-such-venue&year_from=2020").status_code == 200
    assert len(built) == 1
