"""Browsing pages: the front page, the paper list, papers and awards.

Every page reads through named queryset methods with its joins set up
front, so its number of queries does not grow with the number of papers
(tests/browsing/test_query_budget.py holds each page to a fixed count).
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest, EmptyResultSet
from django.core.paginator import InvalidPage
from django.db import connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from catalog.cache import TIMEOUT as CACHE_TIMEOUT
from catalog.cache import cache_key, catalog_version, get_or_compute
from catalog.charts import year_chart
from catalog.exports import FORMATS, bibtex_entry
from catalog.filters import PaperFilter
from catalog.metadata import paper_metadata
from catalog.models import LIST_DEFERRED_FIELDS, NEWEST_ORDER, Authorship, Award, Paper
from catalog.pagination import DeferredJoinPaginator
from catalog.search import tiered_page_ids, uses_postgres
from catalog.slugs import slug_base
from people.models import Person
from venues.models import Venue

PAPERS_PER_PAGE = 25
# Person, venue and award pages: as many papers a page as the paper list
# (Google Scholar profiles show 20). At 50, the most prolific author's page
# spent 25 ms building and rendering rows.
DETAIL_PAPERS_PER_PAGE = PAPERS_PER_PAGE
RELATED_PAPERS = 6
NEWEST_ON_FRONT_PAGE = 10


class CleanParametersMixin:
    """A NUL byte is never part of a real search or slug, and PostgreSQL
    refuses it in text: answer 400 rather than let it reach the database."""

    def dispatch(self, request, *args, **kwargs):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL characters are not allowed in the query string.")
        return super().dispatch(request, *args, **kwargs)


def paginate_papers(
    request, queryset, per_page=DETAIL_PAPERS_PER_PAGE, count=None, walk_sort_index=False
):
    """A page of papers for `?page=`, rows as lists show them (Paper.objects.for_list());
    404 for a page that does not exist (as ListView).
    `count`: the number of papers when the caller knows it (saves a COUNT query).
    `walk_sort_index`: the papers are chosen by membership (DeferredJoinPaginator)."""
    paginator = DeferredJoinPaginator(queryset, per_page)
    paginator.rows_from = Paper.objects.for_list()
    paginator.walk_sort_index = walk_sort_index
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from error


def years_and_total(papers) -> tuple[dict[int, int], int]:
    """Papers per known year (for year_chart) and the number of papers, from
    one grouped query: pages with a chart need no COUNT query of their own."""
    rows = papers.order_by().values("year").annotate(n=Count("pk", distinct=True))
    counts = dict(rows.values_list("year", "n"))
    total = sum(counts.values())
    return {year: counts[year] for year in sorted(y for y in counts if y is not None)}, total


def catalog_counts() -> dict:
    """Papers, people and venues in one query (scalar subqueries)."""
    tables = [model._meta.db_table for model in (Paper, Person, Venue)]
    sql = "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)})" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        papers, people, venues = cursor.fetchone()
    return {"papers": papers, "people": people, "venues": venues}


class CachedPageMixin:
    """For pages that depend only on their URL and the catalog (the same for
    every visitor): served from the cache until the next write to the catalog
    (catalog/cache.py). Costs one query (the catalog version) when cached."""

    def get(self, request, *args, **kwargs):
        self.catalog_version = catalog_version()
        if self.catalog_version is None or not getattr(settings, "PAPERSHELF_CACHE_PAGES", True):
            return super().get(request, *args, **kwargs)
        # The whole URL: pages hold absolute links (canonical, metadata), so
        # one host's or scheme's page must not be served for another.
        key = cache_key("page", self.catalog_version, request.build_absolute_uri())
        content = cache.get(key)
        if content is not None:
            return HttpResponse(content)
        response = super().get(request, *args, **kwargs)

        def store(rendered):
            if rendered.status_code == 200:
                cache.set(key, rendered.content, CACHE_TIMEOUT)

        response.add_post_render_callback(store)
        return response


class HomeView(CleanParametersMixin, CachedPageMixin, TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=catalog_counts(),
            chart=year_chart(Paper.objects.years()),
            newest=Paper.objects.for_list().newest_first()[:NEWEST_ON_FRONT_PAGE],
            top_venues=Venue.objects.with_paper_count()
            .filter(paper_count__gt=0)
            .order_by("-paper_count", "name")[:12],
            **kwargs,
        )


class PaperListView(CleanParametersMixin, CachedPageMixin, FilterView):
    filterset_class = PaperFilter
    paginate_by = PAPERS_PER_PAGE
    paginator_class = DeferredJoinPaginator
    # Invalid values are ignored (and reported), not turned into an empty list.
    strict = False
    template_name = "catalog/paper_list.html"

    def get_queryset(self):
        return Paper.objects.for_list()

    def get_filterset_kwargs(self, filterset_class):
        # Always bound (an empty query string is a valid, empty filter), so
        # the default sort and the facets work the same with or without
        # parameters.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_paginator(self, queryset, *args, **kwargs):
        # The facet counts also give the number of results (no COUNT query);
        # they are the same for every sort and page of these filters.
        self.facet_counts = get_or_compute(
            "facets",
            getattr(self, "catalog_version", None),
            self.filterset.cache_parts(),
            self.filterset.facet_counts,
        )
        paginator = super().get_paginator(queryset, *args, **kwargs)
        paginator.count = self.facet_counts["total"]
        filterset = self.filterset
        if filterset.sort_key == "relevance" and filterset.search_words and uses_postgres():
            # Ranking every match reads every match; a page of tiers does not.
            q, tiers = filterset.search, self.facet_counts["tiers"]
            unsearched = filterset.queryset_without("q")
            paginator.page_ids = lambda papers, bottom, top: tiered_page_ids(
                papers, q, NEWEST_ORDER, bottom, top, tiers, unsearched
            )
        else:
            paginator.rows_from = Paper.objects.for_list()
            paginator.walk_sort_index = bool(filterset.value("author") or filterset.value("award"))
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        filterset.learn_names(self.facet_counts)
        # Lazy: only built when the rendered facets are not in the cache.
        facets = SimpleLazyObject(lambda: filterset.facets(self.facet_counts))
        context.update(
            facets=facets,
            # The facets as HTML: a hundred-odd links whose rendering cost as
            # much as the rows'; they depend only on the catalog and the
            # parameters, so they are cached with the counts.
            facets_html=get_or_compute(
                "facets-html",
                getattr(self, "catalog_version", None),
                filterset.link_parts(),
                lambda: render_to_string("catalog/includes/facets.html", {"facets": facets}),
            ),
            chips=filterset.chips(),
            problems=filterset.problems() + filterset.unknown_values(),
            search=filterset.search,
            search_words=filterset.search_words,
            sort_links=filterset.sort_links(),
            total=context["paginator"].count,
            hidden_filters=[
                (key, value)
                for key, values in self.request.GET.lists()
                if key in ("venue", "year", "author", "award")
                for value in values
            ],
            export_links=export_links(self.request.GET),
        )
        return context


class PaperDetailView(CleanParametersMixin, CachedPageMixin, DetailView):
    """Cached whole until the next write (CachedPageMixin), related papers
    per catalog version (for a prolific author's paper in a big venue they
    cost 9 ms of the page's 15 ms budget at 100,000 papers)."""

    template_name = "catalog/paper_detail.html"

    def get_queryset(self):
        return Paper.objects.for_detail()

    def get_context_data(self, **kwargs):
        paper = self.object
        ensure_citation_keys([paper])
        bibtex = bibtex_entry(paper)
        return super().get_context_data(
            bibtex=bibtex,
            bibtex_rows=bibtex.count("\n") + 1,
            exports=[
                (fmt.label, reverse("catalog:paper-export", args=[paper.slug, fmt.extension]))
                for fmt in FORMATS.values()
            ],
            **paper_metadata(self.request, paper),
            related=get_or_compute(
                "related",
                getattr(self, "catalog_version", None),
                (str(paper.pk),),
                lambda: self.related(paper),
            ),
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

# The list parameters an export takes: exactly the list page's, without `page`.
EXPORT_PARAMETERS = ("q", "venue", "year", "year_from", "year_to", "author", "award", "sort")


def ensure_citation_keys(papers) -> None:
    """Key the papers that have none yet (made outside the importer and the admin);
    queries only when there is such a paper."""
    missing = [paper for paper in papers if not paper.citation_key]
    if not missing:
        return
    Paper.objects.filter(pk__in=[p.pk for p in missing]).assign_citation_keys()
    keys = dict(
        Paper.objects.filter(pk__in=[p.pk for p in missing]).values_list("pk", "citation_key")
    )
    for paper in missing:
        paper.citation_key = keys[paper.pk]


def export_links(params, **fixed) -> list[tuple[str, str]]:
    """(label, URL) of the filtered-list exports for `params` (a QueryDict) and `fixed` filters."""
    query = params.copy()
    for key in list(query):
        if key not in EXPORT_PARAMETERS:
            del query[key]
    for key, value in fixed.items():
        query.setlist(key, [value])
    suffix = f"?{query.urlencode()}" if query else ""
    return [
        (fmt.label, reverse("catalog:list-export", args=[fmt.extension]) + suffix)
        for fmt in FORMATS.values()
    ]


def export_response(request, papers, extension: str, filename: str) -> HttpResponse:
    fmt = FORMATS[extension]
    ensure_citation_keys(papers)
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
        filterset = PaperFilter(data=request.GET, queryset=Paper.objects.for_export())
        papers = list(filterset.qs)
        return export_response(request, papers, extension, filename=self.filename(filterset))

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


class AwardListView(CleanParametersMixin, ListView):
    template_name = "catalog/award_list.html"
    paginate_by = 50

    def get_queryset(self):
        return sorted_index(self, Award.objects.annotate(paper_count=Count("papers")))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**index_context(self), **kwargs)


class AwardDetailView(CleanParametersMixin, DetailView):
    model = Award
    template_name = "catalog/award_detail.html"

    def get_context_data(self, **kwargs):
        award = self.object
        papers = award.papers.for_list().newest_first()
        return super().get_context_data(
            page_obj=paginate_papers(self.request, papers),
            exports=export_links(QueryDict(), award=award.slug),
            feed_url=reverse("catalog:award-feed", args=[award.slug]),
            **kwargs,
        )


INDEX_SORTS = {"name": "Name", "papers": "Number of papers"}


def sorted_index(view, queryset):
    """Order an index by `?sort=name` (default) or `?sort=papers`; remember bad values."""
    requested = view.request.GET.get("sort", "")
    view.sort_key = requested if requested in INDEX_SORTS else "name"
    view.sort_problem = (
        f"Ignored sort={requested[:40]!r}: use “name” or “papers”."
        if requested and requested not in INDEX_SORTS
        else ""
    )
    if view.sort_key == "papers":
        return queryset.order_by("-paper_count", "name")
    return queryset.order_by("name")


def index_context(view) -> dict:
    query = view.request.GET.copy()
    query.pop("page", None)
    links = []
    for key, label in INDEX_SORTS.items():
        query["sort"] = key
        links.append((label, "?" + query.urlencode(), key == view.sort_key))
    return {
        "sort_links": links,
        "problems": [view.sort_problem] if view.sort_problem else [],
    }


def robots_txt(request):
    """Crawlers may read everything public; the sitemap lists it."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('catalog:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
