"""A search alone is estimated from the planner's statistics without asking
the planner (catalog/search/planner_stats.py): the same lexemes as
plainto_tsquery(), the same numbers as its EXPLAIN, the same pages, and no
EXPLAIN statement."""

import datetime
import json
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Paper
from catalog.search import planner_stats
from catalog.search.estimate import rounded
from catalog.search.planner_stats import VectorStats, search_lexemes
from tests.factories import make_papers

pytestmark = pytest.mark.django_db

VOCABULARY = [
    "learning",
    "models",
    "supervised",
    "variational",
    "generalization",
    "running",
    "runs",
    "ran",
    "the",
    "a",
    "of",
    "few",
    "shot",
    "data",
    "gpt4",
    "x86_64",
    "foo_bar",
    "3d",
    "2024",
    "co2",
    "doesn",
    "don",
    "hello_world_x",
    "i",
    "s",
    "t",
    "networks",
    "attention",
    "transformers",
    "agents",
    "reinforcement",
    "retrieval",
    "quantization",
]
SEARCHES = [
    "learning",
    "models learning",
    "supervised models",
    "gpt4",
    "zebra",
    "attention networks transformers",
    "the learning",
    "unheardof",
]


def test_vector_stats_multiply_the_shares_of_the_words():
    # PostgreSQL's arithmetic (tsmatchsel): listed shares multiply, an
    # unlisted lexeme counts min(0.005, rarest / 2), then the non-null share
    # and the rows, rounded half to even as rint() does.
    stats = VectorStats({"a": 0.5, "b": 0.2}, rarest=0.01, not_null=1.0, rows=1000)
    assert stats.matches(["a", "b"]) == 100
    assert stats.matches(["a", "zz"]) == 2  # 0.5 * 0.005 * 1000 = 2.5
    assert stats.matches(["b"]) == 200
    assert stats.matches(["zz", "zz", "zz"]) == 1  # never below one row
    assert stats.matches([]) is None
    rarer = VectorStats({"a": 0.5}, rarest=0.002, not_null=0.5, rows=1000)
    assert rarer.matches(["zz"]) == 1  # 0.001 * 0.5 * 1000 = 0.5 -> one row


def test_words_that_cannot_be_told_here_answer_none():
    assert search_lexemes(["café"]) is None
    assert search_lexemes(["learning", "μ"]) is None
    assert search_lexemes(["the", "of"]) == []


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    planner_stats.forget()
    yield
    # ANALYZE's statistics leave with the test's transaction: so must the
    # process's copy of them.
    planner_stats.forget()


def analyzed_copies() -> dict[tuple[str, str], str]:
    """A catalog, and ANALYZEd copies of the tables the estimates read, by
    (table, column): temporary tables, since ANALYZE writes a table's size
    into pg_class in place, which no rollback undoes, and the test
    database's own tables must look never analyzed (Makefile)."""
    rng = random.Random(16)
    specs = []
    for index in range(300):
        words = rng.sample(VOCABULARY, 6)
        if index % 40 == 0:
            words.append("zebra")
        specs.append(
            {
                "title": " ".join(words).capitalize(),
                "abstract": " ".join(rng.sample(VOCABULARY, 12)),
                "year": 2000 + index % 20,
                "published_on": datetime.date(2000 + index % 20, 1 + index % 12, 1),
            }
        )
    make_papers(specs)
    copies = {
        ("catalog_searchrow", "search_vector"): "searchrow_copy",
        ("catalog_paper", "head_vector"): "paper_copy",
    }
    with connection.cursor() as cursor:
        for (table, column), copy in copies.items():
            cursor.execute(f"CREATE TEMPORARY TABLE {copy} AS SELECT {column} FROM {table}")
            cursor.execute(f"ANALYZE {copy}")
    return copies


def planner_rows(table: str, column: str, text: str) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} "
            f"WHERE {column} @@ plainto_tsquery('english', %s) UNION ALL SELECT 1 FROM {table}",
            [text],
        )
        plan = cursor.fetchone()[0]
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    matches, rows = (node["Plan Rows"] for node in plan["Plans"])
    return matches, rows


def test_lexemes_are_plainto_tsquery_s(postgres_only):
    with connection.cursor() as cursor:
        for text in [*VOCABULARY, "models learning the data", "hello_world_x gpt4 runs"]:
            cursor.execute("SELECT plainto_tsquery('english', %s)::text", [text])
            expected = cursor.fetchone()[0]
            lexemes = search_lexemes(text.split())
            assert " & ".join(f"'{lexeme}'" for lexeme in lexemes) == expected, text


def test_estimates_are_the_planner_s(postgres_only):
    for (_, column), copy in analyzed_copies().items():
        stats = planner_stats.vector_stats(connection, copy, column)
        assert stats is not None
        for text in SEARCHES:
            lexemes = search_lexemes(text.split())
            if not lexemes:
                continue
            matches, rows = planner_rows(copy, column, text)
            assert (stats.matches(lexemes), stats.rows) == (matches, rows), text


def test_a_table_never_analyzed_has_no_statistics(postgres_only):
    make_papers([{"title": "Learning models"}])
    assert planner_stats.vector_stats(connection, "catalog_searchrow", "search_vector") is None


def explains(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("EXPLAIN")]


@pytest.fixture
def stats_of_copies(postgres_only, monkeypatch):
    """The catalog's statistics read from its ANALYZEd copies."""
    copies = analyzed_copies()
    read = planner_stats.vector_stats
    monkeypatch.setattr(
        planner_stats,
        "vector_stats",
        lambda db, table, column: read(db, copies[table, column], column),
    )


def test_a_search_alone_asks_the_planner_nothing_and_shows_the_same_page(
    client, stats_of_copies, monkeypatch
):
    pages = {}
    for search in ("learning", "models learning", "zebra"):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/papers/", {"q": search})
        assert response.status_code == 200
        assert explains(captured) == [], search
        pages[search] = response.content
    # Without statistics, the planner is asked, and the pages are the same.
    monkeypatch.setattr(planner_stats, "vector_stats", lambda *args: None)
    for search, content in pages.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/papers/", {"q": search})
        assert explains(captured), search
        assert response.content == content, search


def test_a_search_with_another_filter_still_asks_the_planner(client, stats_of_copies):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/", {"q": "learning", "year": "2005"})
    assert response.status_code == 200
    assert explains(captured)


def test_one_listed_lexeme_has_its_share_of_the_rows(stats_of_copies):
    copy = "searchrow_copy"
    matches, _ = planner_rows(copy, "search_vector", "learning")
    listed = planner_stats.listed_matches(
        connection, "catalog_searchrow", "search_vector", ["learning"]
    )
    assert matches > 10 and abs(listed - matches) <= 0.5  # the planner's, before rounding
    # The same lexeme twice ("learn"), and stop words, are still one lexeme.
    for words in (["learning", "learn"], ["the", "learning"]):
        assert planner_stats.listed_matches(
            connection, "catalog_searchrow", "search_vector", words
        ) == pytest.approx(listed)
    # Several lexemes, one never seen, none, or no statistics: not told.
    for words in (["models", "learning"], ["unheardof"], ["the"], ["café"]):
        assert (
            planner_stats.listed_matches(connection, "catalog_searchrow", "search_vector", words)
            is None
        ), words


def newest_reads(captured) -> int:
    return sum(") AS newest" in q["sql"] for q in captured.captured_queries)


def test_a_common_listed_word_shows_its_share_without_reading_its_matches(
    client, stats_of_copies, monkeypatch, settings
):
    # Every search counts as common (QUICK_MATCHES 0), too common to count
    # (COUNTED_UP_TO 0); the facets are deferred past 20 results.
    from catalog import facets

    monkeypatch.setattr(facets, "QUICK_MATCHES", 0)
    monkeypatch.setattr(facets, "COUNTED_UP_TO", 0)
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = 20
    true = Paper.objects.search("learning").count()
    listed = planner_stats.listed_matches(
        connection, "catalog_searchrow", "search_vector", ["learning"]
    )
    assert true > 40
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/", {"q": "learning"})
    assert newest_reads(captured) == 0
    assert not any(") AS matches" in q["sql"] for q in captured.captured_queries)
    assert response.context["facets_urls"] is not None  # deferred
    assert (response.context["total"], response.context["total_estimated"]) == (
        rounded(listed),
        True,
    )
    assert abs(response.context["total"] - true) <= 0.25 * true, (listed, true)
    assert f"of about {rounded(listed)} papers" in response.content.decode()
    # Two words: their shares multiplied say nothing of how often they go
    # together; the newest matches are read.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/", {"q": "models learning"})
    assert newest_reads(captured) == 1
