"""Reads of papers that pages, exports and the API share.

The paper list's entry points, usable without a view:

    filterset = paper_filter(request.GET)     # bound, lenient PaperFilter
    papers = filterset.qs                     # filtered and sorted
    papers = paper_list(request.GET)          # the same, in one call
    counts = count_facets(filterset)          # catalog.facets: facets + total
    paginator = list_paginator(papers, filterset, counts)

The parameters are the list's public ones (CONTRACT.md): `q`, `venue`
(repeatable, any-of), `year`, `year_from`, `year_to`, `author` (repeatable,
all-of), `award`, `sort`. Invalid values are ignored, not errors
(`filterset.problems()` says which).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.http import QueryDict

from catalog import counts, deep_pages
from catalog.filters import ActiveFilters, PaperFilter
from catalog.models import NEWEST_ORDER, Authorship, Award, Paper
from catalog.search import postgres as search_postgres
from catalog.search import relevance_page_rows, uses_postgres
from core.pagination import DeferredJoinPaginator
from people.models import Person
from venues.models import Venue

PAPERS_PER_PAGE = 25


def paper_filter(params=None, *, queryset: QuerySet | None = None) -> PaperFilter:
    """The list's FilterSet bound to `params`, over `queryset` (default:
    Paper.objects.for_list(), what list rows read).

    `params`: a QueryDict (request.GET), or a dict of values, lists for the
    repeatable ones ({"venue": ["icml", "iclr"], "year": 2023}). Always
    bound, so the default sort is applied without parameters too."""
    if queryset is None:
        queryset = Paper.objects.for_list()
    if params is None:
        params = QueryDict()
    elif not isinstance(params, QueryDict):
        query = QueryDict(mutable=True)
        for key, value in params.items():
            values = value if isinstance(value, list | tuple) else [value]
            query.setlist(key, [str(item) for item in values])
        params = query
    return PaperFilter(data=params, queryset=queryset)


def paper_list(params=None, *, queryset: QuerySet | None = None) -> QuerySet:
    """The papers the list shows for `params`, filtered and sorted: every one
    of them, not a page."""
    return paper_filter(params, queryset=queryset).qs


@dataclass(frozen=True)
class RelevancePageRows:
    """A relevance-sorted search's page, read segment by segment (see
    catalog/search/postgres.py): ranking every match would read every
    match, a page of segments does not. PostgreSQL only."""

    search: str
    unsearched: QuerySet
    total: int
    rows_from: QuerySet
    # Every result's id, when known (FacetCounts.ids).
    ids: tuple | None = None

    def __call__(self, papers, bottom: int, top: int):
        return relevance_page_rows(
            papers,
            self.unsearched,
            self.search,
            bottom,
            top,
            total=self.total,
            rows_from=self.rows_from,
            order_by=NEWEST_ORDER,
            ids=self.ids,
        )


def relevance_page_rows_for(
    filterset: PaperFilter, total: int, rows_from: QuerySet, ids: tuple | None = None
):
    """A RelevancePageRows for the list `filterset` (`total` results, rows as
    `rows_from` reads them; `ids`, theirs when known), or None when it is not
    sorted by relevance on PostgreSQL (then its own order is cheap enough)."""
    if filterset.sort_key == "relevance" and filterset.search_words and uses_postgres():
        unsearched = _unsearched(filterset, total)
        return RelevancePageRows(filterset.search, unsearched, total, rows_from, ids)
    return None


def _unsearched(filterset: PaperFilter, total: int) -> QuerySet:
    """The results without the search; of more than SORTED_ROWS results, their
    venues by id (one small query): the planner then knows a venue's size,
    which decides how the head tier is read (catalog/search/postgres.py). By
    slug, a venue of 11,000 papers was taken for 300, and its 5,000 head
    matches for "model" collected and sorted (30 ms) where walking its
    newest-first index reads 200. Fewer results are read whole anyway."""
    slugs = filterset.active().venues
    if not slugs or total <= search_postgres.SORTED_ROWS:
        return filterset.queryset_without("q")
    ids = Venue.objects.filter(slug__in=slugs).values_list("pk", flat=True)
    return filterset.queryset_without("q", "venue").filter(venue_id__in=list(ids))


def list_paginator(
    papers, filterset: PaperFilter, counts, per_page=PAPERS_PER_PAGE, *, version=None, **kwargs
):
    """The paginator of the filtered list `papers` (filterset.qs): the number
    of results comes from the facet counts (`counts`, catalog.facets), which
    saves a COUNT query; when they estimate it, so does the paginator.
    `version`: the catalog version the page is read at (what deep pages may
    cache by), None when nothing is cached."""
    estimated = counts.total_estimated  # then pages find their end themselves
    page_rows = relevance_page_rows_for(
        filterset, counts.total, Paper.objects.for_list(), counts.ids
    )
    if page_rows is not None:
        return DeferredJoinPaginator(
            papers, per_page, count=counts.total, estimated=estimated, page_rows=page_rows, **kwargs
        )
    active = filterset.active()
    if deep_pages.served(active, filterset.sort_key):
        # Deep pages start from the month, year or title the counts place them in.
        page_rows = deep_pages.DeepPageRows(filterset.sort_key, Paper.objects.for_list(), version)
        return DeferredJoinPaginator(
            papers, per_page, count=counts.total, page_rows=page_rows, **kwargs
        )
    members = bool(active.authors or active.award)
    return DeferredJoinPaginator(
        papers,
        per_page,
        count=counts.total,
        estimated=estimated,
        rows_from=Paper.objects.for_list(),
        walk_sort_index=members,
        walk_scope=walk_scope(counts, filterset.sort_key),
        # A search stays a subquery: its matches are better read from the
        # full-text index once than tested paper by paper.
        walk_from=filterset.walk_queryset if members and not active.search else None,
        **kwargs,
    )


def walk_scope(counts, sort_key: str) -> tuple[int, int] | None:
    """For results of an author or award, from the facet counts
    (FacetCounts.scope; None when they do not say): how many papers a page
    ranges over when it walks the sort index (core/pagination.py), those of
    the venue (or catalog) in the years for the orders that keep years
    together (newest, oldest first), else in all years; and how many papers
    the author or award has (what the page reads otherwise)."""
    scope = getattr(counts, "scope", None) or {}
    walked = scope.get("years" if sort_key in ("newest", "oldest") else "all")
    return None if walked is None else (walked, scope.get("members", 0))


def result_count(filterset: PaperFilter) -> int:
    """The number of results of `filterset`: summed from the cells the
    database keeps when they answer for its filters (catalog.counts), where
    a COUNT read every result (an author's 2,482 papers, one index probe
    each); else that COUNT."""
    active = filterset.active()
    if not counts.cells_answer(active):
        return filterset.queryset_without().count()
    per_year = counts.year_counts(active)
    return per_year.get(active.year, 0) if active.year else sum(per_year.values())


def active_names(active: ActiveFilters) -> dict[str, dict[str, str]]:
    """Slug to name of the venues, people and award the filters name, by
    parameter, as FacetCounts.names() gives them (a slug that names nothing
    is missing): for a list whose facet counts, which name them, are not
    read. One query, none without such filters."""
    named = active.named()
    result: dict[str, dict[str, str]] = {key: {} for key in named}
    parts = [
        model.objects.filter(slug__in=named[key])
        .annotate(parameter=Value(key, output_field=CharField()))
        .order_by()
        .values_list("slug", "name", "parameter")
        for key, model in (("venue", Venue), ("author", Person), ("award", Award))
        if named[key]
    ]
    if parts:
        for slug, name, key in parts[0].union(*parts[1:], all=True):
            result[key][slug] = name
    return result


def paper_paginator(papers, *, per_page=PAPERS_PER_PAGE, count=None, members=None):
    """The paginator of a person's, venue's or award's papers, rows as lists
    show them (Paper.objects.for_list()).
    `count`: the number of papers when the caller knows it (saves a COUNT).
    `members`: the papers' ids (a values queryset) when they are chosen by
    membership: pages are then read by walking the sort index
    (core/pagination.py)."""
    return DeferredJoinPaginator(
        papers,
        per_page,
        count=count,
        rows_from=Paper.objects.for_list(),
        walk_sort_index=members is not None,
        members=members,
    )


def author_rows(paper_ids, person_fields: tuple[str, ...], fields: tuple[str, ...] = ()):
    """The authorships of `paper_ids` in author order, as plain tuples
    (paper_id, *person_fields, *fields): `person_fields` are the author's
    (Person) columns, `fields` the authorship's own.

    Each person is read by primary key, row by row (a correlated subquery),
    not joined: for a hundred papers' ~450 authorships PostgreSQL chose a
    hash join that first reads all 60,000 people of a 100,000-paper catalog
    (88 ms under load, EXPLAIN ANALYZE; 17 ms this way)."""
    person = {
        f"_person_{name}": Subquery(
            Person.objects.filter(pk=OuterRef("person_id")).values(name)[:1]
        )
        for name in person_fields
    }
    return (
        Authorship.objects.filter(paper_id__in=list(paper_ids))
        .annotate(**person)
        .order_by("paper_id", "position", "id")
        .values_list("paper_id", *person, *fields)
    )
