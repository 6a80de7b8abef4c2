"""The PostgreSQL writer's bulk upkeep (catalog.importer.deferred): the GIN
indexes' pending entries merged by the writer, on a second connection. After
any import the kept tables are what recounting the catalog from scratch
gives, the search rows are the papers', and search finds the new papers."""

import threading

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from catalog import counts
from catalog.importer import deferred, postgres, service
from catalog.importer.service import import_listings
from catalog.models import Authorship, Paper
from people.models import Person
from tests.factories import make_paper, make_person
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_service import blog_entry, listing_from_text, parsed
from tests.test_search_rows import papers, rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]


def person_count(person) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(papers), 0) FROM {counts.PERSON_COUNTS} WHERE person_id = %s",
            [person.pk],
        )
        return cursor.fetchone()[0]


def pending_pages() -> int:
    """Pages of pending entries the GIN indexes of the papers and search rows
    held (merging them empties them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(gin_clean_pending_list(oid)), 0) FROM unnest(%s::oid[]) AS oid",
            [deferred.owned_gin_indexes(connection.alias)],
        )
        return cursor.fetchone()[0]


def assert_kept_tables_are_recounted_ones():
    assert counts.differences() == []
    assert rows() == papers()


def test_an_import_in_small_chunks_leaves_the_sums_and_search_rows_exact(monkeypatch, client):
    monkeypatch.setattr(postgres, "PAPERS_PER_CHUNK", 10)
    monkeypatch.setattr(deferred, "PAPERS_PER_MERGE", 25)
    merged_by = []
    merge = deferred.GinMerges._merge

    def recorded(self, cursor):
        merge(self, cursor)
        merged_by.append(threading.current_thread().name)

    monkeypatch.setattr(deferred.GinMerges, "_merge", recorded)
    make_paper("Already there", authors=["Stella Biderman"], year=2020)

    import_listings(parsed(*SEED_FILES))

    assert Paper.objects.count() == 136 and Authorship.objects.count() > 100
    assert_kept_tables_are_recounted_ones()
    # Merged by the helper every 30 papers (3 chunks of 10) and after the
    # last one, then by the import's connection at the end: none left pending.
    assert merged_by == ["importer-gin"] * (135 // 30 + 1) + [threading.current_thread().name]
    assert not [t for t in threading.enumerate() if t.name == "importer-gin"]
    assert deferred.owned_gin_indexes(connection.alias) and pending_pages() == 0
    # The sums add to what was there: her paper and the 19 she has in the seeds.
    assert person_count(Person.objects.get(name="Stella Biderman")) == 20
    response = client.get(reverse("catalog:paper-list"), {"q": "GPT-NeoX-20B"})
    assert "GPT-NeoX-20B" in response.content.decode()


def test_a_reimport_that_rewrites_authors_keeps_the_sums_exact():
    """A complete author list replaces an incomplete one: the paper's old
    authorships are deleted (counted by their triggers) and the new ones
    written in bulk (counted by the writer)."""
    first = "Sparse Attention at Scale"
    incomplete = blog_entry(first, 'Bob Builder, et al. "Sparse Attention at Scale." 2023.')
    import_listings([listing_from_text(incomplete, "a.txt")])
    complete = blog_entry(first, 'Ann Author and Carl Cole. "Sparse Attention at Scale." 2023.')
    other = blog_entry("Dense Retrieval Again", 'Bob Builder. "Dense Retrieval Again." 2022.')
    import_listings([listing_from_text(complete + "\n" + other, "b.txt")])

    paper = Paper.objects.get(title=first)
    assert list(paper.authors.values_list("name", flat=True)) == ["Ann Author", "Carl Cole"]
    assert Person.objects.get(name="Bob Builder").papers.count() == 1
    assert_kept_tables_are_recounted_ones()


def test_a_failed_import_leaves_nothing_and_the_triggers_counting_again(monkeypatch):
    person = make_person("Ann Author")

    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(service, "finish_run", fail)
    with pytest.raises(DatabaseError):
        import_listings(parsed(*SEED_FILES))
    assert Paper.objects.count() == 0 and Authorship.objects.count() == 0
    assert_kept_tables_are_recounted_ones()

    make_paper("After the failure", authors=[person])
    assert person_count(person) == 1
