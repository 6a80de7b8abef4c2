"""Browsing pages: the front page, the paper list, papers and awards.

Every page reads through named queryset methods with its joins set up
front, so its number of queries does not grow with the number of papers
(tests/browsing/test_query_budget.py holds each page to a fixed count).
"""

from functools import cached_property, partial

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from catalog import counts
from catalog.exports import FORMATS, bibtex_entry
from catalog.facets import (
    FacetCounts,
    ResultTotal,
    chips,
    facet_counts,
    facet_counts_cached,
    facet_entries,
    list_counts,
    unknown_slugs,
    unknown_values,
)
from catalog.filters import ActiveFilters, PaperFilter
from catalog.links import ListLinks, export_links, link_parts, sort_links
from catalog.metadata import paper_metadata
from catalog.models import LIST_DEFERRED_FIELDS, Authorship, Award, Paper
from catalog.selectors import (
    PAPERS_PER_PAGE,
    active_names,
    list_paginator,
    paper_filter,
    paper_paginator,
)
from core.charts import year_chart
from core.pagination import page_or_404
from core.redirects import moved_list_response
from core.slugs import fixed_url, slug_base
from core.views import CachedPageMixin, CleanParametersMixin, IndexSortMixin

RELATED_PAPERS = 6
NEWEST_ON_FRONT_PAGE = 10
TOP_VENUES_ON_FRONT_PAGE = 12


class HomeView(CleanParametersMixin, CachedPageMixin, TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        # Every count from the cells the database keeps (catalog/counts.py):
        # counting 100,000 papers took 60 ms after each write.
        years = counts.year_counts(ActiveFilters())
        years.pop(None, None)
        return super().get_context_data(
            counts=counts.catalog_totals(),
            chart=year_chart(dict(sorted(years.items())), reverse("catalog:paper-list")),
            newest=Paper.objects.for_list().newest_first()[:NEWEST_ON_FRONT_PAGE],
            top_venues=[
                {"slug": slug, "name": name, "paper_count": n}
                for slug, name, n in counts.venue_counts(ActiveFilters())[:TOP_VENUES_ON_FRONT_PAGE]
            ],
            **kwargs,
        )


class ListFiltersMixin:
    """For the paper list and its facets' page: the context the active
    filters give (chips, problems, the links' parameters), and a 301 when
    they name old slugs (a merge or a renamed slug), found while building
    it. The page is then discarded unrendered, so it is not cached either."""

    moved = None

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        return self.moved or response

    def filters_context(self, filterset: PaperFilter, names: dict) -> dict:
        """`names`: slug to name of the active values (FacetCounts.names()).
        Only slugs that name no one can have moved."""
        active, params = filterset.active(), self.request.GET
        unknown = unknown_slugs(active, names)
        if any(unknown.values()):
            self.moved = moved_list_response(self.request, unknown)
        return {
            "link_parts": link_parts(params),
            "chips": chips(active, names, params),
            "problems": filterset.problems() + unknown_values(active, names),
            "search": active.search,
        }


class LazyResultsFilterView(FilterView):
    """A FilterView whose results (`filterset.qs`, filtered and sorted) are
    built when something first reads them, not before the page is: a
    search by relevance reads its page from the filters' SQL and the
    search's words (catalog.search.postgres.PageSQL), so its results'
    queryset (the search's filter and rank, ~0.4 ms of Python) was built
    for nothing."""

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            # The filter set, not the view: no reference cycle.
            self.object_list = SimpleLazyObject(partial(getattr, self.filterset, "qs"))
        else:
            self.object_list = self.filterset.queryset.none()
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_template_names(self):
        # Its own template only: ListView's would add one named after the
        # results' model, which it finds out by building them.
        return [self.template_name]


class PaperListView(ListFiltersMixin, CleanParametersMixin, CachedPageMixin, LazyResultsFilterView):
    """The paper list: the FilterSet filters and sorts, the facet counts
    (cached per catalog version) give the number of results, the templates
    render rows, chips and facets (the facets fragment cached too).

    When the facet counts are neither cached nor cheap (catalog.facets.
    list_counts()), the rows do not wait for them: the page counts only
    the results, and its facets are a placeholder that a script fills from
    PaperFacetsView (a link to that view's page without JavaScript)."""

    filterset_class = PaperFilter
    paginate_by = PAPERS_PER_PAGE
    # Invalid values are ignored (and reported), not turned into an empty list.
    strict = False
    template_name = "catalog/paper_list.html"
    # What ListView names the rows after their model, given: finding it out
    # would build the results (LazyResultsFilterView).
    context_object_name = "paper_list"

    def get_queryset(self):
        return Paper.objects.for_list()

    def get_filterset(self, filterset_class):
        # Always bound (an empty query string is a valid, empty filter), so
        # the default sort and the facets work the same with or without
        # parameters. Built once a request: cached_page() asks for it first.
        if "_filterset" not in self.__dict__:
            self._filterset = paper_filter(self.request.GET, queryset=self.get_queryset())
        return self._filterset

    def page_key(self):
        key = super().page_key()
        # A page whose facets were deferred is cached apart (cached_page()).
        if key and isinstance(self.__dict__.get("list_counts"), ResultTotal):
            return key + DEFERRED_PAGE
        return key

    def cached_page(self):
        """The page with its facets, else the one with them deferred as long
        as they are still not counted: once the fragment (or the facets'
        page) has counted them, the page is built again with them inline,
        also for a browser without JavaScript."""
        content = super().cached_page()
        if content is not None:
            return content
        key = self.page_key()
        if key is None:
            return None
        if facet_counts_cached(self.catalog_version, self.get_filterset(self.filterset_class)):
            return None
        return cache.get(key + DEFERRED_PAGE)

    @cached_property
    def list_counts(self) -> FacetCounts | ResultTotal:
        """The same for every sort and page of these filters."""
        return list_counts(self.catalog_version, self.filterset, inline_facets_up_to())

    def get_paginator(self, queryset, per_page, **kwargs):
        return list_paginator(
            queryset,
            self.filterset,
            self.list_counts,
            per_page,
            version=self.catalog_version,
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, params, counts = self.filterset, self.request.GET, self.list_counts
        active = filterset.active()
        deferred = isinstance(counts, ResultTotal)
        context.update(
            facets_urls=deferred_facets_urls(params) if deferred else None,
            # Lazy: built only when the facets fragment is not in the cache.
            facets=None
            if deferred
            else SimpleLazyObject(lambda: facet_entries(counts, active, params)),
            # The facets fragment (a hundred-odd links, which cost as much to
            # render as the rows) is cached by the catalog version and
            # `link_parts`.
            **self.filters_context(filterset, shown_names(counts, active)),
            search_words=filterset.search_words,
            sort_links=sort_links(params, filterset.sort_key, bool(active.search)),
            **total_context(counts),
            hidden_filters=[
                (key, value)
                for key, values in params.lists()
                if key in ("venue", "year", "author", "award")
                for value in values
            ],
            export_links=export_links(params),
        )
        return context


# The page cache key's suffix for a list page whose facets were deferred.
DEFERRED_PAGE = ":deferred-facets"


def shown_names(counts: FacetCounts | ResultTotal, active) -> dict[str, dict[str, str]]:
    """The active values' names, for the chips: from the facet counts, else
    from what the number of results read, else one small query."""
    if isinstance(counts, FacetCounts):
        return counts.names()
    return counts.names or active_names(active)


def inline_facets_up_to() -> int | None:
    """Up to how many results a list counts its facets itself (None: always)."""
    return getattr(settings, "PAPERSHELF_FACETS_INLINE_UP_TO", None)


def total_context(counts: FacetCounts | ResultTotal) -> dict:
    """The number of results for the templates: `total`, `total_estimated`,
    and `total_shown` with thousands separators, "about 98,000" when it is
    an estimate (catalog/search/estimate.py)."""
    shown = f"{counts.total:,}"
    if counts.total_estimated:
        shown = f"about {shown}"
    return {
        "total": counts.total,
        "total_estimated": counts.total_estimated,
        "total_shown": shown,
    }


def deferred_facets_urls(params) -> dict[str, str]:
    """The URLs of the facets of the list with `params` (its page aside):
    "fragment" for the list's script, "page" for a browser without it."""
    views = {"fragment": "catalog:paper-facets-fragment", "page": "catalog:paper-facets"}
    return {
        kind: ListLinks(params, fixed_url(view)).url().removesuffix("?")
        for kind, view in views.items()
    }


class PaperFacetsView(ListFiltersMixin, CleanParametersMixin, CachedPageMixin, TemplateView):
    """The facets of the paper list with the same parameters (a list whose
    counts were deferred links here): as the HTML fragment the list's
    script puts in place of its placeholder (`fragment`), or as a page of
    its own for a browser without JavaScript, not for search engines.

    Counted through the list's cache entry (catalog.facets.facet_counts()),
    so the list of the same filters, any sort or page, then shows them
    inline; the fragment is the list's own cached sidebar."""

    fragment = False

    def get_template_names(self):
        if self.fragment:
            return ["catalog/paper_facets_fragment.html"]
        return ["catalog/paper_facets.html"]

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # A page for people without JavaScript, one per filter combination.
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filterset = paper_filter(params)
        counts, active = facet_counts(self.catalog_version, filterset), filterset.active()
        list_path = reverse("catalog:paper-list")
        base = "" if self.fragment else list_path
        return super().get_context_data(
            facets=SimpleLazyObject(lambda: facet_entries(counts, active, params, base)),
            **self.filters_context(filterset, counts.names()),
            list_url=ListLinks(params, list_path).url().removesuffix("?"),
            **total_context(counts),
            **kwargs,
        )


class PaperDetailView(CleanParametersMixin, CachedPageMixin, DetailView):
    """Cached whole until the next write (CachedPageMixin), related papers
    per catalog version (for a prolific author's paper in a big venue they
    cost 9 ms of the page's 15 ms budget at 100,000 papers)."""

    template_name = "catalog/paper_detail.html"

    def get_queryset(self):
        return Paper.objects.for_detail()

    def get_context_data(self, **kwargs):
        paper = self.object
        bibtex = bibtex_entry(paper)
        return super().get_context_data(
            bibtex=bibtex,
            bibtex_rows=bibtex.count("\n") + 1,
            exports=[
                (fmt.label, reverse("catalog:paper-export", args=[paper.slug, fmt.extension]))
                for fmt in FORMATS.values()
            ],
            **paper_metadata(self.request, paper),
            # Read only when the related papers' fragment is not cached (by
            # the catalog version and the paper, as rendered HTML).
            related=SimpleLazyObject(lambda: self.related(paper)),
            has_equal=any(row.equal_contribution for row in paper.authorships.all()),
            abstract_paragraphs=[p for p in paper.abstract.split("\n\n") if p.strip()],
            **kwargs,
        )

    @staticmethod
    def related(paper):
        """Papers sharing the most authors, then the same venue, newest first."""
        # Counting shared authors over every paper of a big venue and of a
        # prolific author costs about a second at 100,000 papers, so
        # candidates come first, in one query with two small subqueries: the
        # RELATED_PAPERS papers sharing the most authors, and the newest
        # papers of the venue (enough to fill up when fewer share authors).
        # Only those few are then counted and ordered: the same result.
        author_ids = [row.person_id for row in paper.authorships.all()]
        shared = Q(authorships__person_id__in=author_ids)
        most_shared = (
            Authorship.objects.filter(person_id__in=author_ids)
            .exclude(paper_id=paper.pk)
            .values("paper_id")
            .annotate(n=Count("person_id", distinct=True))
            .order_by("-n", "-paper__year", "paper__title")
            .values("paper_id")[:RELATED_PAPERS]
        )
        parts = [most_shared]
        if paper.venue_id:
            parts.append(
                Paper.objects.filter(venue_id=paper.venue_id)
                .exclude(pk=paper.pk)
                .order_by("-year", "title")
                .values("pk")[: 2 * RELATED_PAPERS]
            )
        # One UNION of the two candidate lists, not `id IN (…) OR id IN (…)`,
        # which PostgreSQL evaluates by testing every paper (225 ms at 100,000
        # papers for a prolific author in a big venue).
        sql, params = [], []
        for part in parts:
            try:
                part_sql, part_params = part.query.sql_with_params()
            except EmptyResultSet:  # a paper without authors
                continue
            sql.append(f"SELECT * FROM ({part_sql}) AS candidates_{len(sql)}")
            params.extend(part_params)
        if not sql:
            return []
        return list(
            Paper.objects.filter(pk__in=RawSQL(" UNION ".join(sql), params))
            .annotate(shared_authors=Count("authorships", filter=shared, distinct=True))
            .select_related("venue")
            .defer(*LIST_DEFERRED_FIELDS)
            .order_by("-shared_authors", "-year", "title")[:RELATED_PAPERS]
        )


# -- exports ----------------------------------------------------------


def export_response(request, papers, extension: str, filename: str) -> HttpResponse:
    fmt = FORMATS[extension]
    body = fmt.render(papers, page_url=lambda p: request.build_absolute_uri(p.get_absolute_url()))
    response = HttpResponse(body, content_type=fmt.content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt.extension}"
    )
    return response


class PaperExportView(CleanParametersMixin, View):
    """`/papers/<slug>.bib|.ris|.json`: one paper."""

    def get(self, request, slug, extension):
        paper = get_object_or_404(Paper.objects.for_export(), slug=slug)
        return export_response(request, [paper], extension, filename=paper.slug)


class PaperListExportView(CleanParametersMixin, View):
    """`/papers/export.bib|.ris|.json`: every paper the list shows for the same
    parameters, in the same order (the list's own FilterSet), not one page."""

    def get(self, request, extension):
        filterset = paper_filter(request.GET, queryset=Paper.objects.for_export())
        papers = list(filterset.qs)
        moved = moved_list_response(request, self.maybe_unknown(filterset, papers))
        if moved:
            return moved
        return export_response(request, papers, extension, filename=self.filename(filterset))

    @staticmethod
    def maybe_unknown(filterset, papers) -> dict[str, list[str]]:
        """The filter slugs that may name no one, without a query: all of them
        when nothing matched; otherwise only venues no paper is in (venues
        are any-of, authors and the award all-of)."""
        named = filterset.active().named()
        if not papers:
            return named
        seen = {paper.venue.slug for paper in papers if paper.venue}
        return {"venue": [slug for slug in named["venue"] if slug not in seen]}

    @staticmethod
    def filename(filterset) -> str:
        """`papers`, plus the filters that name one thing: "papers-stella-biderman-2023"."""
        parts = ["papers"]
        for name in ("author", "venue", "award", "year"):
            value = filterset.value(name)
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else None
            if value:
                parts.append(slug_base(str(value), max_length=40, fallback=""))
        return "-".join(part for part in parts if part)


class AwardListView(CleanParametersMixin, IndexSortMixin, ListView):
    template_name = "catalog/award_list.html"
    paginate_by = 50

    def get_queryset(self):
        return self.sort_index(Award.objects.annotate(paper_count=Count("papers")))


class AwardDetailView(CleanParametersMixin, DetailView):
    model = Award
    template_name = "catalog/award_detail.html"

    def get_context_data(self, **kwargs):
        award = self.object
        papers = award.papers.for_list().newest_first()
        return super().get_context_data(
            page_obj=page_or_404(paper_paginator(papers), self.request.GET.get("page")),
            exports=export_links(QueryDict(), award=award.slug),
            feed_url=reverse("catalog:award-feed", args=[award.slug]),
            **kwargs,
        )


def robots_txt(request):
    """Crawlers may read everything public; the sitemap lists it."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('catalog:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
