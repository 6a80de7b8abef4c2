"""The paper list's filters, sort orders and facets.

Parameter names and meanings are a public contract (see CONTRACT.md):
`q`, `venue` (repeatable, any-of), `year`, `year_from`, `year_to`, `author`
(repeatable, all-of), `award`, `sort`; `page` belongs to the view.

How bad values are treated, consistently:
* a value that is not of the right shape (`year=abc`, `sort=bogus`) is
  ignored, and the page says so;
* a well-formed value that names nothing (`venue=no-such-venue`) is applied:
  no paper is in a venue that does not exist, so the result is empty, and
  the page says the venue is unknown;
* an over-long search is cut to `MAX_QUERY_LENGTH` characters, and the page
  says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Case, Count, F, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.http import QueryDict

from catalog.models import (
    EARLIEST_YEAR,
    LATEST_STORABLE_YEAR,
    NEWEST_ORDER,
    Authorship,
    Award,
    Paper,
)
from catalog.search import ELSEWHERE, MAX_QUERY_LENGTH, TITLE, query_words
from people.models import Person
from venues.models import Venue

TOP_AUTHORS = 10
TOP_VENUES = 25
MAX_SLUGS = 20  # per repeatable parameter; more is not a person browsing

SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title",
    "upvotes": "Most upvoted",
    "relevance": "Relevance",
}


class SearchField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > MAX_QUERY_LENGTH:
            # Cut at a word boundary: a half word would match differently
            # (a prefix on SQLite, nothing on PostgreSQL).
            head = value[: MAX_QUERY_LENGTH + 1]
            value = head.rsplit(None, 1)[0] if head.split() != [head] else head[:-1]
        return value.strip()


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SlugListField(forms.Field):
    """Every value of a repeated parameter, stripped, de-duplicated, in order."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        slugs = []
        for item in value or ():
            item = str(item).strip()[:100]
            if item and item not in slugs:
                slugs.append(item)
        return slugs[:MAX_SLUGS]


class SlugListFilter(django_filters.Filter):
    field_class = SlugListField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", EARLIEST_YEAR)
        kwargs.setdefault("max_value", LATEST_STORABLE_YEAR)
        super().__init__(*args, **kwargs)


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


@dataclass
class FacetEntry:
    label: str
    count: int
    active: bool
    url: str


@dataclass
class Chip:
    label: str
    url: str


class PaperFilter(django_filters.FilterSet):
    q = SearchFilter(method="filter_q", label="Search")
    venue = SlugListFilter(method="filter_venue", label="Venue")
    year = YearFilter(field_name="year", label="Year")
    year_from = YearFilter(field_name="year", lookup_expr="gte", label="From year")
    year_to = YearFilter(field_name="year", lookup_expr="lte", label="To year")
    author = SlugListFilter(method="filter_author", label="Author")
    award = django_filters.CharFilter(method="filter_award", label="Award")
    sort = django_filters.ChoiceFilter(
        choices=list(SORTS.items()), method="no_op", label="Sort", empty_label=None
    )

    class Meta:
        model = Paper
        fields = []

    # -- filters ---------------------------------------------------------

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_venue(self, queryset, name, slugs):
        if len(slugs) == 1:
            # `venue_id = (SELECT id …)`, not a join: the planner can then walk
            # the (venue, newest) index in order and stop after a page, where
            # a join to the venue table made it read and sort the whole venue
            # (44 ms for a search in a venue of 11,000 papers).
            venue = Venue.objects.filter(slug=slugs[0]).values("pk")[:1]
            return queryset.filter(venue_id=Subquery(venue))
        return queryset.filter(venue__slug__in=slugs) if slugs else queryset

    def filter_author(self, queryset, name, slugs):
        # All of them: one semi-join per person, so rows never multiply.
        for slug in slugs:
            queryset = queryset.filter(
                pk__in=Authorship.objects.filter(person__slug=slug).values("paper_id")
            )
        return queryset

    def filter_award(self, queryset, name, slug):
        through = Paper.awards.through.objects.filter(award__slug=slug.strip()[:100])
        return queryset.filter(pk__in=through.values("paper_id"))

    def no_op(self, queryset, name, value):
        return queryset  # sorting happens last, in filter_queryset()

    # -- state -----------------------------------------------------------

    def value(self, name):
        """The cleaned value of `name`, or None when absent or invalid."""
        self.is_valid()
        return self.form.cleaned_data.get(name) or None

    @property
    def search(self) -> str:
        return self.value("q") or ""

    @property
    def search_words(self) -> list[str]:
        return query_words(self.search)

    @property
    def sort_key(self) -> str:
        requested = self.value("sort")
        if requested == "relevance" and not self.search:
            return "newest"
        return requested or ("relevance" if self.search else "newest")

    def filter_queryset(self, queryset):
        return self.sorted(super().filter_queryset(queryset))

    def sorted(self, queryset):
        key = self.sort_key
        if key == "oldest":
            return queryset.oldest_first()
        if key == "title":
            return queryset.order_by(Lower("title"), "id")
        newest = NEWEST_ORDER
        if key == "upvotes":
            return queryset.order_by(F("upvotes").desc(nulls_last=True), *newest)
        if key == "relevance":
            return queryset.with_rank(self.search).order_by("-rank", *newest)
        return queryset.newest_first()

    def queryset_without(self, *names):
        """The papers matching every active filter except `names` (unsorted)."""
        self.is_valid()
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def problems(self) -> list[str]:
        """Messages about parameters that were ignored or shortened."""
        self.is_valid()
        messages = []
        for name, errors in self.form.errors.items():
            raw = self.data.get(name, "")
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            messages.append(f"Ignored {name}={shown!r}: {' '.join(errors)}")
        raw_q = self.data.get("q", "")
        if len(raw_q.strip()) > MAX_QUERY_LENGTH:
            messages.append(
                f"Your search was longer than {MAX_QUERY_LENGTH} characters; "
                "only its beginning was used."
            )
        return messages

    # -- facets and chips --------------------------------------------------

    def _url(self, **changes) -> str:
        """This list's URL with `changes` (None removes a parameter), back on page 1."""
        data: QueryDict = self.data.copy() if self.data else QueryDict(mutable=True)
        data.pop("page", None)
        for key, values in changes.items():
            data.pop(key, None)
            if values is not None:
                data.setlist(key, values if isinstance(values, list) else [str(values)])
        encoded = data.urlencode()
        return f"?{encoded}" if encoded else "?"

    def _toggled(self, name, slug):
        active = list(self.value(name) or [])
        if slug in active:
            active.remove(slug)
        else:
            active.append(slug)
        return active or None

    def cache_parts(self) -> tuple[str, ...]:
        """What the results and facet counts depend on: the valid filters, not
        the sort or the page (catalog/cache.py keys the counts with it)."""
        self.is_valid()
        return tuple(
            f"{name}={value!r}"
            for name, value in sorted(self.form.cleaned_data.items())
            if name != "sort" and value not in (None, "", [])
        )

    def facet_counts(self) -> dict:
        """The raw facet counts, and the number of results: four grouped queries.

        Venues, years and awards are counted without their own filter (picking
        another venue widens an any-of choice; years and awards replace the
        current one); authors are counted within the current results, since
        adding an author narrows (all-of). One grouped query per facet, which
        also returns the names of the active values for the chips. The year
        query also counts papers without a year, so the number of results
        comes from it instead of a COUNT query of its own: it is the
        active year's count, or the sum over every year.
        """
        active_venues = self.value("venue") or []
        venues = _counted(
            Venue, "papers", self.queryset_without("venue"), Q(slug__in=active_venues)
        )
        year = self.value("year")
        # With a search, also by relevance tier (catalog/search.py), so a
        # relevance-sorted page knows where each tier starts (tiered_page_ids()).
        in_years = self.queryset_without("year").order_by()
        if self.search_words:
            by_year = in_years.with_rank(self.search).values("year", "rank")
        else:
            by_year = in_years.annotate(rank=Value(ELSEWHERE)).values("year", "rank")
        rows = list(by_year.annotate(n=Count("pk")).values_list("year", "rank", "n"))
        per_year, tiers = {}, [0, 0, 0]
        for y, rank, n in rows:
            per_year[y] = per_year.get(y, 0) + n
            if not year or y == year:
                tiers[TITLE - rank] += n
        years = sorted(per_year.items(), key=lambda row: (row[0] is None, -(row[0] or 0)))
        active_award = (self.value("award") or "").strip()
        awards = _counted(Award, "papers", self.queryset_without("award"), Q(slug=active_award))
        active_authors = self.value("author") or []
        authors = _counted(
            Person,
            "authorships__paper",
            self.queryset_without(),
            Q(slug__in=active_authors),
            # Active authors first, so the slice never drops one.
            limit=TOP_AUTHORS + len(active_authors),
        )
        total = per_year.get(year, 0) if year else sum(per_year.values())
        return {
            "tiers": tiers,
            "venues": venues,
            "years": [(y, n) for y, n in years if y is not None],
            "awards": awards,
            "authors": authors,
            "total": total,
        }

    def learn_names(self, counts: dict) -> None:
        """The names of the counted venues, authors and awards, for chips()
        and unknown_values(), from facet_counts()."""
        self._names = {
            "venue": {slug: name for slug, name, _ in counts["venues"]},
            "author": {slug: name for slug, name, _ in counts["authors"]},
            "award": {slug: name for slug, name, _ in counts["awards"]},
        }

    def link_parts(self) -> tuple[str, ...]:
        """What the facet, chip and sort links depend on: every parameter but
        the page (_url() keeps unknown ones too)."""
        if not self.data:
            return ()
        return tuple(
            f"{key}={value}"
            for key, values in sorted(self.data.lists())
            if key != "page"
            for value in values
        )

    def facets(self, counts: dict | None = None) -> dict:
        """Facet entries (label, count, active, URL) from facet_counts()."""
        counts = counts if counts is not None else self.facet_counts()
        self.learn_names(counts)
        venues, years = counts["venues"], counts["years"]
        awards, authors = counts["awards"], counts["authors"]
        active_venues = self.value("venue") or []
        year = self.value("year")
        active_award = (self.value("award") or "").strip()
        active_authors = self.value("author") or []
        author_entries = [
            FacetEntry(
                name, n, slug in active_authors, self._url(author=self._toggled("author", slug))
            )
            for slug, name, n in authors
        ]
        # Active authors first, then the most prolific in these results.
        author_entries.sort(key=lambda e: (not e.active, -e.count, e.label))
        return {
            "venues": [
                FacetEntry(
                    name, n, slug in active_venues, self._url(venue=self._toggled("venue", slug))
                )
                for index, (slug, name, n) in enumerate(venues)
                # The biggest ones and the chosen ones: a catalog has hundreds
                # of venues, and each entry costs a URL to build.
                if index < TOP_VENUES or slug in active_venues
            ],
            "years": [
                FacetEntry(str(y), n, y == year, self._url(year=None if y == year else y))
                for y, n in years
            ],
            "awards": [
                FacetEntry(
                    name,
                    n,
                    slug == active_award,
                    self._url(award=None if slug == active_award else slug),
                )
                for slug, name, n in awards
            ],
            "authors": author_entries[: max(TOP_AUTHORS, len(active_authors))],
        }

    def unknown_values(self) -> list[str]:
        """Messages for slugs that name nothing (call after learn_names())."""
        names = getattr(self, "_names", None) or {}
        messages = []
        for key, noun in (("venue", "venue"), ("author", "person"), ("award", "award")):
            values = self.value(key) or []
            if isinstance(values, str):
                values = [values.strip()]
            for slug in values:
                if slug not in names.get(key, {}):
                    messages.append(f"There is no {noun} “{slug}” in the catalog.")
        return messages

    def chips(self) -> list[Chip]:
        """The active filters, each with a link that removes it (call after learn_names())."""
        names = getattr(self, "_names", None) or {}
        chips = []
        if self.search:
            chips.append(Chip(f"Search: “{self.search}”", self._url(q=None, sort=None)))
        for slug in self.value("venue") or []:
            label = names.get("venue", {}).get(slug, slug)
            chips.append(Chip(f"Venue: {label}", self._url(venue=self._toggled("venue", slug))))
        for key, label in (("year", "Year"), ("year_from", "From"), ("year_to", "To")):
            if self.value(key):
                chips.append(Chip(f"{label}: {self.value(key)}", self._url(**{key: None})))
        for slug in self.value("author") or []:
            label = names.get("author", {}).get(slug, slug)
            chips.append(Chip(f"Author: {label}", self._url(author=self._toggled("author", slug))))
        if self.value("award"):
            slug = self.value("award").strip()
            label = names.get("award", {}).get(slug, slug)
            chips.append(Chip(f"Award: {label}", self._url(award=None)))
        return chips

    def sort_links(self) -> list[tuple[str, str, bool]]:
        keys = [k for k in SORTS if k != "relevance" or self.search]
        return [(SORTS[k], self._url(sort=k), k == self.sort_key) for k in keys]

    def clear_url(self) -> str:
        return "?"
