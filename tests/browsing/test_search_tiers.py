"""Relevance at scale: three tiers — every word in the title, every
word in the title or the author names, the rest — equally relevant papers
newest first within each, the same on SQLite and PostgreSQL; every page of a
relevance-sorted search lists exactly the papers the per-row ranking
orders, across tier and ranking-window boundaries, in a constant number of
queries; the number of results stays exact."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import facets, search
from catalog.models import NEWEST_ORDER, Paper
from catalog.search import planner_stats
from catalog.selectors import paper_filter
from people.models import Person
from tests.factories import make_paper, make_papers, make_person, make_venue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

URL = "/papers/"


def titles(response):
    return [p.title for p in response.context["object_list"]]


def test_title_then_authors_then_abstract_newest_first_within_each(client):
    heron = make_person("Ada Heron")
    make_paper("Old heron survey", year=2001)
    make_paper("New heron survey", year=2020)
    make_paper("Wading birds", year=2023, authors=[heron])
    make_paper("Herons everywhere", year=2010, abstract="Grey herons and more herons.")
    make_paper("Cranes", year=2024, abstract="Unlike a heron, a crane...")
    make_paper("Storks", year=2022, abstract="Nothing to see.")
    response = client.get(URL, {"q": "heron"})
    # "Herons" is in a title too: the stem matches on PostgreSQL, the
    # substring on SQLite.
    assert titles(response) == [
        "New heron survey",
        "Herons everywhere",
        "Old heron survey",
        "Wading birds",
        "Cranes",
    ]
    assert response.context["total"] == 5


def test_every_word_in_the_title_beats_a_partial_title_match(client):
    smith = make_person("Jo Smith")
    make_paper("Sparrow songs", year=2024, abstract="Recorded at dawn.")
    make_paper("Sparrow", year=2025, authors=[smith], abstract="Songs of sparrows.")
    make_paper("Dawn sparrow songs", year=1999)
    result = titles(client.get(URL, {"q": "sparrow songs"}))
    assert result == ["Sparrow songs", "Dawn sparrow songs", "Sparrow"]


def build_tiers(n_title=30, n_head=30, n_rest=30):
    owl = make_person("Wol Owlsdottir")
    day = datetime.date(2000, 1, 1)
    make_papers(
        [
            *(
                {
                    "title": f"Owlsdottir notes {i}",
                    "year": 2000 + i % 20,
                    "published_on": day.replace(day=1 + i % 28),
                }
                for i in range(n_title)
            ),
            *(
                {"title": f"Night birds {i}", "year": 2000 + i % 25, "authors": [owl]}
                for i in range(n_head)
            ),
            *(
                {"title": f"Birds {i}", "year": 1990 + i % 30, "abstract": "Owlsdottir was here."}
                for i in range(n_rest)
            ),
            {"title": "Unrelated", "year": 2024},
        ]
    )


def expected_order():
    """The per-row ranking, sorted in Python: rank, then newest first."""
    papers = list(Paper.objects.search("owlsdottir").with_rank("owlsdottir"))
    papers.sort(key=lambda p: (p.id,), reverse=True)
    papers.sort(key=lambda p: (p.year is not None, p.year or 0), reverse=True)
    papers.sort(
        key=lambda p: (p.published_on is not None, p.published_on or datetime.date.min),
        reverse=True,
    )
    papers.sort(key=lambda p: -p.rank)
    return [p.title for p in papers]


@pytest.mark.parametrize(
    ("rank_window", "sorted_rows", "walk_head"),
    [(7, 0, True), (7, 0, False), (7, 2000, True), (1000, 2000, True)],
)
def test_every_page_lists_what_a_full_ranking_lists(
    client, monkeypatch, rank_window, sorted_rows, walk_head
):
    # On PostgreSQL (catalog/search/postgres.py), 7: the head tier's newest 7
    # are ranked, the rest follows newest first, and pages straddle the
    # boundaries; 1000: every match is ranked. sorted_rows 0: segments are
    # read in sort-index order (walk_head False: but the head tier, taken
    # as sparse, collected whole and sorted); 2000: read whole and sorted.
    # SQLite ranks every match.
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", rank_window)
    monkeypatch.setattr(search.postgres, "SORTED_ROWS", sorted_rows)
    monkeypatch.setattr(search.postgres, "head_walk_is_cheaper", lambda *args: walk_head)
    build_tiers()
    expected = expected_order()
    assert len(expected) == 90
    if rank_window > 90 or connection.vendor != "postgresql":
        ranks = [p.rank for p in Paper.objects.search("owlsdottir").with_rank("owlsdottir")]
        tiers = sorted(int(rank) for rank in ranks)
        assert tiers == [search.REST_TIER] * 30 + [search.HEAD_TIER] * 30 + [search.TITLE_TIER] * 30
    seen, counts = [], set()
    for page in (1, 2, 3, 4):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "owlsdottir", "page": page})
        # Not the statements prepared once per connection (core.prepared).
        queries = [q for q in captured if not q["sql"].startswith("PREPARE ")]
        counts.add(len(queries) if page > 1 else None)
        assert response.context["total"] == 90
        seen += titles(response)
    assert seen == expected
    counts.discard(None)
    assert len(counts) == 1 and counts.pop() <= 8, counts
    assert client.get(URL, {"q": "owlsdottir", "page": 5}).status_code == 404


def test_tiers_combine_with_filters(client):
    build_tiers(10, 10, 10)
    response = client.get(URL, {"q": "owlsdottir", "year_from": 2010})
    expected = [t for t in expected_order() if Paper.objects.get(title=t).year >= 2010]
    assert titles(response) == expected[:25]
    assert response.context["total"] == len(expected)


def test_a_year_filter_counts_only_that_years_tiers(client):
    build_tiers(10, 10, 10)
    response = client.get(URL, {"q": "owlsdottir", "year": 2005})
    expected = [t for t in expected_order() if Paper.objects.get(title=t).year == 2005]
    assert titles(response) == expected
    assert response.context["total"] == len(expected)


@pytest.mark.parametrize("sorted_rows", [0, 2000])
@pytest.mark.parametrize(
    "params", [{}, {"year_from": 2005}, {"year": 2003}, {"author": "wol-owlsdottir"}]
)
def test_page_sql_reads_what_the_segments_querysets_read(monkeypatch, params, sorted_rows):
    # PostgreSQL: the pages written as SQL around the filters (PageSQL)
    # list the same papers with the same ranks as the segments built from
    # querysets, on both sides of the ranking window and the head tier.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    monkeypatch.setattr(search.postgres, "SORTED_ROWS", sorted_rows)
    build_tiers()
    if "author" in params:
        params = {"author": Person.objects.get(name="Wol Owlsdottir").slug}
    filterset = paper_filter({"q": "owlsdottir", **params})
    unsearched, searched = filterset.queryset_without("q"), filterset.queryset_without()
    total, words = searched.count(), ["owlsdottir"]
    assert total > 0  # more than the window (7) but for the one year
    for sparse in (True, False):
        monkeypatch.setattr(search.postgres, "head_walk_is_cheaper", lambda *a, s=sparse: not s)
        by_sql = search.postgres.PageSQL.of(unsearched, words, NEWEST_ORDER, total)
        by_querysets = search.postgres.Segments(searched, unsearched, words, NEWEST_ORDER, total)
        for bottom, top in [(0, 5), (5, 12), (3, 7), (7, 30), (30, max(31, total + 5))]:
            read = [
                [
                    (paper.pk, paper.rank)
                    for paper in Paper.objects.filter(pk__in=segments.page_ids(bottom, top))
                    .annotate(rank=segments.rank(bottom, top))
                    .order_by("-rank", *NEWEST_ORDER)
                ]
                for segments in (by_sql, by_querysets)
            ]
            assert read[0] == read[1] and (read[0] or bottom >= total), (bottom, top)


def ranked_pages(segments, windows) -> list[list[tuple]]:
    """Each (bottom, top) window's (id, rank) rows, read by `segments`'
    page ids and ranked by their rank(), newest first within a rank."""
    return [
        [
            (paper.pk, paper.rank)
            for paper in Paper.objects.filter(pk__in=segments.page_ids(bottom, top))
            .annotate(rank=segments.rank(bottom, top))
            .order_by("-rank", *NEWEST_ORDER)
        ]
        for bottom, top in windows
    ]


@pytest.mark.parametrize("sorted_rows", [0, 2000])
def test_a_plain_search_reads_its_rest_tier_from_the_search_rows(monkeypatch, sorted_rows):
    # PostgreSQL: without other filters, the rest tier (a word only in the
    # abstract) is read from the narrow search rows, collected whole (few
    # matches, or cheaper than walking the papers' newest-first index);
    # the same pages as read from the papers.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    monkeypatch.setattr(search.postgres, "SORTED_ROWS", sorted_rows)
    build_tiers()
    filterset = paper_filter({"q": "owlsdottir"})
    unsearched, words = filterset.queryset_without("q"), ["owlsdottir"]
    total = filterset.queryset_without().count()

    def read(segments):
        return ranked_pages(segments, [(0, 25), (25, 50), (50, 75), (60, 61), (75, 100)])

    narrow = search.postgres.PageSQL.of(unsearched, words, NEWEST_ORDER, total)
    assert "catalog_searchrow" in narrow.page_ids(60, 90).sql
    from_search_rows = read(narrow)
    # Past NARROW_REST_UP_TO results, from the papers.
    monkeypatch.setattr(search.postgres, "NARROW_REST_UP_TO", 89)
    assert "catalog_searchrow" not in narrow.page_ids(60, 90).sql
    monkeypatch.setattr(search.postgres.PageSQL, "_narrow_rest", lambda self, top: None)
    wide = search.postgres.PageSQL.of(unsearched, words, NEWEST_ORDER, total)
    assert "catalog_searchrow" not in wide.page_ids(60, 90).sql
    assert from_search_rows == read(wide)
    assert [len(page) for page in from_search_rows] == [25, 25, 25, 1, 15]


def test_a_common_words_rest_tier_walks_the_search_rows_newest_first(monkeypatch):
    # PostgreSQL: when walking beats collecting (a common word), the rest
    # tier is read along the search rows' newest-first index (migration
    # 0028), in the index's own order (not unindexed()): the same pages.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [WALKED_INDEX])
        (definition,) = cursor.fetchone()
    assert "(published_on DESC NULLS LAST, year DESC NULLS LAST, paper_id DESC)" in definition
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    build_tiers()
    filterset = paper_filter({"q": "owlsdottir"})
    unsearched, words = filterset.queryset_without("q"), ["owlsdottir"]
    total = filterset.queryset_without().count()

    def pages(walk: bool):
        monkeypatch.setattr(
            search.postgres.PageSQL, "_rest_walk_is_cheaper", lambda self, top: walk
        )
        segments = search.postgres.PageSQL.of(unsearched, words, NEWEST_ORDER, total)
        sql = segments.page_ids(60, 90).sql
        rest = sql[sql.rindex("catalog_searchrow") :]
        read = [
            list(Paper.objects.filter(pk__in=segments.page_ids(bottom, top)).values_list("pk"))
            for bottom, top in [(0, 25), (50, 75), (60, 61), (75, 100)]
        ]
        return ("+ 0)" in rest, read)

    walked_unindexed, walked = pages(walk=True)
    collected_unindexed, collected = pages(walk=False)
    assert (walked_unindexed, collected_unindexed) == (False, True)
    assert walked == collected
    assert [len(page) for page in walked] == [25, 25, 1, 15]


def test_the_rest_tier_is_walked_for_a_common_word_and_collected_for_a_rare_one():
    # At 100,000 search rows: a word in 5% of them has its 26 newest within
    # ~500 rows of the index; one in 0.7% is cheaper to collect whole.
    segments = search.postgres.PageSQL.__new__(search.postgres.PageSQL)
    segments.catalog_rows = 100_000
    walked = []
    for total in (5_352, 3_710, 739):
        segments.total = total
        walked.append(segments._rest_walk_is_cheaper(26))
    assert walked == [True, True, False]


WALKED_INDEX = "catalog_searchrow_newest_idx"


def test_the_newest_date_floor_is_the_month_the_count_reaches():
    months = [(202512, 5), (202511, 0), (202510, 7), (202409, 4)]
    floor = search.postgres.newest_date_floor
    assert floor(months, 1) == floor(months, 5) == datetime.date(2025, 12, 1)
    assert floor(months, 6) == floor(months, 12) == datetime.date(2025, 10, 1)
    assert floor(months, 16) == datetime.date(2024, 9, 1)
    assert floor(months, 17) is None
    assert floor([], 1) is None


@pytest.mark.parametrize("since", [(1, 1, 7), (1, 20, 7), (1, 26, 3), (2, 1, 0)])
def test_a_head_window_read_since_a_floor_is_the_same_window(monkeypatch, since):
    # PostgreSQL: a common head tier's window is read from the papers
    # published since a floor date; too recent a floor (fewer than
    # RANK_WINDOW dated head matches since) reads it whole. Every page is
    # the same as without a floor.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    build_tiers()  # title matches dated January 2000, author matches undated
    month, day, floored = since
    floor = datetime.date(2000, month, day)
    # How many rows the floor keeps: all 7 of a window (it is read from
    # them), or fewer (it is read whole).
    head = Paper.objects.search("owlsdottir").filter(title__startswith="Owlsdottir")
    assert min(7, head.filter(published_on__gte=floor).count()) == floored
    filterset = paper_filter({"q": "owlsdottir"})
    unsearched, words = filterset.queryset_without("q"), ["owlsdottir"]
    total = filterset.queryset_without().count()

    def pages(floor):
        monkeypatch.setattr(search.postgres.PageSQL, "_window_floor", lambda self: floor)
        segments = search.postgres.PageSQL.of(unsearched, words, NEWEST_ORDER, total)
        assert ("floored" in segments.page_ids(0, 25).sql) == (floor is not None)
        return ranked_pages(segments, [(0, 5), (0, 25), (5, 30), (25, 50), (75, 100)])

    assert pages(floor) == pages(None)


def test_the_window_floor_holds_three_windows_of_a_common_head(monkeypatch):
    segments = search.postgres.PageSQL.__new__(search.postgres.PageSQL)
    segments.where, segments.newest, segments.head_order = "", "indexed", "collected"
    segments.newest_by = NEWEST_ORDER
    segments.connection = connection
    months = [(202500 + month, 1_000) for month in range(12, 0, -1)] * 8  # 96,000 dated
    monkeypatch.setattr(planner_stats, "dated_months", lambda connection: months)
    # A head in 10% of 100,000 papers: 3 windows of 100 in its newest 3,000.
    monkeypatch.setattr(segments, "_head_rows_alone", lambda: (10_000.0, 100_000.0, 100_000.0))
    assert segments._window_floor() == datetime.date(2025, 10, 1)
    # A rarer head (1%: 30,000 papers, over a quarter of them): read whole;
    # so is a walked head, a filtered search, and another order.
    monkeypatch.setattr(segments, "_head_rows_alone", lambda: (1_000.0, 100_000.0, 100_000.0))
    assert segments._window_floor() is None
    monkeypatch.setattr(segments, "_head_rows_alone", lambda: (10_000.0, 100_000.0, 100_000.0))
    for attribute, value in [
        ("head_order", "indexed"),
        ("where", "venue_id = 1"),
        ("newest_by", NEWEST_ORDER[::-1]),
    ]:
        saved = getattr(segments, attribute)
        setattr(segments, attribute, value)
        assert segments._window_floor() is None, attribute
        setattr(segments, attribute, saved)


def test_page_sql_leaves_filters_that_join_to_the_querysets():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    filterset = paper_filter({"q": "owl", "venue": ["a", "b"]})
    unsearched = filterset.queryset_without("q")
    assert search.postgres.PageSQL.of(unsearched, ["owl"], NEWEST_ORDER, 10) is None


def test_a_venue_of_many_results_is_read_by_id(client, monkeypatch):
    # PostgreSQL: the segments filter a venue by its id, not by a subquery
    # on its slug, so the planner knows its size; the same pages.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    monkeypatch.setattr(search.postgres, "SORTED_ROWS", 0)
    build_tiers()
    venue = make_venue("Owl Conference")
    Paper.objects.update(venue=venue)
    expected, seen = expected_order(), []
    for page in (1, 2, 3, 4):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "owlsdottir", "venue": venue.slug, "page": page})
        seen += titles(response)
        segments = [q["sql"] for q in captured.captured_queries if "head_count" in q["sql"]]
        assert len(segments) == 1
        inner = segments[0][segments[0].index("WITH head AS") :]
        assert "venues_venue" not in inner and f'"venue_id" IN ({venue.pk})' in inner
    assert seen == expected


def test_search_pages_rows_are_read_with_the_statement_kept_for_their_shape(monkeypatch):
    # PostgreSQL: a relevance page's rows (ranked as raw SQL around the
    # words when the page straddles the head window, else read by their ids
    # in the segments' order, without a rank) are compiled once per shape;
    # another search of the same shape runs the kept statement with its own
    # words and reads what the ORM reads (ids, ranks, authors); another
    # page range is another shape.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    from catalog import paper_rows
    from catalog.query_shapes import ShapeStatements

    monkeypatch.setattr(search.postgres, "RANK_WINDOW", 7)
    monkeypatch.setattr(paper_rows, "_ROW_SQL", ShapeStatements())
    monkeypatch.setattr(paper_rows, "_CONVERTED", set())
    build_tiers(10, 10, 10)

    def page(q, bottom, top):
        filterset = paper_filter({"q": q})
        total = filterset.queryset_without().count()
        return search.relevance_page_rows(
            filterset.queryset_without(),
            filterset.queryset_without("q"),
            q,
            bottom,
            top,
            total=total,
            rows_from=Paper.objects.for_list(),
            order_by=NEWEST_ORDER,
        )

    def read(rows):
        return [(row.pk, row.extra.get("rank"), row.placed) for row in rows]

    def through_orm(rows):
        with monkeypatch.context() as orm:
            orm.setattr(paper_rows, "_row_shape", lambda *args: None)
            return read(rows)

    kept = paper_rows._ROW_SQL
    first = read(page("owlsdottir", 0, 5))
    assert first == through_orm(page("owlsdottir", 0, 5)) and len(first) == 5
    assert len(kept) == 1
    with CaptureQueriesContext(connection) as captured:
        same_shape = read(page("night birds", 0, 5))
    # Its ids by the segments' statement, with its words; its rows by those
    # ids, with the statement kept prepared for every list's rows by id.
    statements = [q["sql"] for q in captured.captured_queries]
    assert any("night birds" in sql for sql in statements)
    assert statements[-1].startswith("EXECUTE")
    assert same_shape == through_orm(page("night birds", 0, 5)) and len(kept) == 1
    night = set(Paper.objects.filter(title__startswith="Night birds").values_list("pk", flat=True))
    assert len(same_shape) == 5 and {pk for pk, *_ in same_shape} <= night
    assert read(page("owlsdottir", 5, 12)) == through_orm(page("owlsdottir", 5, 12))
    assert len(kept) == 2
    # Across the head window's end, the rows are ranked in their statement:
    # the kept one, run with the other search's words.
    with CaptureQueriesContext(connection) as captured:
        ranked = read(page("night birds", 5, 12))
    assert "night birds" in captured.captured_queries[-1]["sql"]
    assert ranked == through_orm(page("night birds", 5, 12)) and len(kept) == 2
    assert all(rank is not None for _, rank, _ in ranked)


def test_a_search_whose_matches_fit_a_page_reads_them_by_id(client):
    # Its facets read every match's id (FacetCounts.ids): on PostgreSQL the
    # page reads its rows by those ids, without the segments' statement,
    # in the same order as a full ranking; more matches than a page keep
    # the segments.
    build_tiers(5, 5, 5)
    expected = expected_order()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "owlsdottir"})
    assert titles(response) == expected and response.context["total"] == 15
    statements = [q["sql"] for q in captured.captured_queries]
    assert not any("head_count AS" in sql for sql in statements)
    counts = facets.list_counts(None, paper_filter({"q": "owlsdottir"}), None)
    assert sorted(counts.ids) == sorted(
        Paper.objects.search("owlsdottir").values_list("pk", flat=True)
    )
    build_tiers(10, 10, 10)
    assert facets.list_counts(None, paper_filter({"q": "owlsdottir"}), None).ids is None
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "owlsdottir"})
    assert len(titles(response)) == 25
    with_segments = any("head_count AS" in q["sql"] for q in captured.captured_queries)
    assert with_segments == (connection.vendor == "postgresql")


def test_rows_read_by_id_are_the_segments_rows():
    build_tiers(4, 4, 4)
    filterset = paper_filter({"q": "owlsdottir"})
    ids = tuple(filterset.queryset_without().values_list("pk", flat=True))

    def page(**kwargs):
        rows = search.relevance_page_rows(
            filterset.queryset_without(),
            filterset.queryset_without("q"),
            "owlsdottir",
            0,
            12,
            total=12,
            rows_from=Paper.objects.for_list(),
            order_by=NEWEST_ORDER,
            **kwargs,
        )
        return [(row.pk, row.placed) for row in rows]

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's relevance segments")
    # By id, ranked whole by the database; from the segments, in the order
    # of the ids they list: the same rows in the same order.
    assert page(ids=ids) == page() and len(page()) == 12
    assert page(ids=()) == []
