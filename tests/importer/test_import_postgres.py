"""PostgreSQL's own write path for new papers (postgres.NewPaperStaging): search
fields computed as the papers are written, the abstracts' part on a second
connection (postgres.AbstractVectors)."""

import threading

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from catalog.importer import postgres, service
from catalog.importer.postgres import AbstractVectors, NewPaperStaging
from catalog.importer.service import import_listings
from catalog.importer.writing import PortableWriter
from catalog.models import Paper
from catalog.search import for_ascii_text, search_fields_update
from people.models import Person
from tests.importer.seed_listings import SEED_FILES
from tests.importer.test_import_service import parsed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
]
SEARCH_FIELDS = ("author_names", "search_vector", "head_vector")


def search_fields() -> dict:
    return {p["id"]: p for p in Paper.objects.values("id", "abstract", *SEARCH_FIELDS)}


def assert_search_fields_are_those_refresh_search_index_gives():
    written = search_fields()
    assert written and all(p["search_vector"] and p["head_vector"] for p in written.values())
    Paper.objects.all().refresh_search_index()
    assert written == search_fields()


def vector_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "importer-vectors"]


def test_new_papers_get_the_search_fields_refresh_search_index_gives():
    import_listings(parsed(*SEED_FILES))
    assert_search_fields_are_those_refresh_search_index_gives()


def test_vectors_computed_on_a_second_connection_chunk_by_chunk_are_the_same(monkeypatch):
    """Past one chunk of new papers, the abstracts' vectors come from a second
    connection, in binary; written chunk by chunk, they are what the
    database computes itself."""
    delivered = []
    next_chunk = AbstractVectors.next_chunk

    def spy(self):
        vectors = next_chunk(self)
        delivered.append(vectors)
        return vectors

    monkeypatch.setattr(postgres, "PAPERS_PER_CHUNK", 4)
    monkeypatch.setattr(AbstractVectors, "next_chunk", spy)
    import_listings(parsed(*SEED_FILES))
    assert Paper.objects.count() > 8
    # Every chunk's vectors came from the helper (none left to the import's
    # connection, which would give the same vectors, only slower).
    assert len(delivered) == -(-Paper.objects.count() // 4)
    assert all(isinstance(chunk, list) and chunk for chunk in delivered)
    assert_search_fields_are_those_refresh_search_index_gives()
    assert not vector_threads()


def test_unaccent_maps_no_ascii_character():
    """What for_ascii_text() relies on: unaccent() returns ASCII text as it is."""
    every_ascii_character = "".join(chr(code) for code in range(1, 128))
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent(%s)", [every_ascii_character])
        assert cursor.fetchone()[0] == every_ascii_character


def test_the_helper_leaves_unaccent_out_for_ascii_abstracts_only(monkeypatch):
    """ASCII abstracts' vectors are computed without unaccent(), the others
    with it; both are the vectors the database computes itself."""
    executed = []
    compute = AbstractVectors._compute

    def spy(self):
        execute = psycopg.Cursor.execute

        def recording(cursor, query, params=None, **options):
            if threading.current_thread().name == "importer-vectors" and "unnest" in str(query):
                executed.append((query, params))
            return execute(cursor, query, params, **options)

        with monkeypatch.context() as patched:
            patched.setattr(psycopg.Cursor, "execute", recording)
            return compute(self)

    monkeypatch.setattr(postgres, "PAPERS_PER_CHUNK", 4)
    monkeypatch.setattr(AbstractVectors, "_compute", spy)
    import_listings(parsed(*SEED_FILES))
    assert executed
    flags = [flag for _, params in executed for flag in params[-1]]
    abstracts = [text for _, params in executed for text in params[-2]]
    assert flags == [text.isascii() for text in abstracts]
    assert any(flags) and not all(flags)
    assert all("unaccent" in query for query, _ in executed)
    assert_search_fields_are_those_refresh_search_index_gives()


def test_for_ascii_text_gives_the_same_vectors_over_ascii_text():
    head = search_fields_update(Paper)["head_vector"]
    plain = for_ascii_text(head)
    assert "unaccent(" in str(Paper.objects.annotate(vector=head).query)
    assert "unaccent(" not in str(Paper.objects.annotate(vector=plain).query)
    papers = Paper.objects.annotate(with_unaccent=head, without=plain)
    import_listings(parsed(*SEED_FILES))
    ascii_heads = [
        (a, b)
        for title, names, a, b in papers.values_list(
            "title", "author_names", "with_unaccent", "without"
        )
        if (title + names).isascii()
    ]
    assert ascii_heads and all(a == b for a, b in ascii_heads)


def test_when_the_second_connection_fails_the_import_computes_the_vectors(monkeypatch):
    compute = AbstractVectors._compute

    def failing(self):
        self._sql = "SELECT 1 / 0"
        return compute(self)

    monkeypatch.setattr(postgres, "PAPERS_PER_CHUNK", 4)
    monkeypatch.setattr(AbstractVectors, "_compute", failing)
    import_listings(parsed(*SEED_FILES))
    assert_search_fields_are_those_refresh_search_index_gives()


def test_a_failure_while_writing_papers_writes_nothing_and_stops_the_helper(monkeypatch):
    monkeypatch.setattr(postgres, "PAPERS_PER_CHUNK", 4)
    monkeypatch.setattr(
        NewPaperStaging, "_imported_values_sql", lambda self, select: "to_jsonb(1 / 0)"
    )
    with pytest.raises(DatabaseError):
        import_listings(parsed(*SEED_FILES))
    assert Paper.objects.count() == 0 and Person.objects.count() == 0
    assert not vector_threads()


def imported_values_by_slug():
    return dict(Paper.objects.values_list("slug", "imported_values"))


def test_new_papers_imported_values_built_in_sql_are_those_python_builds(monkeypatch):
    """PostgresWriter has the database build new papers' imported_values
    (NewPaperStaging); PortableWriter builds them in Python (new_paper_row).
    The seeds have papers with and without dates, awards, authors (equal
    contributions, unknown places), review notes, arXiv ids and upvotes."""
    with transaction.atomic():
        import_listings(parsed(*SEED_FILES))
        built_in_sql = imported_values_by_slug()
        transaction.set_rollback(True)
    monkeypatch.setattr(service, "writer_for", PortableWriter)
    import_listings(parsed(*SEED_FILES))
    built_in_python = imported_values_by_slug()

    assert built_in_sql == built_in_python
    values = list(built_in_python.values())
    for name in ("published_on", "awards", "authors", "review_note", "arxiv_id", "upvotes"):
        assert any(v[name] for v in values) and not all(v[name] for v in values), name
    assert any(equal for v in values for _, _, equal in v["authors"])
    assert any(position is None for v in values for _, position, _ in v["authors"])
