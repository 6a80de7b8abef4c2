"""The SQL a search page sends on PostgreSQL: the tsquery of ASCII words is a
constant (no unaccent() around it, which only STABLE made PostgreSQL compute
again for every row it tested), with the same results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
