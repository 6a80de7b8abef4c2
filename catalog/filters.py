"""The paper list's filters and sort orders (the facets: catalog/facets.py).

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
from django.db.models import F, Q, Subquery
from django.db.models.functions import Lower

from catalog.models import (
    EARLIEST_YEAR,
    LATEST_STORABLE_YEAR,
    NEWEST_ORDER,
    Authorship,
    Paper,
)
from catalog.search import MAX_QUERY_LENGTH, query_words
from core.pagination import IsTrue
from venues.models import Venue

MAX_SLUGS = 20  # per repeatable parameter; more is not a person browsing
# The filters that test membership (PaperFilter._members()), declared last.
MEMBERSHIP_FILTERS = ("author", "award")

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


def shallow_copy(obj):
    """copy.copy() of an object that keeps its state in its __dict__ and does
    not define how it is copied (filters, form fields): the same new object,
    without copy.copy()'s reduce protocol (~5 µs -> ~1 µs each, sixteen a
    list page)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _own_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    """A shallow copy of a declared filter with a method proxy of its own (the
    declaration's looks for the method on the declaration's parent)."""
    own = shallow_copy(filter_)
    if filter_.method is not None:
        own.method = filter_.method
    return own


class _DeclaredFilters(dict):
    """A FilterSet's base_filters, which FilterSet.__init__ deep-copies for
    each FilterSet (field arguments, method proxies and all: a tenth of a
    filtered list's Python time). These filters keep no per-request state
    but the parent and model __init__ sets on the copies, so each copy is
    shallow, with a method proxy of its own; the declarations never change."""

    def __deepcopy__(self, memo):
        return {name: _own_copy(filter_) for name, filter_ in self.items()}


class _FormFields(dict):
    """The filters' form's base_fields, which every form deep-copies (widgets,
    validators, error messages, choices: a twentieth of a filtered list's
    Python time). The form is only validated, never rendered or changed,
    and validating changes no field: a shallow copy of each serves."""

    def __deepcopy__(self, memo):
        return {name: shallow_copy(field) for name, field in self.items()}


@dataclass(frozen=True)
class ActiveFilters:
    """The list parameters that passed validation, as plain values: what the
    facets, chips and links of a list are computed from."""

    search: str = ""
    venues: tuple[str, ...] = ()
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    authors: tuple[str, ...] = ()
    award: str = ""

    def named(self) -> dict[str, list[str]]:
        """The slugs of the filters that name people, venues and awards, by parameter."""
        return {
            "author": list(self.authors),
            "venue": list(self.venues),
            "award": [self.award] if self.award else [],
        }


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

    # While set, membership filters (author, award) test a hashed set
    # (walk_queryset()) rather than joining.
    _hashed_membership = False

    @classmethod
    def get_filters(cls):
        return _DeclaredFilters(super().get_filters())

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

    def _members(self, queryset, paper_ids):
        if self._hashed_membership:
            return queryset.filter(IsTrue(Q(pk__in=paper_ids)))
        return queryset.filter(pk__in=paper_ids)

    def _member_ids(self, kind: str, slug: str):
        """The ids of the papers of the person or award `slug` (a values
        queryset), built once a request: the list's filters and its walk
        (walk_queryset()) both test them, and a query used inside another
        is copied there, never changed."""
        built = self.__dict__.setdefault("_member_querysets", {})
        papers = built.get((kind, slug))
        if papers is None:
            if kind == "author":
                papers = Authorship.objects.filter(person__slug=slug).values("paper_id")
            else:
                through = Paper.awards.through.objects.filter(award__slug=slug)
                papers = through.values("paper_id")
            built[(kind, slug)] = papers
        return papers

    def filter_author(self, queryset, name, slugs):
        # All of them: one semi-join per person, so rows never multiply.
        for slug in slugs:
            queryset = self._members(queryset, self._member_ids("author", slug))
        return queryset

    def filter_award(self, queryset, name, slug):
        return self._members(queryset, self._member_ids("award", slug.strip()[:100]))

    def no_op(self, queryset, name, value):
        return queryset  # sorting happens last, in filter_queryset()

    # -- state -----------------------------------------------------------

    @classmethod
    def _form_class(cls, build):
        form_class = cls.__dict__.get("_built_form_class")
        if form_class is None:
            form_class = cls._built_form_class = build()
        return form_class

    def get_form_class(self):
        # django-filter builds a form class (type() with a field per filter)
        # for every FilterSet, so every request. These filters' fields depend
        # on nothing but their declaration (no querysets of choices), and a
        # form copies its class's fields for each instance: one class serves.
        build = super().get_form_class

        def shared_fields():
            form_class = build()
            form_class.base_fields = _FormFields(form_class.base_fields)
            return form_class

        return self._form_class(shared_fields)

    def is_valid(self):
        # Asked a few dozen times a page (each value(), the sort, active(),
        # the cache keys), and the bound data never changes: the form's
        # answer once (each asking went through the form and its errors).
        valid = self.__dict__.get("_valid")
        if valid is None:
            valid = self._valid = super().is_valid()
        return valid

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
        # The membership filters come last (their fields' order): what the
        # others give is kept for walk_queryset(), which would build it again.
        for name, value in self.form.cleaned_data.items():
            if name in MEMBERSHIP_FILTERS:
                self.__dict__.setdefault("_without_members", queryset)
            queryset = self.filters[name].filter(queryset, value)
        return self.sorted(queryset)

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
            ranked = queryset.with_rank(self.search, unsearched=self.queryset_without("q"))
            return ranked.order_by("-rank", *newest)
        return queryset.newest_first()

    def queryset_without(self, *names):
        """The papers matching every active filter except `names` (unsorted)."""
        if not (names or self._hashed_membership or self.search):
            # Every filter: the list's own results without their order (no
            # annotation without a search; the model's default order, as
            # the filters give it), not the filters applied again.
            queryset = self.qs.all()
            queryset.query.clear_ordering(force=True, clear_default=False)
            return queryset
        self.is_valid()
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name not in names and name != "sort":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def walk_queryset(self):
        """The results (unsorted) for reading a page by walking a sort index
        (core/pagination.py): the author and award filters test each walked
        paper against a hashed set of their papers, read once from the
        (person, paper) index. Through queryset_without() they are semi-joins,
        which the planner, expecting a dozen papers a person, ran as one
        primary-key probe per paper of the author (2,482 for the most
        prolific: 13 ms of a 25-row page)."""
        _ = self.qs  # built first, with its semi-joins: the walk starts from its filters
        queryset = self.__dict__.get("_without_members")
        self._hashed_membership = True
        try:
            if queryset is None:
                return self.queryset_without()
            queryset = queryset.all()
            for name in MEMBERSHIP_FILTERS:
                queryset = self.filters[name].filter(queryset, self.form.cleaned_data.get(name))
            return queryset
        finally:
            self._hashed_membership = False

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

    def active(self) -> ActiveFilters:
        # The same for the whole request (the view, its paginator and the
        # facets each ask): built once.
        active = self.__dict__.get("_active")
        if active is None:
            active = self._active = self._read_active()
        return active

    def _read_active(self) -> ActiveFilters:
        return ActiveFilters(
            search=self.search,
            venues=tuple(self.value("venue") or ()),
            year=self.value("year"),
            year_from=self.value("year_from"),
            year_to=self.value("year_to"),
            authors=tuple(self.value("author") or ()),
            award=(self.value("award") or "").strip(),
        )

    def cache_parts(self) -> tuple[str, ...]:
        """What the results and facet counts depend on: the valid filters, not
        the sort or the page (the facet counts are cached by it)."""
        self.is_valid()
        return tuple(
            f"{name}={value!r}"
            for name, value in sorted(self.form.cleaned_data.items())
            if name != "sort" and value not in (None, "", [])
        )
