"""How a search page by relevance reads its rows on PostgreSQL: its page's
ids from the filters' SQL and the words (catalog.search.postgres.PageSQL),
without building the results' queryset, and on the database of the
querysets it was given."""

import pytest
from django.db import connection

from catalog.models import Paper
from tests.browsing.conftest import keys

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

URL = "/papers/"


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's PageSQL")


def _results_built(monkeypatch) -> list:
    """The filter sets whose results (filterset.qs) were built from now on."""
    from catalog.filters import PaperFilter

    built = []
    filter_queryset = PaperFilter.filter_queryset

    def counting(self, queryset):
        built.append(self)
        return filter_queryset(self, queryset)

    monkeypatch.setattr(PaperFilter, "filter_queryset", counting)
    return built


def test_a_search_by_relevance_reads_its_page_without_building_its_results(
    client, catalog, monkeypatch
):
    """The page is read from the filters' SQL and the words (PageSQL): the
    results' queryset, with the search's filter and rank, is not built."""
    postgres_only()
    expected = keys(catalog, client.get(URL, {"q": "open dataset", "sort": "newest"}))
    built = _results_built(monkeypatch)
    response = client.get(URL, {"q": "open dataset"})
    assert response.status_code == 200
    assert built == []
    assert sorted(keys(catalog, response)) == sorted(expected)
    assert response.context["paper_list"] is response.context["object_list"]


def test_other_lists_still_build_their_results_once(client, catalog, monkeypatch):
    built = _results_built(monkeypatch)
    response = client.get(URL, {"q": "open dataset", "sort": "newest"})
    assert response.status_code == 200
    assert keys(catalog, response) == ["obelics"]
    assert len(built) == 1


def test_listed_ids_are_read_from_the_rows_database(db):
    from django.db.models.expressions import RawSQL
    from django.db.utils import ConnectionDoesNotExist

    from catalog.search.postgres import listed

    page = RawSQL("SELECT 3 UNION ALL SELECT 1", [])
    assert listed(page, "default") == [3, 1]
    with pytest.raises(ConnectionDoesNotExist):
        listed(page, "replica")


def test_a_page_sql_is_written_for_its_querysets_database(db):
    """Its connection is that database's own (not the default one's proxy),
    also for the statements it runs (the EXPLAIN of a search of many matches)."""
    from django.db import connections

    from catalog.models import NEWEST_ORDER
    from catalog.search.postgres import SORTED_ROWS, PageSQL

    postgres_only()
    unsearched = Paper.objects.for_list().using("default")
    page = PageSQL.of(unsearched, ["owl"], NEWEST_ORDER, SORTED_ROWS + 1)
    assert page.connection is connections["default"]
    with pytest.raises(Exception, match="replica"):
        PageSQL.of(Paper.objects.using("replica"), ["owl"], NEWEST_ORDER, SORTED_ROWS + 1)
