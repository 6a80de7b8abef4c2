"""A search's counts are read up to a bound and estimated beyond it
(catalog/search/estimate.py): bounded queries, honest estimates, marked as
such everywhere, and pagination that never claims the exact end."""

import datetime
import random
import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import facets as facet_module
from catalog.facets import ResultTotal
from catalog.models import Paper, SearchRow
from catalog.search import estimate
from catalog.search.estimate import (
    SEARCH_ROW_WALK_COST,
    estimate_years,
    rounded,
    walk_is_cheaper,
    year_floor_offset,
)
from catalog.search.postgres import head_walk_is_cheaper
from catalog.views import total_context
from tests.factories import make_papers, make_venue

pytestmark = pytest.mark.django_db

URL = "/papers/"
BOUND = 150  # EXACT_UP_TO and SAMPLE in these tests
YEARS = range(2000, 2024)


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(facet_module, "EXACT_UP_TO", BOUND)
    monkeypatch.setattr(facet_module, "SAMPLE", BOUND)


def build(per_year: int, rate: float, *, seed: int = 16, venue=None):
    """`per_year` papers a year over YEARS, each with "model" in its title with
    probability `rate` (a fixed draw); one "zebra" paper a year. Returns the
    number of papers "model" matches."""
    rng = random.Random(seed)
    specs, matches = [], 0
    for year in YEARS:
        for index in range(per_year):
            word = "model" if rng.random() < rate else "method"
            matches += word == "model"
            specs.append(
                {
                    "title": f"A {word} of things {year} {index}"
                    + (" zebra" if index == 0 else ""),
                    "year": year,
                    "published_on": datetime.date(year, 1 + index % 12, 1 + index % 28),
                    "venue": venue if index % 2 else None,
                }
            )
    make_papers(specs)
    return matches


def test_the_estimate_is_within_ten_percent_of_the_true_count(client, small_bounds):
    true = build(per_year=100, rate=0.3)  # ~720 of 2,400 papers; the sample is 150
    assert true > 3 * BOUND
    response = client.get(URL, {"q": "model"})
    facets = response.context["facets"]
    estimate = response.context["total"]
    assert abs(estimate - true) <= 0.10 * true, (estimate, true)
    # The years the sample covers whole are exact; the older ones estimated.
    true_years = Counter(
        Paper.objects.filter(title__contains=" model ").values_list("year", flat=True)
    )
    covered = [e for e in facets["years"] if not e.estimated]
    assert covered, "the newest years are covered by the sample"
    assert {e.label: e.count for e in covered} == {
        e.label: true_years[int(e.label)] for e in covered
    }
    older = [e for e in facets["years"] if e.estimated]
    assert sum(true_years[int(e.label)] for e in older) == pytest.approx(
        sum(e.count for e in older), rel=0.15
    )


def test_over_the_bound_says_about_and_within_it_does_not(client, small_bounds):
    build(per_year=20, rate=0.5)  # ~240 "model" papers; 24 "zebra" papers
    html = client.get(URL, {"q": "model"}).content.decode()
    assert re.search(r'class="result-count" role="status">1\W25 of about \d+ papers<', html)
    assert '<meta name="description" content="about ' in html
    assert "Page 1 of about " in html
    assert '<abbr title="estimated">about</abbr>' in html
    response = client.get(URL, {"q": "zebra"})
    html = response.content.decode()
    assert response.context["total"] == 24
    assert re.search(r'class="result-count" role="status">1\W24 of 24 papers<', html)
    assert '<meta name="description" content="24 papers' in html
    assert "estimated" not in html


def test_the_number_of_queries_does_not_grow_with_the_matches(client, small_bounds):
    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    build(per_year=10, rate=0.9)  # ~216 matches: over the bound
    few = queries({"q": "model"})
    Paper.objects.all().delete()
    build(per_year=60, rate=0.9)  # ~1,300 matches
    many = queries({"q": "model"})
    assert few == many
    # Within the bound: the read finds every match, no estimate is needed.
    assert queries({"q": "zebra"}) <= many


def test_a_page_past_the_real_end_is_a_404_never_a_500(client, small_bounds):
    true = build(per_year=20, rate=0.5)
    response = client.get(URL, {"q": "model"})
    assert response.context["paginator"].estimated
    last = (true - 1) // 25 + 1
    response = client.get(URL, {"q": "model", "page": last})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == true - (last - 1) * 25
    assert 'rel="next"' not in response.content.decode()  # the real end, whatever the estimate
    assert 'rel="prev"' in response.content.decode()
    assert client.get(URL, {"q": "model", "page": last - 1}).context["page_obj"].has_next()
    for page in (last + 1, last + 5, 10**9, 0, -1, "x"):
        assert client.get(URL, {"q": "model", "page": page}).status_code == 404, page


def test_every_page_of_an_estimated_search_together_lists_every_match_once(client, small_bounds):
    true = build(per_year=10, rate=0.8)
    seen, page = [], 1
    while True:
        response = client.get(URL, {"q": "model", "page": page, "sort": "newest"})
        if response.status_code == 404:
            break
        seen += [paper.pk for paper in response.context["object_list"]]
        page += 1
    assert len(seen) == len(set(seen)) == true


def test_facets_of_a_search_in_a_venue_are_sampled_and_marked(client, small_bounds):
    venue = make_venue("ICML")
    build(per_year=40, rate=0.6, venue=venue)  # half of the papers in ICML
    response = client.get(URL, {"q": "model", "venue": venue.slug})
    facets = response.context["facets"]
    assert response.context["total_shown"].startswith("about ")
    assert facets["samples"]["venues"] == BOUND
    assert facets["samples"]["years"] == BOUND
    [icml] = facets["venues"]
    assert icml.label == "ICML" and icml.active and icml.estimated
    true = Paper.objects.filter(title__contains=" model ", venue=venue).count()
    assert icml.count == pytest.approx(true, rel=0.2)
    assert response.context["total"] == pytest.approx(true, rel=0.15)


def test_estimate_years_by_hand():
    # The sample: 10 matches of 2023 and 5 of 2022, down to a 2022 paper; the
    # catalog: 20 papers in 2023, 30 in 2022 (10 of them down to that paper),
    # 40 in 2021. Rate 15 / 30 = 0.5: 2022 is 5 + 0.5 * 20, 2021 is 20.
    years = estimate_years(Counter({2023: 10, 2022: 5}), 2022, {2023: 20, 2022: 30, 2021: 40}, 10)
    assert years.years == {2023: 10, 2022: 15, 2021: 20}
    assert years.estimated == {2022, 2021}
    assert years.total == 45
    assert rounded(98_437) == 98_000 and rounded(1_234) == 1_200 and rounded(57) == 57


def test_walk_or_collect_by_the_pages_each_reads():
    # 100,000 search rows, 110 to a page (909 pages); the newest 1,001 matches.
    catalog = 100_000
    # Nearly every paper: the walk stops after ~1,001 papers (5,005 pages);
    # collecting reads every page and scans 99,999 matches.
    assert walk_is_cheaper(99_999, catalog, catalog, 1001)
    # A word in 60% of them: the walk passes ~1,700 papers (8,300 pages);
    # collecting sorts only the newest years' ~3,000 (the floor).
    assert not walk_is_cheaper(60_000, catalog, catalog, 1001)
    # A word in a quarter of them: the walk passes ~4,000 papers (20,000
    # pages).
    assert not walk_is_cheaper(25_000, catalog, catalog, 1001)
    # A rare word: collecting reads a page per match.
    assert not walk_is_cheaper(500, catalog, catalog, 1001)
    # Every paper of a venue of 11,000: the walk reads 1,001 of them;
    # collecting, every page and 11,000 matches to sort.
    assert walk_is_cheaper(11_000, 11_000, catalog, 1001)


def test_the_search_rows_are_walked_at_their_own_cost():
    # Measured at 100,000 papers (catalog.search.estimate.SEARCH_ROW_WALK_COST).
    catalog, cost = 100_000, SEARCH_ROW_WALK_COST
    # The newest 250 of a word in a fifth of them: walked in ~5 ms, where
    # collecting its 20,000 matches took ~11; in 11% and 9%, collected.
    assert walk_is_cheaper(20_000, catalog, catalog, 250, walk_cost=cost)
    assert not walk_is_cheaper(11_400, catalog, catalog, 250, walk_cost=cost)
    assert not walk_is_cheaper(9_500, catalog, catalog, 250, walk_cost=cost)
    # The newest 1,001 of a word in 61%: walked in 7.6 ms, collected in 43;
    # in 25%: walked in 19, collected in 15.
    assert walk_is_cheaper(61_000, catalog, catalog, 1001, walk_cost=cost)
    assert not walk_is_cheaper(25_000, catalog, catalog, 1001, walk_cost=cost)
    # The papers' own walk keeps its cost: the same word is collected there.
    assert not walk_is_cheaper(20_000, catalog, catalog, 250)


def test_walks_price_a_walk_by_the_table_walked(db):
    planned = ([(20_000, 100_000)], 100_000)
    rows = (SearchRow.objects.search("model"), SearchRow.objects.all())
    papers = (Paper.objects.search("model"), Paper.objects.all())
    assert estimate.walks([rows], [250], planned) == [(True, None)]
    assert estimate.walks([papers], [250], planned) == [(False, 3750)]


def test_the_head_tier_is_walked_when_dense_and_collected_when_sparse():
    # 100,000 papers, 15 to a page; the head tier's newest 100.
    catalog = 100_000
    # A word in 2% of titles: the walk passes ~5,500 papers; collecting
    # reads ~1,600 pages and sorts 1,800 matches.
    assert not head_walk_is_cheaper(1_800, catalog, catalog, 100)
    # A word in a fifth of them: the walk passes ~500.
    assert head_walk_is_cheaper(20_000, catalog, catalog, 100)


def test_a_three_word_search_of_a_million_papers_collects_its_head_tier():
    # "language model training" at 1,000,000 papers: the planner expected
    # 9,612 head matches (7,880 in fact). The walk passed 14,000 papers
    # (183 ms); collecting read and sorted the matches in 57 ms.
    assert not head_walk_is_cheaper(9_612, 1_000_000, 1_000_000, 100)
    # A word in a fifth of the titles is still walked at that size.
    assert head_walk_is_cheaper(200_000, 1_000_000, 1_000_000, 100)


@pytest.mark.parametrize("floor", [1, 40, 300])
def test_a_year_floor_reads_the_same_newest_matches(monkeypatch, floor):
    # Collecting from the years of the floor-th newest paper on: 1 and 40
    # leave fewer than the 60 newest matches (read again without the
    # floor), 300 enough. Either way, the same rows as without a floor.
    build(per_year=20, rate=0.3)
    searched = Paper.objects.search("model")
    pools = {"results": (searched, Paper.objects.all())}
    monkeypatch.setattr(estimate, "walks", lambda pools, limits, planned: [(False, None)])
    expected = estimate.read_newest(pools, 60)["results"].rows
    monkeypatch.setattr(estimate, "walks", lambda pools, limits, planned: [(False, floor)])
    with CaptureQueriesContext(connection) as captured:
        assert estimate.read_newest(pools, 60)["results"].rows == expected
    assert len(captured) == (2 if floor < 300 else 1)
    assert len(expected) == 60


def test_the_year_floor_expects_three_times_the_matches_needed():
    # A word in 20% of 100,000 papers: 1,001 matches in ~5,005 papers, 3x.
    assert year_floor_offset(20_000, 100_000, 1001) == 15_015
    # In 10%: the floor would keep 30,030 of them, more than a quarter.
    assert year_floor_offset(10_000, 100_000, 1001) is None


QUICK = 50  # QUICK_SAMPLE in these tests


@pytest.fixture
def quick_sample(monkeypatch, settings, small_bounds):
    # Every search counts as common to the planner; deferred over BOUND.
    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate of a search's matches")
    monkeypatch.setattr(facet_module, "QUICK_MATCHES", 0)
    monkeypatch.setattr(facet_module, "QUICK_SAMPLE", QUICK)
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = BOUND


def newest_reads(captured) -> list[int]:
    """The limits of the newest-matches reads among the captured queries."""
    return [
        int(re.search(r"LIMIT (\d+)\) AS newest", q["sql"]).group(1))
        for q in captured.captured_queries
        if ") AS newest" in q["sql"]
    ]


def test_a_common_word_is_estimated_from_a_quick_sample(client, quick_sample):
    true = build(per_year=100, rate=0.3)  # ~720 matches: over twice the limit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "model"})
    assert newest_reads(captured) == [QUICK]
    assert response.context["facets_urls"] is not None  # deferred
    assert abs(response.context["total"] - true) <= 0.15 * true, (response.context["total"], true)
    assert "of about " in response.content.decode()


def test_a_quick_sample_near_the_limit_is_read_as_usual(client, quick_sample):
    build(per_year=10, rate=0.9)  # ~216 matches: over the limit, under twice it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "model"})
    assert newest_reads(captured) == [QUICK, BOUND + 1]
    assert response.context["facets_urls"] is not None
    # A word the quick read finds whole: exact, its facets inline.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "zebra"})
    assert newest_reads(captured)[0] == QUICK
    assert response.context["total"] == len(YEARS)
    assert response.context["facets_urls"] is None
    assert "about" not in response.content.decode()


@pytest.mark.parametrize("walk", [True, False])
def test_the_newest_rows_come_in_the_latest_years_order(monkeypatch, walk):
    """read_newest()'s rows, each pool's in LATEST_YEARS_ORDER (the database
    sorts the UNION): papers without a year first, then the newest year;
    within a year those without a date first, then the newest date; then
    the highest id. Walked or collected, one pool or two."""
    day = datetime.date
    dated = [
        (2020, day(2020, 5, 1)),
        (2021, None),
        (None, None),
        (2021, day(2021, 1, 2)),
        (2021, day(2021, 1, 2)),
        (None, day(2019, 3, 3)),
        (2020, day(2020, 5, 1)),
        (2021, None),
    ]
    papers = make_papers(
        {"title": f"Owl model {i}", "year": year, "published_on": published_on}
        for i, (year, published_on) in enumerate(dated, 1)
    )
    number = {paper.pk: i for i, paper in enumerate(papers, 1)}
    monkeypatch.setattr(estimate, "walks", lambda pools, limits, planned: [(walk, None)] * 2)
    pools = {
        "owl": (Paper.objects.search("owl"), Paper.objects.all()),
        "model": (Paper.objects.search("model").filter(year=2021), Paper.objects.all()),
    }
    newest = estimate.read_newest(pools, 100)
    assert [number[pk] for pk in newest["owl"].ids] == [3, 6, 8, 2, 5, 4, 7, 1]
    assert [number[pk] for pk in newest["model"].ids] == [8, 2, 5, 4]


@pytest.fixture
def planner_expects(monkeypatch, small_bounds):
    """Sets how many matches the planner expects of every search (its own
    estimates are tested in test_planner_stats.py), over the catalog's
    papers."""

    def expect(matches: int) -> None:
        papers = float(Paper.objects.count())
        planned = lambda pools: ([(float(matches), papers)] * len(pools), papers)  # noqa: E731
        monkeypatch.setattr(facet_module, "planned_rows", planned)

    return expect


def counts_read(captured) -> int:
    return sum(") AS matches" in q["sql"] for q in captured.captured_queries)


def test_a_search_expected_over_the_bound_is_counted_not_sampled(client, settings, planner_expects):
    true = build(per_year=20, rate=0.5)  # ~240 "model" papers: over the bound
    assert true > BOUND
    planner_expects(2 * BOUND)
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = BOUND
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "model"})
    # The page's facets are deferred: it reads the count, no newest matches.
    assert (counts_read(captured), newest_reads(captured)) == (1, [])
    assert response.context["facets_urls"] is not None
    assert response.context["total"] == true
    html = response.content.decode()
    assert re.search(rf'class="result-count" role="status">1\W25 of {true} papers<', html)
    assert "about" not in html
    # Its facets, counted apart, give the same number of results; the years
    # the sample does not reach are still estimates.
    counted = facet_module.count_facets(response.context["filter"])
    assert (counted.total, counted.total_estimated) == (true, False)
    assert counted.estimated_years


def test_a_search_expected_within_the_bound_or_far_past_it_is_not_counted(
    client, settings, planner_expects
):
    build(per_year=20, rate=0.5)
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = BOUND
    for expected in (BOUND, facet_module.COUNTED_UP_TO):
        planner_expects(expected)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "model"})
        assert counts_read(captured) == 0, expected
        assert "of about " in response.content.decode(), expected


def test_a_search_the_planner_overestimates_is_counted_then_read_whole(
    client, settings, planner_expects
):
    build(per_year=20, rate=0.5)  # 24 "zebra" papers
    planner_expects(2 * BOUND)
    settings.PAPERSHELF_FACETS_INLINE_UP_TO = BOUND
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "zebra"})
    assert counts_read(captured) == 1
    assert newest_reads(captured)
    assert response.context["total"] == len(YEARS)
    assert response.context["facets_urls"] is None  # its facets inline, exact
    assert "about" not in response.content.decode()


def test_numbers_of_results_are_grouped_by_thousands_and_estimates_say_about():
    shown = [
        total_context(ResultTotal(*total))["total_shown"]
        for total in ((24,), (8882,), (98_000, True), (1_000_000,))
    ]
    assert shown == ["24", "8,882", "about 98,000", "1,000,000"]
