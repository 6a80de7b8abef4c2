"""Browsing pages: the front page, the paper list, papers and awards (issue 4).

Every page reads through named queryset methods with its joins set up
front, so its number of queries does not grow with the number of papers
(tests/browsing/test_query_budget.py holds each page to a fixed count).
"""

from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage, Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from catalog.bibtex import paper_bibtex
from catalog.filters import PaperFilter
from catalog.models import Award, Paper
from people.models import Person
from venues.models import Venue

PAPERS_PER_PAGE = 25
DETAIL_PAPERS_PER_PAGE = 50
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


def paginate_papers(request, queryset, per_page=DETAIL_PAPERS_PER_PAGE):
    """A page of papers for `?page=`; 404 for a page that does not exist (as ListView)."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from error


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


class HomeView(CleanParametersMixin, TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            counts=catalog_counts(),
            newest=Paper.objects.for_list().newest_first()[:NEWEST_ON_FRONT_PAGE],
            top_venues=Venue.objects.with_paper_count()
            .filter(paper_count__gt=0)
            .order_by("-paper_count", "name")[:12],
            **kwargs,
        )


class PaperListView(CleanParametersMixin, FilterView):
    filterset_class = PaperFilter
    paginate_by = PAPERS_PER_PAGE
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        facets = filterset.facets()
        context.update(
            facets=facets,
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
        )
        return context


class PaperDetailView(CleanParametersMixin, DetailView):
    template_name = "catalog/paper_detail.html"

    def get_queryset(self):
        return Paper.objects.for_detail()

    def get_context_data(self, **kwargs):
        paper = self.object
        bibtex = paper_bibtex(paper)
        return super().get_context_data(
            bibtex=bibtex,
            bibtex_rows=bibtex.count("\n") + 1,
            related=self.related(paper),
            has_equal=any(row.equal_contribution for row in paper.authorships.all()),
            abstract_paragraphs=[p for p in paper.abstract.split("\n\n") if p.strip()],
            **kwargs,
        )

    @staticmethod
    def related(paper):
        """Papers sharing the most authors, then the same venue, newest first."""
        author_ids = [row.person_id for row in paper.authorships.all()]
        shared = Q(authorships__person_id__in=author_ids)
        condition = shared
        if paper.venue_id:
            condition |= Q(venue_id=paper.venue_id)
        return list(
            Paper.objects.exclude(pk=paper.pk)
            .filter(condition)
            .annotate(shared_authors=Count("authorships", filter=shared, distinct=True))
            .select_related("venue")
            .order_by("-shared_authors", "-year", "title")[:RELATED_PAPERS]
        )


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
        papers = self.object.papers.for_list().newest_first()
        return super().get_context_data(page_obj=paginate_papers(self.request, papers), **kwargs)


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
