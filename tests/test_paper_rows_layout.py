"""Paper rows stay narrow on PostgreSQL (catalog migration 0017): the wide
columns go to the TOAST table, so counting a search's matches reads few heap
pages; the head vector, tested by the head tier's walk, stays in the row."""

import random

import pytest
from django.db import connection

from catalog.models import Paper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def _text(rng, words: int) -> str:
    """Ten bytes a word that compression cannot shrink."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join("".join(rng.choices(letters, k=9)) for _ in range(words))


def test_papers_with_long_abstracts_share_a_heap_page():
    rng = random.Random(7)
    papers = Paper.objects.bulk_create(
        Paper(
            title=f"Paper {n}",
            slug=f"paper-{n}",
            abstract=_text(rng, 150),
            author_names=_text(rng, 80),
        )
        for n in range(30)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT (ctid::text::point)[0]) FROM catalog_paper WHERE id = ANY(%s)",
            [[paper.pk for paper in papers]],
        )
        pages = cursor.fetchone()[0]
    # PostgreSQL's default moves only the abstract out of these 2.4 KB rows:
    # the author names would fill at least four pages. Narrow, they fit in
    # one (two when they start in a page other tests left part full).
    assert pages <= 2


def test_the_head_vector_stays_in_the_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'catalog_paper'::regclass AND attname = 'head_vector'"
        )
        assert cursor.fetchone()[0] == "m"
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'catalog_paper'")
        assert "toast_tuple_target=128" in cursor.fetchone()[0]


def _toast_chunks() -> int:
    """Chunks written to the paper table's TOAST table in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_inserted(reltoastrelid) FROM pg_class "
            "WHERE relname = 'catalog_paper'"
        )
        return cursor.fetchone()[0]


def test_the_title_stays_in_the_row():
    """A list sorted by title reads the title of every match (catalog
    migration 0025): out of line, each was a TOAST lookup."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'catalog_paper'::regclass AND attname = 'title'"
        )
        assert cursor.fetchone()[0] == "m"
    rng = random.Random(8)
    before = _toast_chunks()
    paper = Paper.objects.create(
        title=_text(rng, 20), slug="long-title", abstract=_text(rng, 180), author_names=""
    )
    # The 2.2 KB row is toasted: the abstract (1.8 KB, one chunk) goes out
    # of line; the 200-byte title, which the row's 128-byte target would
    # move out too, does not.
    assert _toast_chunks() - before == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_size(title) FROM catalog_paper WHERE id = %s", [paper.pk])
        assert cursor.fetchone()[0] > 200  # inline, uncompressed (incompressible words)
