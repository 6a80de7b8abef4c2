"""The search rows (catalog migration 0019, PostgreSQL only) follow the papers
whoever writes them: each paper has one row with its venue, year, date and
search vector, and the vector is out of line, so the rows stay narrow."""

import datetime
import random

import pytest
from django.db import connection

from catalog.models import Paper, SearchRow
from catalog.selectors import paper_filter
from tests.factories import make_paper, make_papers, make_venue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]

KEYS = ("venue_id", "year", "published_on", "search_vector")


def rows() -> dict:
    """{paper id: (venue, year, date, vector as text)} of the search rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT paper_id, venue_id, year, published_on, search_vector::text "
            "FROM catalog_searchrow"
        )
        return {pk: tuple(rest) for pk, *rest in cursor.fetchall()}


def papers() -> dict:
    """The same, read from the papers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, venue_id, year, published_on, search_vector::text FROM catalog_paper"
        )
        return {pk: tuple(rest) for pk, *rest in cursor.fetchall()}


def test_rows_follow_inserts_updates_and_deletes():
    venue = make_venue("NeurIPS")
    first = make_paper("Sparse attention", venue=venue, year=2021)
    make_papers([{"title": "Dense retrieval", "year": 2022}, {"title": "Graph models"}])
    assert rows() == papers() and len(rows()) == 3
    assert "'spars':1A" in rows()[first.pk][3]

    # A new title and its refreshed vector; a new year and date; another venue.
    Paper.objects.filter(pk=first.pk).update(title="Linear attention")
    Paper.objects.filter(pk=first.pk).refresh_search_index()
    first.refresh_from_db()
    first.year, first.published_on, first.venue = 2023, datetime.date(2023, 5, 1), None
    first.save()
    assert rows() == papers()
    assert "'linear':1A" in rows()[first.pk][3] and "spars" not in rows()[first.pk][3]
    assert rows()[first.pk][:3] == (None, 2023, datetime.date(2023, 5, 1))

    Paper.objects.filter(pk=first.pk).delete()
    assert rows() == papers() and first.pk not in rows()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute("TRUNCATE catalog_paper CASCADE")
    assert rows() == {}


def test_a_search_reads_the_same_papers_from_the_rows():
    make_papers(
        [
            {"title": "Sparse attention", "year": 2021},
            {"title": "Sparse models", "year": 2022},
            {"title": "Dense models", "year": 2022},
        ]
    )
    filterset = paper_filter({"q": "sparse", "year": 2022})
    over_rows = paper_filter({"q": "sparse", "year": 2022}, queryset=SearchRow.objects.all())
    matched = set(filterset.qs.values_list("pk", flat=True))
    assert set(over_rows.queryset_without().values_list("pk", flat=True)) == matched
    assert len(matched) == 1


def _text(rng, words: int) -> str:
    """Ten bytes a word that compression cannot shrink."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choices(letters, k=9)) for _ in range(words))


def test_rows_keep_their_vectors_out_of_line():
    rng = random.Random(7)
    make_papers(
        {"title": f"Paper {n}", "abstract": _text(rng, 150), "year": 2020} for n in range(30)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT (ctid::text::point)[0]) FROM catalog_searchrow")
        pages = cursor.fetchone()[0]
    # Each vector is ~2 KB: inline, 30 rows would fill at least eight pages.
    assert pages <= 2
