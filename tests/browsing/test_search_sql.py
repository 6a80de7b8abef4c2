"""The SQL a search page sends: on PostgreSQL the tsquery of ASCII words is a
constant (no unaccent() around it, which only STABLE made PostgreSQL compute
again for every row it tested), with the same results; the pools' reads of
a search's facets are compiled once per shape of their filters."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Paper
from catalog.search import estimate
from tests.browsing.conftest import keys
from tests.factories import make_paper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

URL = "/papers/"


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's unaccent and tsquery")


def _search_sql(client, q: str) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": q})
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries if "tsquery" in query["sql"]]
    assert sql, "the page ran no search"
    return sql, response


def test_unaccent_leaves_every_ascii_character_as_it_is(db):
    """What leaving unaccent() out for ASCII words rests on."""
    postgres_only()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(chr(i), '') FROM generate_series(1, 127) AS i "
            "WHERE unaccent(chr(i)) <> chr(i)"
        )
        assert cursor.fetchone()[0] is None


def test_ascii_words_are_searched_without_unaccent_and_still_fold_accents(client, catalog):
    postgres_only()
    # "Laurençon" is folded to ASCII before it reaches the database.
    for q in ("laurencon", "Laurençon", "open dataset"):
        sql, response = _search_sql(client, q)
        assert not [s for s in sql if "unaccent(" in s], q
        assert keys(catalog, response) == ["obelics"], q


def test_words_that_stay_non_ascii_are_still_unaccented(client, db):
    postgres_only()
    make_paper("Ωmega networks for sparrows")
    make_paper("Plain sparrows")
    sql, response = _search_sql(client, "ωmega sparrows")
    assert all("unaccent(" in s for s in sql)
    titles = [paper.title for paper in response.context["object_list"]]
    assert titles == ["Ωmega networks for sparrows"]


def _newest(queryset, limit=10):
    return queryset.order_by("-year", "-pk").values_list("pk", "year")[:limit]


def test_reads_of_the_same_shape_share_one_statement_with_their_own_parameters(db):
    estimate._SHAPES.clear()
    first = Paper.objects.filter(search_vector=None, year__gte=2020)
    second = Paper.objects.filter(search_vector=None, year__gte=1999)
    for queryset in (first, second):
        sql, params = estimate._same_shape_sql(queryset, ("test",), lambda q=queryset: _newest(q))
        # What the ORM compiles for it, every time.
        expected_sql, expected_params = _newest(queryset).query.sql_with_params()
        assert (sql, list(params)) == (expected_sql, list(expected_params))
    assert len(estimate._SHAPES) == 1
    assert params == [1999]


def test_reads_that_join_or_take_other_parameters_are_compiled_every_time(db):
    estimate._SHAPES.clear()
    joined = Paper.objects.filter(venue__slug="icml")
    sql, params = estimate._same_shape_sql(joined, ("test",), lambda: _newest(joined))
    expected_sql, expected_params = _newest(joined).query.sql_with_params()
    assert (sql, list(params)) == (expected_sql, list(expected_params))
    # A read whose own parameters are not its WHERE's (here: one more filter).
    plain = Paper.objects.filter(year=2020)
    more = estimate._same_shape_sql(plain, ("test",), lambda: _newest(plain.filter(pk__gte=3)))
    assert list(more[1]) == [2020, 3]
    assert len(estimate._SHAPES) == 0
