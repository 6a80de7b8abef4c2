"""The paper list's facets: how many of the matching papers each venue, year,
award and top author has, and the chips that name the active filters.

Two steps with explicit inputs. count_facets() reads the database (at most
four queries: counts the database keeps, grouped queries, samples of large
results marked as estimates) and returns plain data, FacetCounts, which the
list caches per catalog version; facet_entries(), chips() and unknown_values() turn that
data, the active filters and the request's parameters into what the
templates show, without queries.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, Q, Value, When

from catalog import counts
from catalog.filters import ActiveFilters, PaperFilter
from catalog.links import ListLinks, toggled
from catalog.models import Award, SearchRow
from catalog.search import planner_stats, uses_postgres
from catalog.search.estimate import (
    LATEST_YEARS_ORDER,
    Newest,
    ShapedPool,
    count_matches,
    planned_rows,
    pool_years,
    read_newest,
    rounded,
    search_alone,
)
from core.cache import TIMEOUT, cache_key, get_or_compute
from core.template_values import TemplateValues
from venues.models import Venue

TOP_AUTHORS = 10
TOP_VENUES = 25
# A facet counted over more results than this (the top authors; over a
# search's matches, every facet and the number of results) is estimated from
# a sample of SAMPLE of them, taken newest years first (LATEST_YEARS_ORDER):
# every match would be read (a search's common word matches most of the
# catalog) or every authorship of every match grouped.
EXACT_UP_TO = 1000
SAMPLE = 1000
# A search whose facets may be deferred (list_counts()) and which the planner
# expects to match at least QUICK_MATCHES papers is sampled from its newest
# QUICK_SAMPLE matches first; that estimate is the page's number of results
# when it is over QUICK_MARGIN times the inline limit, else the pool is read
# as usual. ("model" at 100,000 papers: 251 rows walked instead of 1,001.)
# A search of one word that ANALYZE's statistics list is not read at all:
# its listed share of the catalog is the closer estimate (planner_stats.
# listed_matches()).
QUICK_MATCHES = 10 * EXACT_UP_TO
QUICK_SAMPLE = 250
QUICK_MARGIN = 2
# A search the planner expects to match more than EXACT_UP_TO (or the inline
# limit) but fewer than COUNTED_UP_TO papers is counted: collecting its
# newest matches reads every match anyway, and sorts them (a word in 9% of
# 100,000 papers: 7.5 ms counted, 15.5 read). Its number of results is then
# exact, and a page whose facets are deferred reads only that count.
COUNTED_UP_TO = QUICK_MATCHES
# A search's results read whole (FacetCounts.ids) when this many or fewer: a
# page holds them all, and reads its rows by their ids.
IDS_UP_TO = 25


@dataclass(frozen=True)
class FacetCounts:
    """Raw counts: (slug, name, count) rows, most papers first; (year, count)
    rows, newest first; and the number of results."""

    venues: list[tuple[str, str, int]]
    years: list[tuple[int, int]]
    awards: list[tuple[str, str, int]]
    authors: list[tuple[str, str, int]]
    total: int
    # The facets ("venues", "years", "awards", "authors") whose counts are
    # estimates, with the number of results they were counted in (a sample).
    samples: dict[str, int] = field(default_factory=dict)
    # Whether `total` is an estimate, and the years whose count is one.
    total_estimated: bool = False
    estimated_years: frozenset = frozenset()
    # For results of an author or award: the papers of their venue (or the
    # catalog) in their years ("years") and in all ("all"), counts.cell_facets().
    scope: dict = field(default_factory=dict, compare=False)
    # A search's results' ids when its facets read them all and there are at
    # most IDS_UP_TO (None: not known).
    ids: tuple | None = field(default=None, compare=False)

    def names(self) -> dict[str, dict[str, str]]:
        """Slug to name of the counted venues, authors and awards (the active
        ones are always counted), for chips() and unknown_values()."""
        return _names(self.venues, self.authors, self.awards)


def _names(venues, authors, awards) -> dict[str, dict[str, str]]:
    """FacetCounts.names() of (slug, name, count) rows."""
    return {
        "venue": {slug: name for slug, name, _ in venues},
        "author": {slug: name for slug, name, _ in authors},
        "award": {slug: name for slug, name, _ in awards},
    }


@dataclass(frozen=True)
class ResultTotal:
    """The number of results alone (an estimate when `total_estimated`): what
    a list whose facets are deferred shows (list_counts())."""

    total: int
    total_estimated: bool = False
    # The active values' names, as FacetCounts.names(), when the count read
    # them anyway (None: not read).
    names: dict | None = None
    # The results' ids are never read without the facets (FacetCounts.ids).
    ids = None


class FacetsDeferred(Exception):
    """Raised by a count that stops at the number of results: the facets of
    these results are not cheap. Nothing is cached for them."""

    def __init__(self, total: ResultTotal):
        super().__init__(total)
        self.total = total


# The cache entries of a filter set's FacetCounts, and of its ResultTotal
# when its facets were deferred (per catalog version).
FACET_COUNTS, RESULT_TOTAL = "facet-counts", "result-total"


def facet_counts(version: int | None, filterset: PaperFilter) -> FacetCounts:
    """count_facets(), cached by the catalog `version` and the filters (not the
    sort or the page): the same for every page of these results."""
    return get_or_compute(
        FACET_COUNTS, version, filterset.cache_parts(), lambda: count_facets(filterset)
    )


def _cache_keys(version: int, filterset: PaperFilter) -> tuple[str, str]:
    """The cache keys of these filters' FacetCounts and of their ResultTotal."""
    parts = filterset.cache_parts()
    return cache_key(FACET_COUNTS, version, *parts), cache_key(RESULT_TOTAL, version, *parts)


def facet_counts_cached(version: int | None, filterset: PaperFilter) -> bool:
    """Whether facet_counts() of these filters is in the cache."""
    if version is None:
        return False
    return cache.get(_cache_keys(version, filterset)[0]) is not None


def list_counts(
    version: int | None, filterset: PaperFilter, inline_up_to: int | None
) -> FacetCounts | ResultTotal:
    """What a list page counts: the facet counts when cached (facet_counts()'s
    entry) or cheap, else only the number of results (ResultTotal) and the
    facets are fetched apart. Cheap: at most `inline_up_to` results (None:
    always), or counted exactly from the kept totals in one query. Cheap
    counts are cached as facet_counts() caches them, the number of results
    alone under RESULT_TOTAL."""
    if version is None:
        try:
            return count_facets(filterset, inline_up_to=inline_up_to)
        except FacetsDeferred as deferred:
            return deferred.total
    keys = _cache_keys(version, filterset)
    cached = cache.get_many(keys)
    # The facet counts when someone has counted them, else the number of
    # results alone when it was counted before: every page of these results
    # then reads only its rows, as when the facet counts are cached.
    found = cached.get(keys[0]) or cached.get(keys[1])
    if found is not None:
        return found
    try:
        counted = count_facets(filterset, inline_up_to=inline_up_to)
    except FacetsDeferred as deferred:
        cache.set(keys[1], deferred.total, TIMEOUT)
        return deferred.total
    cache.set(keys[0], counted, TIMEOUT)
    return counted


def _counted(model, relation: str, pool, active: Q, limit: int | None = None):
    """(slug, name, count) of the `model` rows with papers in `pool`, most papers
    first, then by name; the `active` rows first and always (with 0 when they
    have none here), so their names are known for the chips. One query.

    Driven by the pool: the join starts from the matching papers, so a narrow
    filter counts few rows; a pool without filters is not even re-read as a
    subquery."""
    first = Case(When(active, then=Value(0)), default=Value(1))
    if pool.query.where:
        in_pool = Q(**{f"{relation}__in": pool.order_by().values("pk")})
    else:
        in_pool = Q(**{f"{relation}__isnull": False})
    counted = (
        model.objects.filter(in_pool)
        .annotate(n=Count(relation.split("__")[0]), first=first)
        .order_by()
        .values_list("slug", "name", "n", "first")
    )
    zero = (
        model.objects.filter(active)
        .annotate(n=Value(0), first=Value(0))
        .order_by()
        .values_list("slug", "name", "n", "first")
    )
    rows = counted.union(zero, all=True).order_by("first", "-n", "name", "slug")
    if limit is not None:
        # An active row can come twice (counted, and with 0): leave room.
        rows = rows[: limit + limit]
    seen, result = set(), []
    for slug, name, n, _ in rows:
        if slug not in seen:
            seen.add(slug)
            result.append((slug, name, n))
    return result[:limit] if limit is not None else result


def _count_years(filterset: PaperFilter) -> dict:
    """Papers per year (None: without a year), in one grouped query."""
    in_years = filterset.queryset_without("year").order_by()
    return dict(in_years.values("year").annotate(n=Count("pk")).values_list("year", "n"))


def count_facets(filterset: PaperFilter, *, inline_up_to: int | None = None) -> FacetCounts:
    """The facet counts and the number of results for a bound PaperFilter:
    a few queries, whose work does not grow with the number of results.

    Venues, years and awards are counted without their own filter (picking
    another venue widens an any-of choice; years and awards replace the
    current one); authors are counted within the current results, since
    adding an author narrows (all-of). Each query also returns the names of
    the active values, for the chips.

    Results defined by venue and year alone, or by one author or one award,
    venue and year (catalog.counts.cells_answer), are counted from the cells the
    database keeps: a few thousand rows, however many papers. A search is
    counted by SearchFacets (read up to a bound, estimated beyond it).
    Otherwise one grouped query per facet over the matching papers; the
    year query also counts papers without a year, so the number of results
    comes from it instead of a COUNT query of its own.

    With `inline_up_to`, counting stops at the number of results when there
    are more of them than that and the facets would need more than the
    kept totals (FacetsDeferred, carrying the ResultTotal).
    """
    active = filterset.active()
    if filterset.search_words:
        return SearchFacets(filterset, active, inline_up_to).counts()
    if counts.cells_answer(active):
        return _from_cells(filterset, active, inline_up_to)
    per_year = _count_years(filterset)
    total = per_year.get(active.year, 0) if active.year else sum(per_year.values())
    if inline_up_to is not None and total > inline_up_to:
        raise FacetsDeferred(ResultTotal(total))
    venues = _counted(
        Venue, "papers", filterset.queryset_without("venue"), Q(slug__in=active.venues)
    )
    without_award = filterset.queryset_without("award")
    awards = _counted(Award, "papers", without_award, Q(slug=active.award))
    authors, sample = _top_authors(filterset, active, total)
    return FacetCounts(
        venues=venues,
        years=_newest_first(per_year),
        awards=awards,
        authors=authors,
        total=total,
        samples={"authors": sample} if sample else {},
    )


def _from_cells(
    filterset: PaperFilter, active: ActiveFilters, inline_up_to: int | None = None
) -> FacetCounts:
    """count_facets() from the cells, in one query (counts.cell_facets()): the
    top authors of the whole catalog or of one venue from the kept totals
    (exact), of years alone too when the kept totals prove them exact
    (counts.proven_top_sql()); others counted in the newest SAMPLE results,
    which are all of them when there are no more (exact), else a sample
    whose counts are scaled as _top_authors() scales them. With
    `inline_up_to`, more results than that and no exact top authors from
    the kept totals raise FacetsDeferred: the sample is then not counted
    (the same query, without its slow part)."""
    limit = TOP_AUTHORS + len(active.authors)  # active authors first, never dropped
    kept = counts.kept_top_people(active)
    pool = filterset.queryset_without().order_by()
    # For a list of venues and years, the kept cells sum its top authors
    # wherever the sample would count them (counts.summable()): no sample
    # to build and compile (a millisecond of Python), and in the rare
    # case the sum gives way (ties), one more query counts them below.
    unsampled = inline_up_to is not None and inline_up_to <= EXACT_UP_TO and counts.summable(active)
    if kept:
        newest = None
    elif unsampled:
        newest = counts.NO_PAPERS
    else:
        newest = pool.order_by(*LATEST_YEARS_ORDER).values("pk")[:SAMPLE]
    rows = counts.cell_facets(active, newest, limit, sample_up_to=inline_up_to)
    per_year = rows["years"]
    total = per_year.get(active.year, 0) if active.year else sum(per_year.values())
    if inline_up_to is not None and not (kept or rows["proven"]) and total > inline_up_to:
        # The venue and award rows name the active ones, the people rows
        # the active authors (their sample is skipped).
        names = _names(rows["venues"], rows["people"], rows["awards"])
        raise FacetsDeferred(ResultTotal(total, names=names))
    authors, sample = rows["authors"], 0
    if kept or rows["proven"]:
        pass  # exact: from the kept totals, proven or summed from them
    elif total <= min(SAMPLE, EXACT_UP_TO) and not unsampled:
        pass  # exact: every result counted
    elif total <= EXACT_UP_TO:  # exact, but more than the sample counted
        authors = counts.top_authors(pool.values("pk"), limit, active.authors)
    else:
        authors, sample = _scaled(authors, total)
    return FacetCounts(
        venues=rows["venues"],
        years=_newest_first(per_year),
        awards=rows["awards"],
        authors=authors,
        total=total,
        samples={"authors": sample} if sample else {},
        scope=rows["scope"],
    )


def _newest_first(per_year: dict) -> list[tuple[int, int]]:
    """(year, count) rows, newest first, without the papers that have no year."""
    return sorted(((y, n) for y, n in per_year.items() if y is not None), key=lambda r: -r[0])


class _Pool:
    """The papers of a search without some of its filters (`without`), read
    newest years first up to one more than EXACT_UP_TO (or SAMPLE): all of
    them when that many or fewer ("small"), else a sample of them.
    `queryset` and `unsearched`: its papers, and the same without the search."""

    def __init__(self, filterset, without: tuple[str, ...], newest: Newest, querysets):
        self.filterset, self.without = filterset, without
        self.queryset, self.unsearched = querysets
        self.newest = newest
        cut = newest.cut_at is not None and len(newest.rows) >= newest.cut_at
        self.small = len(self.newest.rows) <= EXACT_UP_TO and not cut
        self._years = None
        # Its papers counted (SearchFacets: the results), when not small.
        self.counted: int | None = None

    @property
    def total(self) -> int:
        """Its number of papers: counted, else from its years (an estimate
        when not small)."""
        return self.counted if self.counted is not None else self.years.total

    @property
    def years(self):
        """Its YearEstimate (catalog.search.estimate): exact when small."""
        if self._years is None:
            # A pool cut short is never exact, however few rows it read.
            exact_up_to = EXACT_UP_TO if self.small else 0
            self._years = pool_years(
                self.filterset, self.without, self.newest, self.unsearched, (exact_up_to, SAMPLE)
            )
        return self._years

    @cached_property
    def sample(self) -> list[tuple]:
        """(id, venue id) of its papers (small) or of its sample. Once: a
        search without other filters is the pool of all three facets."""
        rows = self.newest.rows if self.small else self.newest.rows[:SAMPLE]
        return [row[:2] for row in rows]

    def scaled(self, rows):
        """Counts in the sample scaled to its estimated number of papers
        (rounded: catalog.search.estimate); as they are when small."""
        if self.small:
            return rows
        scale = self.total / len(self.sample)
        return [(slug, name, rounded(n * scale)) for slug, name, n in rows]


def _over(filterset: PaperFilter, queryset) -> PaperFilter:
    """The same bound filters over `queryset` (a model with the papers'
    filtered fields), sharing the validated form: a new FilterSet deep-copies
    its filters and validates its form again."""
    over = copy.copy(filterset)
    over.queryset = queryset
    over.__dict__.pop("_qs", None)
    return over


class SearchFacets:
    """The facets of a search, whose work does not grow with its matches.

    Each facet's papers (the results; without the year, venue or award
    filter for that facet) are read newest years first, at most
    EXACT_UP_TO + 1 of them (one query each; the same papers are read once).
    Up to EXACT_UP_TO, every count is exact, as before. Beyond it, the
    number of results and the years are estimated from the newest SAMPLE
    and the counts the database keeps (catalog/search/estimate.py); the
    venues, awards and top authors are counted in that sample and scaled
    to the estimated number of papers. Estimates are marked (`samples`,
    `total_estimated`, `estimated_years`), and the pages say "about". The
    number of results is counted instead when that is cheap (COUNTED_UP_TO).

    With `inline_up_to`, the results are read first, and more of them than
    that raise FacetsDeferred before the other pools are read (one more
    round trip when they are not: the other pools of a common word's
    search are its biggest reads)."""

    def __init__(
        self, filterset: PaperFilter, active: ActiveFilters, inline_up_to: int | None = None
    ):
        self.filterset, self.active = filterset, active
        # On PostgreSQL the pools are read from the narrow search rows
        # (catalog.models.SearchRow), the same filters over them.
        self.pool_filterset = filterset
        if uses_postgres():
            self.pool_filterset = _over(filterset, SearchRow.objects.all())
        self._venue_ids = None
        # The results, and the papers without each active filter that has a
        # facet: read together, in one query.
        names = [()] + [
            (name,)
            for name, value in (
                ("year", active.year),
                ("venue", active.venues),
                ("award", active.award),
            )
            if value
        ]
        querysets = {without: self._querysets(without) for without in names}
        self.pools = {}
        if inline_up_to is None:
            self._read(querysets)
            if not self.pool().small:
                self.pool().counted = self._counted(querysets[()], planned_rows([querysets[()]]))
            return
        planned = planned_rows([querysets[()]])
        counted = self._counted(querysets[()], planned, above=inline_up_to)
        if counted is not None and counted > inline_up_to:
            raise FacetsDeferred(ResultTotal(counted))
        # One common word, which ANALYZE's statistics list: its share of the
        # catalog, closer than the quick sample below, with nothing read.
        listed = self._listed(querysets[()])
        if listed is not None and listed >= max(QUICK_MATCHES, QUICK_MARGIN * inline_up_to):
            raise FacetsDeferred(ResultTotal(rounded(listed), True))
        # A search the planner expects to match many papers is first read
        # only up to QUICK_SAMPLE: enough to estimate a total far over the
        # limit (the usual case of a common word), for a quarter of the walk.
        self._read({(): querysets[()]}, quick=True, planned=planned)
        results = self.pool()
        cut = results.newest.cut_at is not None and not results.small
        if cut and results.years.total < QUICK_MARGIN * inline_up_to:  # too close to tell
            self._read({(): querysets[()]})
            results = self.pool()
        if results.years.total > inline_up_to:
            raise FacetsDeferred(ResultTotal(results.years.total, not results.small))
        self._read({without: pair for without, pair in querysets.items() if without != ()})
        if not self.pool().small:  # an inline limit over EXACT_UP_TO
            self.pool().counted = counted

    @staticmethod
    def _listed(pair) -> float | None:
        """planner_stats.listed_matches() of the pool `pair` (searched,
        unsearched) when it is a search alone (its words set), else None."""
        searched = pair[0]
        words = getattr(searched, "words", None)
        if words is None:
            return None
        table = searched.model._meta.db_table
        return planner_stats.listed_matches(connection, table, "search_vector", words)

    @staticmethod
    def _counted(pair, planned, above: int | None = None) -> int | None:
        """The number of papers of the pool `pair` (searched, unsearched),
        counted when the planner (`planned`: planned_rows() of it) expects
        more than `above` (EXACT_UP_TO) and fewer than COUNTED_UP_TO of them;
        else None."""
        above = EXACT_UP_TO if above is None else above
        if planned is None or not above < planned[0][0][0] < COUNTED_UP_TO:
            return None
        return count_matches(pair[0])

    def _read(self, querysets: dict, quick: bool = False, planned=None) -> None:
        """The pools of `querysets` (name -> (papers, the same unsearched)),
        read in one query; `quick`: read_newest()'s, with QUICK_MATCHES and
        QUICK_SAMPLE (and the `planned` rows when already read)."""
        if not querysets:
            return
        newest = read_newest(
            querysets,
            max(SAMPLE, EXACT_UP_TO + 1),
            quick=(QUICK_MATCHES, QUICK_SAMPLE) if quick else None,
            planned=planned,
        )
        self.pools.update(
            (without, _Pool(self.filterset, without, newest[without], pair))
            for without, pair in querysets.items()
        )

    def _querysets(self, without: tuple[str, ...]) -> tuple[ShapedPool, ShapedPool]:
        """The papers without `without`, and the same without the search, as
        ShapedPool: their querysets built only when a read needs them (a
        search alone on PostgreSQL: search_alone()). The venue filter by
        id, not by a subquery on the slug: the planner then knows the
        venue's size, and reads a big venue's newest papers from its index
        instead of checking every one of its papers' search vector (50 ms,
        not 440 ms, for "model" in a venue of 11,000 papers)."""
        filterset = self.pool_filterset
        model = filterset.queryset.model
        if self.active == ActiveFilters(search=self.active.search) and uses_postgres():
            return search_alone(
                model,
                filterset.search_words,
                filterset.queryset_without,
                lambda: filterset.queryset_without("q"),
            )
        if not self.active.venues or "venue" in without:
            return (
                ShapedPool(model, lambda: filterset.queryset_without(*without)),
                ShapedPool(model, lambda: filterset.queryset_without("q", *without)),
            )
        if self._venue_ids is None:
            venues = Venue.objects.filter(slug__in=self.active.venues)
            self._venue_ids = list(venues.values_list("pk", flat=True))
        in_venues = Q(venue_id__in=self._venue_ids)
        return (
            ShapedPool.of(filterset.queryset_without("venue", *without).filter(in_venues)),
            ShapedPool.of(filterset.queryset_without("venue", "q", *without).filter(in_venues)),
        )

    def pool(self, name: str | None = None) -> _Pool:
        """The papers for the facet of filter `name` (None: the results)."""
        return self.pools.get((name,), self.pools[()])

    def counts(self) -> FacetCounts:
        active, results = self.active, self.pool()
        in_years = self.pool("year")
        sources = {"venues": self.pool("venue"), "awards": self.pool("award"), "authors": results}
        limit = TOP_AUTHORS + len(active.authors)
        rows = counts.sample_facets(
            {facet: pool.sample for facet, pool in sources.items()}, limit, active
        )
        samples = {facet: SAMPLE for facet, pool in sources.items() if not pool.small}
        if not in_years.small:
            samples["years"] = SAMPLE
        return FacetCounts(
            venues=self._with_active(sources["venues"], rows["venues"], rows["active_venues"]),
            years=_newest_first(in_years.years.years),
            awards=self._with_active(sources["awards"], rows["awards"], rows["active_awards"]),
            authors=results.scaled(rows["authors"]),
            total=results.total,
            samples=samples,
            total_estimated=not results.small and results.counted is None,
            estimated_years=in_years.years.estimated,
            ids=tuple(results.newest.ids)
            if results.small and results.years.total <= IDS_UP_TO
            else None,
        )

    def _with_active(self, pool: _Pool, rows, active_rows):
        """The venue or award rows with the active ones first and always, for
        the chips: one without papers here counts 0; one a sample missed,
        the results' number when it is the only one (else 0: under one in
        SAMPLE of them)."""
        rows = pool.scaled(rows)
        counted = {slug for slug, _, _ in rows}
        missing = [(slug, name) for slug, name, _ in active_rows if slug not in counted]
        if missing:
            n = 0
            if not pool.small and len(active_rows) == 1:
                n = self.pool().total
            rows = [(slug, name, n) for slug, name in missing] + rows
        first = {slug for slug, _, _ in active_rows}
        return sorted(rows, key=lambda row: (row[0] not in first, -row[2], row[1], row[0]))


def _top_authors(filterset: PaperFilter, active, total: int):
    """(the top authors of the results, the number of papers they were
    counted in when that is a sample of the results, else 0).

    Exact for results of at most EXACT_UP_TO papers (the whole catalog's
    come from the cells: _from_cells()). Bigger results
    are sampled, since every authorship of every match would be grouped
    (tens of milliseconds per 10,000 matches): the authors are counted in
    the SAMPLE results of the latest years and their counts scaled to all
    of them, which the page shows as estimates ("about")."""
    limit = TOP_AUTHORS + len(active.authors)  # active authors first, never dropped
    pool = filterset.queryset_without().order_by()
    if total <= EXACT_UP_TO:
        return counts.top_authors(pool.values("pk"), limit, active.authors), 0
    newest = pool.order_by(*LATEST_YEARS_ORDER).values("pk")[:SAMPLE]
    return _scaled(counts.top_authors(newest, limit, active.authors), total)


def _scaled(sampled, total: int):
    """Authors counted in the newest SAMPLE of `total` results (or all of them
    if fewer), with their counts scaled to all the results; and SAMPLE."""
    scale = total / min(total, SAMPLE)
    return [(slug, name, round(n * scale)) for slug, name, n in sampled], SAMPLE


@dataclass
class FacetEntry(TemplateValues):
    label: str
    count: int
    active: bool
    url: str
    # The count is an estimate (shown as "about N").
    estimated: bool = False


def facet_entries(counts: FacetCounts, active: ActiveFilters, params, base: str = "") -> dict:
    """Facet entries (label, count, active, URL) by facet, for the template;
    `params` are the request's parameters, which the links keep. The URLs
    are query strings (the list's page), or `base` + one."""
    links = ListLinks(params, base)
    author_entries = [
        FacetEntry(
            name,
            n,
            slug in active.authors,
            links.url(author=toggled(active.authors, slug)),
            estimated="authors" in counts.samples,
        )
        for slug, name, n in counts.authors
    ]
    # Active authors first, then the most prolific in these results.
    author_entries.sort(key=lambda e: (not e.active, -e.count, e.label))
    return {
        "venues": [
            FacetEntry(
                name,
                n,
                slug in active.venues,
                links.url(venue=toggled(active.venues, slug)),
                estimated="venues" in counts.samples,
            )
            for index, (slug, name, n) in enumerate(counts.venues)
            # The biggest ones and the chosen ones: a catalog has hundreds
            # of venues, and each entry costs a URL to build.
            if index < TOP_VENUES or slug in active.venues
        ],
        "years": [
            FacetEntry(
                str(y),
                n,
                y == active.year,
                links.url(year=None if y == active.year else y),
                estimated=y in counts.estimated_years,
            )
            for y, n in counts.years
        ],
        "awards": [
            FacetEntry(
                name,
                n,
                slug == active.award,
                links.url(award=None if slug == active.award else slug),
                estimated="awards" in counts.samples,
            )
            for slug, name, n in counts.awards
        ],
        "authors": author_entries[: max(TOP_AUTHORS, len(active.authors))],
        # Facet name -> the size of the sample its counts were estimated from.
        "samples": counts.samples,
    }


@dataclass
class Chip(TemplateValues):
    label: str
    url: str


def chips(active: ActiveFilters, names: dict, params) -> list[Chip]:
    """The active filters, each with a link that removes it; `names` from
    FacetCounts.names() (a slug that names nothing is shown as it is)."""
    result, links = [], ListLinks(params)
    if active.search:
        result.append(Chip(f"Search: “{active.search}”", links.url(q=None, sort=None)))
    for slug in active.venues:
        label = names["venue"].get(slug, slug)
        result.append(Chip(f"Venue: {label}", links.url(venue=toggled(active.venues, slug))))
    for key, label in (("year", "Year"), ("year_from", "From"), ("year_to", "To")):
        value = getattr(active, key)
        if value:
            result.append(Chip(f"{label}: {value}", links.url(**{key: None})))
    for slug in active.authors:
        label = names["author"].get(slug, slug)
        result.append(Chip(f"Author: {label}", links.url(author=toggled(active.authors, slug))))
    if active.award:
        label = names["award"].get(active.award, active.award)
        result.append(Chip(f"Award: {label}", links.url(award=None)))
    return result


def unknown_slugs(active: ActiveFilters, names: dict) -> dict[str, list[str]]:
    """The filters' slugs that name nothing (`names` as for chips()), by
    parameter: those that may have moved (core.redirects)."""
    return {
        key: [slug for slug in slugs if slug not in names[key]]
        for key, slugs in active.named().items()
    }


def unknown_values(active: ActiveFilters, names: dict) -> list[str]:
    """Messages for the slugs in the filters that name nothing in the catalog."""
    messages = []
    for key, noun, slugs in (
        ("venue", "venue", active.venues),
        ("author", "person", active.authors),
        ("award", "award", [active.award] if active.award else []),
    ):
        for slug in slugs:
            if slug not in names[key]:
                messages.append(f"There is no {noun} “{slug}” in the catalog.")
    return messages
