"""Statements prepared once per connection (core.prepared)."""

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import NEWEST_ORDER
from core import prepared

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_prepared(django_db_blocker):
    """Each test starts on a connection with no statement prepared."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
    prepared._PREPARED.clear()


SQL = "SELECT x * %s, 'a%%' FROM (SELECT unnest(%s::bigint[]) AS x) AS t ORDER BY x"


def test_placeholders_are_numbered_and_percents_unescaped():
    assert prepared.numbered(SQL) == (
        "SELECT x * $1, 'a%' FROM (SELECT unnest($2::bigint[]) AS x) AS t ORDER BY x",
        2,
    )
    assert prepared.numbered("SELECT 1") == ("SELECT 1", 0)


def test_the_same_text_has_the_same_name():
    assert prepared.statement_name(SQL) == prepared.statement_name(str(SQL))
    assert prepared.statement_name(SQL) != prepared.statement_name(SQL + " ")


def _run(params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, SQL, params)
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_rows_are_those_of_the_plain_statement():
    with connection.cursor() as cursor:
        cursor.execute(SQL, [2, "{3,1,2}"])
        plain = cursor.fetchall()
    assert _run([2, "{3,1,2}"]) == plain == [(2, "a%"), (4, "a%"), (6, "a%")]
    assert _run([10, "{5}"]) == [(50, "a%")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_prepared_once_per_connection_then_executed():
    name = prepared.statement_name(SQL)
    with CaptureQueriesContext(connection) as first:
        _run([1, "{1}"])
    with CaptureQueriesContext(connection) as second:
        assert _run([3, "{2}"]) == [(6, "a%")]
    assert [q["sql"].split()[0] for q in first.captured_queries] == ["PREPARE", "EXECUTE"]
    assert [q["sql"] for q in second.captured_queries] == [f"EXECUTE {name}(3, '{{2}}')"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        assert cursor.fetchone() == (1,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    _run([1, "{1}"])
    connection.close()
    with CaptureQueriesContext(connection) as again:
        assert _run([2, "{4}"]) == [(8, "a%")]
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["PREPARE", "EXECUTE"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_behind_transaction_pooling_nothing_is_prepared(monkeypatch):
    # A pooler may run the next transaction on another server connection,
    # where the statement was never prepared.
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with CaptureQueriesContext(connection) as captured:
        assert _run([2, "{3}"]) == [(6, "a%")]
        assert _run([3, "{1}"]) == [(3, "a%")]
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SELECT", "SELECT"]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite runs it as it is")
def test_elsewhere_the_statement_runs_as_it_is():
    sql = "SELECT %s * 2, 'a%%'"
    with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
        prepared.execute(cursor, sql, [4])
        assert cursor.fetchall() == [(8, "a%")]
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 4 * 2, 'a%'"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_a_searchs_sample_facets_run_prepared_from_the_second_search_on():
    from catalog import counts
    from tests.factories import make_paper, make_venue

    venue = make_venue()
    papers = [make_paper(venue=venue) for _ in range(3)]
    pairs = [(paper.pk, paper.venue_id) for paper in papers]
    samples = [dict.fromkeys(counts.FACETS, pairs[:n]) for n in (3, 2)]
    with CaptureQueriesContext(connection) as captured:
        first, second = (counts.sample_facets(sample, 10) for sample in samples)
    assert [q["sql"].split()[0] for q in captured.captured_queries] == [
        "PREPARE",
        "EXECUTE",
        "EXECUTE",
    ]
    assert first["venues"] == [(venue.slug, venue.name, 3)]
    assert second["venues"] == [(venue.slug, venue.name, 2)]


def test_only_reads_by_a_list_of_primary_keys_count_as_by_listed_ids():
    from catalog.models import Paper
    from catalog.paper_rows import _by_listed_ids

    assert _by_listed_ids(Paper.objects.filter(pk__in=[1, 2]).query)
    assert _by_listed_ids(Paper.objects.filter(id__in=(3,)).query)
    ids = Paper.objects.filter(year=2020).values("pk")
    assert not _by_listed_ids(Paper.objects.filter(pk__in=ids).query)
    assert not _by_listed_ids(Paper.objects.filter(pk__in=[1], year=2020).query)
    assert not _by_listed_ids(Paper.objects.exclude(pk__in=[1]).query)
    assert not _by_listed_ids(Paper.objects.filter(year__in=[2020]).query)
    assert not _by_listed_ids(Paper.objects.all().query)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_a_search_of_few_matches_reads_its_rows_by_id_prepared(client, settings):
    from tests.factories import make_paper

    settings.PAPERSHELF_CACHE_PAGES = False
    make_paper("Rare quokka habits")
    make_paper("Rare wombat habits")
    with CaptureQueriesContext(connection) as captured:
        first = client.get("/papers/", {"q": "quokka"})
        second = client.get("/papers/", {"q": "wombat"})
    assert "quokka" in first.text and "wombat" in second.text
    rows = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("PREPARE") and '"catalog_paper"."id" IN ($' in q["sql"]
    ]
    assert len(rows) == 1  # prepared for the first page, executed for both
    name = rows[0].split()[1]
    executed = [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith(f"EXECUTE {name}(")
    ]
    assert len(executed) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_a_relevance_page_reads_its_ids_then_its_rows_by_id_prepared(client, settings):
    # More matches than a page: the page's ids come from the segments'
    # statement alone, then its rows by those ids, prepared once for both
    # searches; the same papers in the same order as a full ranking.
    import datetime

    from catalog.models import Paper
    from tests.factories import make_papers

    settings.PAPERSHELF_CACHE_PAGES = False
    day = datetime.date(2001, 1, 1)
    make_papers(
        [
            {
                "title": f"{animal} habits {i}",
                "year": 2000 + i % 7,
                "published_on": day.replace(year=2000 + i % 7, day=1 + i % 5),
                "abstract": f"Seen near a {other}." if i % 3 == 0 else "",
            }
            for animal, other in (("Quokka", "wombat"), ("Wombat", "quokka"))
            for i in range(30)
        ]
    )

    def full_ranking(q):
        papers = Paper.objects.search(q).with_rank(q).order_by("-rank", *NEWEST_ORDER)
        return [paper.title for paper in papers[:25]]

    with CaptureQueriesContext(connection) as captured:
        pages = [client.get("/papers/", {"q": q}) for q in ("quokka", "wombat")]
    for page, q in zip(pages, ("quokka", "wombat"), strict=True):
        assert [row.title for row in page.context["object_list"]] == full_ranking(q)
    statements = [q["sql"] for q in captured.captured_queries]
    ids = [sql for sql in statements if sql.startswith("WITH") and "head_count AS" in sql]
    assert len(ids) == 2 and not any("head_count" in sql for sql in statements if sql not in ids)
    rows = [s for s in statements if s.startswith("PREPARE") and '"catalog_paper"."id" IN ($' in s]
    assert len(rows) == 1
    name = rows[0].split()[1]
    assert len([sql for sql in statements if sql.startswith(f"EXECUTE {name}(")]) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
@pytest.mark.parametrize("bottom, top, total", [(0, 25, 30), (0, 25, 500), (100, 125, 500)])
def test_a_prepared_rank_computes_its_tsqueries_once_not_for_every_row(bottom, top, total):
    # The rows of a relevance page are read prepared (a generic plan after
    # five executions): their rank's tsqueries are scalar subqueries
    # (InitPlans, computed once), where plainto_tsquery() and to_tsquery()
    # over parameters ran again for every row.
    import json

    from catalog.models import Paper
    from catalog.search.postgres import PageSQL

    page = PageSQL(Paper, "", [], ["quokka", "habits"], NEWEST_ORDER, total)
    rank = page.rank(bottom, top)
    text, count = prepared.numbered(f"SELECT {rank.sql} FROM catalog_paper")
    assert count == len(rank.params)
    with connection.cursor() as cursor:
        cursor.execute(f"PREPARE ranked AS {text}")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            marks = ", ".join(["%s"] * count)
            cursor.execute(f"EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE ranked({marks})", rank.params)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE ranked")
    plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    per_row = " ".join(plan["Output"])
    assert "tsquery(" not in per_row and "head_vector" in per_row
    once = [node for node in plan.get("Plans", []) if node.get("Parent Relationship") == "InitPlan"]
    assert once and all("tsquery(" in " ".join(node["Output"]) for node in once)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_a_statement_deallocated_behind_its_back_is_prepared_again():
    _run([1, "{1}"])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # the registry still lists it
    with pytest.raises(ProgrammingError), transaction.atomic():
        _run([2, "{1}"])
    with CaptureQueriesContext(connection) as again:
        assert _run([2, "{4}"]) == [(8, "a%")]
    assert [q["sql"].split()[0] for q in again.captured_queries] == ["PREPARE", "EXECUTE"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the driver's: PostgreSQL")
def test_the_drivers_connection_takes_no_parameters():
    connection.ensure_connection()
    with pytest.raises(ValueError, match="no parameters"):
        prepared.fetchone_on_driver(connection, SQL)
