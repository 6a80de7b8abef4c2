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

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, Value, When

from catalog import counts
from catalog.filters import ActiveFilters, PaperFilter
from catalog.links import list_url, toggled
from catalog.models import NEWEST_ORDER, Award
from venues.models import Venue

TOP_AUTHORS = 10
TOP_VENUES = 25
# A facet counted over more results than this (the top authors; over a
# search's matches, venues and awards too) is estimated from a sample of
# SAMPLE of them: every match would be read (a search's common word matches
# most of the catalog) or every authorship of every match grouped.
EXACT_UP_TO = 1000
SAMPLE = 1000
# The order samples are taken in: the latest years first, as the oldest-first
# indexes (catalog migrations 0005, 0014) read backwards, so a year range, a
# venue or both are sampled from an index range without sorting them.
LATEST_YEARS_ORDER = (
    F("year").desc(nulls_first=True),
    F("published_on").desc(nulls_first=True),
    F("id").desc(),
)


@dataclass(frozen=True)
class FacetCounts:
    """Raw counts: (slug, name, count) rows, most papers first; (year, count)
    rows, newest first; and the number of results."""

    venues: list[tuple[str, str, int]]
    years: list[tuple[int, int]]
    awards: list[tuple[str, str, int]]
    authors: list[tuple[str, str, int]]
    total: int
    # The facets ("venues", "awards", "authors") whose counts are estimates,
    # with the number of results they were counted in (a sample).
    samples: dict[str, int] = field(default_factory=dict)

    def names(self) -> dict[str, dict[str, str]]:
        """Slug to name of the counted venues, authors and awards (the active
        ones are always counted), for chips() and unknown_values()."""
        return {
            "venue": {slug: name for slug, name, _ in self.venues},
            "author": {slug: name for slug, name, _ in self.authors},
            "award": {slug: name for slug, name, _ in self.awards},
        }


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
    rows = counted.union(zero, all=True).order_by("first", "-n", "name")
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


def count_facets(filterset: PaperFilter) -> FacetCounts:
    """The facet counts and the number of results for a bound PaperFilter:
    at most four queries.

    Venues, years and awards are counted without their own filter (picking
    another venue widens an any-of choice; years and awards replace the
    current one); authors are counted within the current results, since
    adding an author narrows (all-of). Each query also returns the names of
    the active values, for the chips.

    Results defined by venue and year alone, or by one author, venue and
    year (catalog.counts.cells_answer), are counted from the cells the
    database keeps: a few thousand rows, however many papers. Otherwise
    one grouped query per facet over the matching papers; the year query
    also counts papers without a year, so the number of results comes from
    it instead of a COUNT query of its own.
    """
    active = filterset.active()
    from_cells = counts.cells_answer(active)
    per_year = counts.year_counts(active) if from_cells else _count_years(filterset)
    total = per_year.get(active.year, 0) if active.year else sum(per_year.values())
    samples = {}
    if from_cells:
        venues = counts.venue_counts(active)
        if active.authors:  # a person's awards: a few of their papers
            without_award = filterset.queryset_without("award")
            awards = _counted(Award, "papers", without_award, Q(slug=active.award))
        else:
            awards = counts.award_counts(active)
    elif active.search and not (active.venues or active.award) and total > EXACT_UP_TO:
        venues, awards, authors = _sampled(filterset, active, total)
        samples = {"venues": SAMPLE, "awards": SAMPLE, "authors": SAMPLE}
    else:
        venues = _counted(
            Venue, "papers", filterset.queryset_without("venue"), Q(slug__in=active.venues)
        )
        without_award = filterset.queryset_without("award")
        awards = _counted(Award, "papers", without_award, Q(slug=active.award))
    if "authors" not in samples:
        authors, samples["authors"] = _top_authors(filterset, active, total)
    years = sorted(per_year.items(), key=lambda row: (row[0] is None, -(row[0] or 0)))
    return FacetCounts(
        venues=venues,
        years=[(y, n) for y, n in years if y is not None],
        awards=awards,
        authors=authors,
        total=total,
        samples={name: n for name, n in samples.items() if n},
    )


def _sampled(filterset: PaperFilter, active, total: int):
    """Venues, awards and top authors of a search's many matches (`total`,
    exact), counted in its newest SAMPLE matches and scaled to all of them.

    Without a venue or award filter, the three facets count the same
    results, so one query reads the sample once; the search's common word
    would otherwise read most of the catalog per facet (1.3 s for the
    venues of "model" at 100,000 papers)."""
    sample = filterset.queryset_without().order_by(*NEWEST_ORDER).values("pk", "venue_id")
    limit = TOP_AUTHORS + len(active.authors)
    rows = counts.sample_facets(sample[:SAMPLE], limit, active.authors)
    scale = total / SAMPLE
    return [
        [(slug, name, round(n * scale)) for slug, name, n in rows[facet]]
        for facet in ("venues", "awards", "authors")
    ]


def _top_authors(filterset: PaperFilter, active, total: int):
    """(the top authors of the results, the number of papers they were
    counted in when that is a sample of the results, else 0).

    Exact for the whole catalog (the per-person counts the database keeps)
    and for results of at most EXACT_UP_TO papers. Bigger results
    are sampled, since every authorship of every match would be grouped
    (tens of milliseconds per 10,000 matches): the authors are counted in
    the SAMPLE results of the latest years and their counts scaled to all
    of them, which the page shows as estimates ("about")."""
    limit = TOP_AUTHORS + len(active.authors)  # active authors first, never dropped
    if active == ActiveFilters():
        return counts.top_people(limit), 0
    pool = filterset.queryset_without().order_by()
    if total <= EXACT_UP_TO:
        return counts.top_authors(pool.values("pk"), limit, active.authors), 0
    newest = pool.order_by(*LATEST_YEARS_ORDER).values("pk")[:SAMPLE]
    sampled = counts.top_authors(newest, limit, active.authors)
    scale = total / SAMPLE
    return [(slug, name, round(n * scale)) for slug, name, n in sampled], SAMPLE


@dataclass
class FacetEntry:
    label: str
    count: int
    active: bool
    url: str
    # The count is an estimate (shown as "about N").
    estimated: bool = False


def facet_entries(counts: FacetCounts, active: ActiveFilters, params) -> dict:
    """Facet entries (label, count, active, URL) by facet, for the template;
    `params` are the request's parameters, which the links keep."""
    author_entries = [
        FacetEntry(
            name,
            n,
            slug in active.authors,
            list_url(params, author=toggled(active.authors, slug)),
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
                list_url(params, venue=toggled(active.venues, slug)),
                estimated="venues" in counts.samples,
            )
            for index, (slug, name, n) in enumerate(counts.venues)
            # The biggest ones and the chosen ones: a catalog has hundreds
            # of venues, and each entry costs a URL to build.
            if index < TOP_VENUES or slug in active.venues
        ],
        "years": [
            FacetEntry(
                str(y), n, y == active.year, list_url(params, year=None if y == active.year else y)
            )
            for y, n in counts.years
        ],
        "awards": [
            FacetEntry(
                name,
                n,
                slug == active.award,
                list_url(params, award=None if slug == active.award else slug),
                estimated="awards" in counts.samples,
            )
            for slug, name, n in counts.awards
        ],
        "authors": author_entries[: max(TOP_AUTHORS, len(active.authors))],
        # Facet name -> the size of the sample its counts were estimated from.
        "samples": counts.samples,
    }


@dataclass
class Chip:
    label: str
    url: str


def chips(active: ActiveFilters, names: dict, params) -> list[Chip]:
    """The active filters, each with a link that removes it; `names` from
    FacetCounts.names() (a slug that names nothing is shown as it is)."""
    result = []
    if active.search:
        result.append(Chip(f"Search: “{active.search}”", list_url(params, q=None, sort=None)))
    for slug in active.venues:
        label = names["venue"].get(slug, slug)
        result.append(Chip(f"Venue: {label}", list_url(params, venue=toggled(active.venues, slug))))
    for key, label in (("year", "Year"), ("year_from", "From"), ("year_to", "To")):
        value = getattr(active, key)
        if value:
            result.append(Chip(f"{label}: {value}", list_url(params, **{key: None})))
    for slug in active.authors:
        label = names["author"].get(slug, slug)
        result.append(
            Chip(f"Author: {label}", list_url(params, author=toggled(active.authors, slug)))
        )
    if active.award:
        label = names["award"].get(active.award, active.award)
        result.append(Chip(f"Award: {label}", list_url(params, award=None)))
    return result


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
