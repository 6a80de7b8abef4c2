"""Facet counts read from the cells the database keeps equal the grouped
queries over the matching papers (the slow, obvious way), for every filter
the cells answer; and the facet links built by ListLinks equal changing a
copy of the request's parameters."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict

from catalog import counts, facets
from catalog.links import ListLinks, list_url
from catalog.selectors import paper_filter
from core import prepared
from tests.factories import make_award, make_papers, make_person, make_venue
from tests.snapshots import TableSnapshot

pytestmark = pytest.mark.django_db

CELL_ANSWERED = [
    "award=oral",
    "award=oral&year=2022",
    "award=oral&year_from=2022",
    "award=best-paper&year_to=2022&venue=icml",
    "award=oral&venue=icml&venue=neurips&year_from=2021&year_to=2023",
    "award=no-such-award&year_from=2022",
    "author=stella-biderman&venue=neurips&year_from=2022",
    "author=stella-biderman",
    "author=stella-biderman&year=2022",
    "author=stella-biderman&venue=icml&venue=neurips&year_to=2022",
    "author=leo-gao",
    "author=leo-gao&year_from=2022&venue=neurips",
    "author=leo-gao&year=2023",
    "author=no-such-person",
    "venue=icml&year_to=2022",
    "",
    "venue=icml",
    "venue=no-such-venue",
    "venue=icml&venue=neurips",
    "year=2022",
    "year_from=2022",
    "venue=neurips&year_from=2021&year_to=2022",
]


def build_cells_catalog():
    icml, neurips = make_venue("ICML"), make_venue("NeurIPS")
    oral, best = make_award("Oral"), make_award("Best Paper")
    stella, leo = make_person("Stella Biderman"), make_person("Leo Gao")
    make_papers(
        {
            "title": f"Paper {i}",
            "venue": [icml, neurips, None][i % 3],
            "year": [2021, 2022, 2023, None][i % 4],
            "authors": [stella if i % 2 else leo, f"Author {i}"],
            "awards": [[oral], [best], [oral, best], []][i % 4 if i % 3 else 3],
            "published_on": datetime.date(2022, 1 + i % 12, 1),
        }
        for i in range(40)
    )


@pytest.fixture(scope="session")
def cells_catalog_snapshot(django_db_setup, django_db_blocker):
    """build_cells_catalog() as run once in this session (tests/snapshots.py)."""
    with django_db_blocker.unblock():
        snapshot, _ = TableSnapshot.take("cell_facets", build_cells_catalog)
    return snapshot


@pytest.fixture
def catalog(db, cells_catalog_snapshot):
    """40 papers across two venues, four years, two awards and eight people."""
    cells_catalog_snapshot.restore()


@pytest.mark.parametrize("query", CELL_ANSWERED)
def test_counts_from_the_cells_equal_counting_the_papers(catalog, monkeypatch, query):
    params = QueryDict(query)
    assert counts.cells_answer(paper_filter(params).active())
    from_cells = facets.count_facets(paper_filter(params))
    monkeypatch.setattr(counts, "cells_answer", lambda active: False)
    counted = facets.count_facets(paper_filter(params))
    assert from_cells == counted
    assert from_cells.total == paper_filter(params).qs.count()


@pytest.mark.parametrize("query", ["", "venue=icml", "venue=neurips"])
def test_top_authors_of_the_catalog_or_one_venue_are_exact_however_big(catalog, monkeypatch, query):
    """From the kept totals (migration 0020 indexes the per-venue ones):
    never a sample, whatever the number of results; equal to counting the
    authorships of every result (the obvious way)."""
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "SAMPLE", 1)
    filterset = paper_filter(QueryDict(query))
    from_kept = facets.count_facets(filterset)
    assert from_kept.total > 1
    assert "authors" not in from_kept.samples
    every_result = filterset.queryset_without().values("pk")
    assert from_kept.authors == counts.top_authors(every_result, facets.TOP_AUTHORS)


# The fewest candidates that prove the top two of these results.
PROVEN_FROM = {"year_from=2022": 2, "year_to=2022": 2, "year_from=2021": 2, "year=2022": 100}


@pytest.mark.parametrize("query", list(PROVEN_FROM))
@pytest.mark.parametrize("candidates", [1, 2, 3, 100])
def test_top_authors_of_years_are_exact_when_proven_else_the_sample(
    catalog, monkeypatch, query, candidates
):
    """counts.proven_top_sql() counts the `candidates` most prolific people
    in the years; when that proves the top, it is what counting every
    result's authorships gives (the obvious way); when not, the sample's
    counts come instead, as before."""
    monkeypatch.setattr(counts, "CANDIDATES", candidates)
    monkeypatch.setattr(counts, "SUMMED_UP_TO", 0)  # the proofs, not the kept cells' sum
    filterset = paper_filter(QueryDict(query))
    active = filterset.active()
    assert counts.by_years_only(active)
    every_result = filterset.queryset_without().values("pk")
    sample = filterset.queryset_without().order_by("-id").values("pk")[:3]
    rows = counts.cell_facets(active, sample, 2)
    # Stella and Leo (20 papers each) lead the catalog; the others have one
    # paper each. Where both have several papers, counting both proves the
    # top two (nobody else can have more than one); Stella alone proves
    # nothing. In 2022 Leo has none: the second has at most one paper, as
    # may every person not counted, so only counting everyone proves it.
    assert rows["proven"] == (candidates >= PROVEN_FROM[query])
    if rows["proven"]:
        assert rows["authors"] == counts.top_authors(every_result, 2)
    else:
        assert rows["authors"] == counts.top_authors(sample, 2)


@pytest.mark.parametrize("query", list(PROVEN_FROM))
@pytest.mark.parametrize(("first", "then"), [(1, 2), (2, 3), (1, 100), (3, 2)])
def test_a_first_proof_from_fewer_candidates_then_the_full_one(
    catalog, monkeypatch, query, first, then
):
    """FIRST_CANDIDATES are tried first, CANDIDATES when they prove nothing:
    proven when either proves the top (exact), else the sample, as with
    CANDIDATES alone."""
    monkeypatch.setattr(counts, "FIRST_CANDIDATES", first)
    monkeypatch.setattr(counts, "CANDIDATES", then)
    monkeypatch.setattr(counts, "SUMMED_UP_TO", 0)
    filterset = paper_filter(QueryDict(query))
    every_result = filterset.queryset_without().values("pk")
    sample = filterset.queryset_without().order_by("-id").values("pk")[:3]
    rows = counts.cell_facets(filterset.active(), sample, 2)
    assert rows["proven"] == (then >= PROVEN_FROM[query])  # the larger proof decides
    expected = every_result if rows["proven"] else sample
    assert rows["authors"] == counts.top_authors(expected, 2)


@pytest.mark.parametrize(("candidates", "bound"), [(1, 0), (100, 0), (1, 1000), (1, None)])
def test_venues_and_awards_of_deferred_years_are_not_counted(
    catalog, monkeypatch, candidates, bound
):
    """Results of years alone over the inline bound whose top authors no
    proof gives are deferred by the list (catalog.facets): their venues and
    awards are left out of the query. Proven, or within the bound, or with
    no bound, they are counted as before."""
    monkeypatch.setattr(counts, "FIRST_CANDIDATES", candidates)
    monkeypatch.setattr(counts, "CANDIDATES", candidates)
    monkeypatch.setattr(counts, "SUMMED_UP_TO", 0)
    active = paper_filter(QueryDict("year=2022")).active()
    rows = counts.cell_facets(active, counts.NO_PAPERS, 2, sample_up_to=bound)
    everything = counts.cell_facets(active, counts.NO_PAPERS, 2)
    assert everything["venues"] and everything["awards"]
    deferred = bound is not None and not rows["proven"] and sum(rows["years"].values()) > bound
    assert deferred == (candidates == 1 and bound == 0)
    assert rows["years"] == everything["years"]
    if deferred:
        assert rows["venues"] == rows["awards"] == []
    else:
        assert (rows["venues"], rows["awards"]) == (everything["venues"], everything["awards"])


SUMMABLE = [
    "venue=icml&year_to=2022",
    "venue=neurips&year_from=2021&year_to=2022",
    "venue=icml&venue=neurips&year=2022",
    "venue=icml&venue=neurips",
    "venue=no-such-venue&year=2022",
    "year=2022",
    "year_from=2022",
    "year_from=2021&year_to=2022",
]


@pytest.mark.parametrize("query", SUMMABLE)
def test_top_authors_of_venues_and_years_are_summed_from_the_kept_cells(
    catalog, monkeypatch, query
):
    """Results of venues and years: the top authors summed from the kept
    per-person cells (migration 0023 indexes them by venue and year) equal
    counting every result's authorships (the obvious way), and are exact
    (no "about") even where a sample of one paper would be taken."""
    monkeypatch.setattr(facets, "EXACT_UP_TO", 1)
    monkeypatch.setattr(facets, "SAMPLE", 1)
    filterset = paper_filter(QueryDict(query))
    assert counts.summable(filterset.active())
    summed = facets.count_facets(filterset)
    assert "authors" not in summed.samples
    every_result = filterset.queryset_without().values("pk")
    assert summed.authors == counts.top_authors(every_result, facets.TOP_AUTHORS)


@pytest.mark.parametrize(
    ("bound", "value"), [("SUMMED_UP_TO", 1), ("SUMMED_CELLS", 1), ("SUMMED_TIES", 1)]
)
@pytest.mark.parametrize("query", ["venue=icml&year_to=2022", "year=2022"])
def test_past_its_bounds_the_sum_gives_way_to_the_sample(catalog, monkeypatch, bound, value, query):
    """More results, cells read or people tied at the top than the bounds
    allow: the sample is counted instead, as before (year=2022: the proofs
    fail with one candidate, so the sample decides there too)."""
    monkeypatch.setattr(counts, "CANDIDATES", 1)
    monkeypatch.setattr(counts, "FIRST_CANDIDATES", 1)
    filterset = paper_filter(QueryDict(query))
    sample = filterset.queryset_without().order_by("-id").values("pk")[:3]
    summed = counts.cell_facets(filterset.active(), sample, 2)
    assert summed["proven"]
    assert summed["authors"] == counts.top_authors(filterset.queryset_without().values("pk"), 2)
    monkeypatch.setattr(counts, bound, value)
    sampled = counts.cell_facets(filterset.active(), sample, 2)
    assert not sampled["proven"]
    assert sampled["authors"] == counts.top_authors(sample, 2)
    assert sampled["years"] == summed["years"] and sampled["venues"] == summed["venues"]


@pytest.mark.parametrize("query", ["venue=icml&year_to=2022", "year=2022"])
@pytest.mark.parametrize("ties", [1, counts.SUMMED_TIES])
def test_a_list_counts_the_top_authors_of_venues_and_years_without_a_sample(
    catalog, monkeypatch, query, ties
):
    """A list (with its inline limit) builds no sample for results the kept
    cells sum: their top authors come from the sum, or, when it gives way
    (too many ties), from counting every result (one more query); exact
    either way, as counting every result's authorships."""
    monkeypatch.setattr(counts, "SUMMED_TIES", ties)
    filterset = paper_filter(QueryDict(query))
    every_result = filterset.queryset_without().values("pk")
    listed = facets.count_facets(filterset, inline_up_to=1000)
    assert listed.authors == counts.top_authors(every_result, facets.TOP_AUTHORS)
    assert "authors" not in listed.samples
    assert listed == facets.count_facets(paper_filter(QueryDict(query)))


@pytest.mark.parametrize(("query", "limit"), [("venue=icml&year_to=2022", 3), ("year=2022", 2)])
def test_the_people_tied_at_the_last_place_shown_are_cut_in_the_query(
    catalog, monkeypatch, query, limit
):
    """Summed (venues and years) or proven (years) top authors come back from
    the database as many as are shown, those tied at the last place cut
    there by name, then slug, not every one of them (here the people of
    one paper each): the same authors as counting every result's
    authorships."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(counts, "SUMMED_UP_TO", 5000 if "venue" in query else 0)
    filterset = paper_filter(QueryDict(query))
    every_result = filterset.queryset_without().values("pk")
    with CaptureQueriesContext(connection) as captured:
        rows = counts.cell_facets(filterset.active(), counts.NO_PAPERS, limit)
    assert rows["proven"]
    everyone = counts.top_authors(every_result, 100)
    assert len(everyone) > limit + 1 and everyone[limit - 1][2] == everyone[limit][2] == 1
    assert rows["authors"] == everyone[:limit] == counts.top_authors(every_result, limit)
    with connection.cursor() as cursor:
        cursor.execute(captured.captured_queries[-1]["sql"])
        sent = [row[1:4] for row in cursor.fetchall() if row[0] == "authors"]
    assert [row for row in sent if row != ("proven", None, 0)] == everyone[:limit]


@pytest.mark.parametrize("query", ["", "venue=icml", "author=leo-gao&year=2022", "award=oral"])
def test_other_results_are_not_summed(query):
    assert not counts.summable(paper_filter(QueryDict(query)).active())


def test_a_list_of_a_venue_and_years_counts_its_facets_in_one_query(client, catalog):
    """The version, the facets with their top authors summed from the kept
    cells, the rows (with their authors and awards on PostgreSQL, in one
    more query elsewhere); no grouping of authorships."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/?venue=icml&year_to=2022")
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum(counts.PERSON_CELLS in statement for statement in sql) == 1
    assert not any(
        "catalog_authorship" in statement
        and "GROUP BY" in statement
        and counts.PERSON_CELLS not in statement
        for statement in sql
    )
    assert len(sql) == (3 if connection.vendor == "postgresql" else 4)
    assert "Stella Biderman" in response.content.decode()


@pytest.mark.parametrize("query", ["venue=icml&year_to=2022", "year=2022"])
def test_a_list_of_venues_and_years_counts_its_facets_without_reading_authorships(
    client, catalog, settings, query
):
    """With the production inline limit, its top authors come from the kept
    cells (summed, or proven for years): the one facets query leaves out
    the sample, which would count no papers, so it does not name the
    authorship table at all."""
    from django.test.utils import CaptureQueriesContext

    settings.PAPERSHELF_FACETS_INLINE_UP_TO = facets.EXACT_UP_TO
    # Its text, prepared on PostgreSQL, is seen where it is prepared.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    prepared._PREPARED.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/papers/?{query}")
    assert response.status_code == 200
    facet_queries = [q["sql"] for q in captured.captured_queries if "WITH years" in q["sql"]]
    assert len(facet_queries) == 1
    assert "catalog_authorship" not in facet_queries[0]


def test_an_award_with_an_author_is_counted_from_the_papers(catalog):
    active = paper_filter(QueryDict("award=oral&author=stella-biderman")).active()
    assert not counts.cells_answer(active)


def test_an_award_filtered_list_reads_its_facets_from_the_cells(client, catalog):
    """One query for every facet, however many papers the award has: the
    award cells summed by venue, by award and by year; no grouped query
    over the award's papers for venues or years."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/papers/?award=oral&year_from=2022")
    assert response.status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    [facets_sql] = [statement for statement in sql if counts.AWARD_CELLS in statement]
    assert facets_sql.count(f"FROM {counts.AWARD_CELLS} c") == 3
    assert not any('GROUP BY "catalog_paper"."year"' in statement for statement in sql)
    assert len(sql) <= 8  # the list's budget (test_query_budget.py)


def copied_url(params, **changes):
    """The obvious way: change a copy of the QueryDict and encode it all."""
    data = params.copy()
    data.pop("page", None)
    for key, values in changes.items():
        data.pop(key, None)
        if values is not None:
            data.setlist(key, values if isinstance(values, list) else [str(values)])
    encoded = data.urlencode()
    return f"?{encoded}" if encoded else "?"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "venue=icml&page=2&venue=neurips&sort=title",
        urlencode({"q": "naïve “quotes” & more", "author": "a", "x": "✓ 1"}),
        "year=&award=oral&year_from=2000&page=9&unknown=1&unknown=2",
    ],
)
def test_list_links_equal_changing_a_copy_of_the_parameters(query):
    params = QueryDict(query)
    links = ListLinks(params)
    changes = [
        {"venue": ["icml", "é é"]},
        {"venue": None},
        {"year": 2021},
        {"award": None},
        {"q": None, "sort": None},
        {"sort": "upvotes"},
        {"author": []},
        {"unknown": "3"},
        {"page": 2},
    ]
    for change in changes * 2:  # the second time from the kept encodings
        assert links.url(**change) == copied_url(params, **change)
        assert list_url(params, **change) == copied_url(params, **change)
    assert list_url(None, year=2020) == "?year=2020"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL index (SQLite keeps the plain key)"
)
def test_the_person_years_key_carries_the_counts_for_index_only_sums():
    """Summing a candidate's years (proven_top_sql()) reads the key alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'catalog_personyear_pkey'"
        )
        (definition,) = cursor.fetchone()
    assert definition.endswith("(person_id, year_key) INCLUDE (papers)")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE: PostgreSQL")
def test_the_facets_query_of_the_kept_cells_alone_is_prepared_once(catalog):
    """Lists of venues and years with their top authors summed from the kept
    cells: one prepared statement for the shape, run again for other values.
    With a sample of papers to count (an award's list), it runs as it is."""
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._PREPARED.clear()
    statements = []
    for query in ("venue=icml&year_from=2022", "venue=neurips&year_from=2023", "award=oral"):
        with CaptureQueriesContext(connection) as captured:
            facets.count_facets(paper_filter(QueryDict(query)), inline_up_to=facets.EXACT_UP_TO)
        statements.append([q["sql"].split()[0] for q in captured.captured_queries])
    assert statements[:2] == [["PREPARE", "EXECUTE"], ["EXECUTE"]]
    assert statements[2] == ["WITH"]
