from dataclasses import dataclass
from functools import partial

from django.db.models import Q
from django.http import QueryDict
from django.views.generic import DetailView, ListView

from catalog import counts
from catalog.links import export_links
from catalog.models import Authorship, Paper
from catalog.search import MAX_QUERY_LENGTH, filter_folded_contains
from catalog.selectors import paper_paginator
from core.cache import get_or_compute
from core.charts import year_chart
from core.pagination import page_or_404
from core.slugs import fixed_url, slug_url, slug_urls
from core.template_values import TemplateValues
from core.views import CachedPageMixin, CleanParametersMixin, IndexSortMixin
from people.models import Person, PersonAlias
from people.sidebar import sidebar_html


class PersonListView(CleanParametersMixin, IndexSortMixin, ListView):
    """Everyone with a paper count; `?q=` searches names and name variants."""

    template_name = "people/person_list.html"
    paginate_by = 50

    def get_queryset(self):
        people = Person.objects.with_paper_count()
        self.search = (self.request.GET.get("q") or "").strip()[:MAX_QUERY_LENGTH]
        if self.search:
            by_alias = filter_folded_contains(PersonAlias.objects.all(), "name", self.search)
            by_name = filter_folded_contains(Person.objects.all(), "name", self.search)
            people = people.filter(
                Q(pk__in=by_name.values("pk")) | Q(pk__in=by_alias.values("person_id"))
            )
        return self.sort_index(people)

    def get_context_data(self, **kwargs):
        return super().get_context_data(search=self.search, **kwargs)


# The most frequent co-authors and venues only: a prolific author has
# thousands of co-authors and hundreds of venues.
COAUTHORS_SHOWN = 50
VENUES_SHOWN = 25
# Co-authors are counted in at most this many of a person's papers, the most
# recently added: counting them reads every authorship of every paper (12,000
# for the most prolific author of 100,000 papers, the largest cost of that
# page after a write), and grows with the catalog. The page says so.
COAUTHOR_PAPERS = 1000


@dataclass(frozen=True, slots=True)
class Counted(TemplateValues):
    """A co-author or venue of a person page: name, link and shared papers
    (TemplateValues: 75 of them, three lookups each, after every write)."""

    name: str
    url: str
    shared: int


def person_aggregates(person) -> dict:
    """What a person page shows about the whole of a person's work: papers per
    year (and so their number), the most frequent venues (and how many), the
    most frequent co-authors. Two queries: the person's papers per year
    and per venue the database keeps (migration catalog 0018: a row a year,
    the shown venues), and the co-authors (grouped from the index, about 4
    authorships per paper); cached per catalog version by the view."""
    years, venues, venue_count = counts.person_totals(person, VENUES_SHOWN)
    total = sum(years.values())
    years.pop(None, None)
    # Grouped by person before people are read: joining people first grouped
    # 12,000 rows by name for the most prolific author (190 ms). The newest
    # ids come straight from the (person, paper) index.
    their_papers = Authorship.objects.filter(person=person).order_by("-paper_id").values("paper_id")
    if total > COAUTHOR_PAPERS:
        their_papers = their_papers[:COAUTHOR_PAPERS]
    coauthors = counts.top_authors(their_papers, COAUTHORS_SHOWN, exclude=person.pk, bounded=True)
    # The URLs around the slugs resolved once each, not once per entry (75
    # reads of the script prefix and URL configuration were half of this).
    person_url, venue_url = slug_urls("people:detail"), slug_urls("venues:detail")
    return {
        "years": dict(sorted(years.items())),
        "total": total,
        # The number of papers co-authors were counted in, when not all.
        "coauthor_papers": COAUTHOR_PAPERS if total > COAUTHOR_PAPERS else None,
        "coauthors": [Counted(name, person_url(slug), n) for slug, name, n in coauthors],
        "venues": [Counted(name, venue_url(slug), n) for slug, name, n in venues],
        "venue_count": venue_count,
    }


class PersonDetailView(CleanParametersMixin, CachedPageMixin, DetailView):
    """Cached whole until the next write (CachedPageMixin); the aggregates are
    cached per catalog version too, so that another page of the same person
    does not recompute them."""

    template_name = "people/person_detail.html"

    def get_queryset(self):
        return Person.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        person = self.object
        papers = Paper.objects.for_list().by_person(person).newest_first()
        aggregates = get_or_compute(
            "person-aggregates",
            self.catalog_version,
            (person.slug,),
            lambda: person_aggregates(person),
        )
        return super().get_context_data(
            page_obj=page_or_404(
                # The ids from the (person, paper) index alone: through the
                # papers' filter, every id was looked up in the paper table
                # again (8,000 index pages for the most prolific author).
                paper_paginator(
                    papers,
                    count=aggregates["total"],
                    members=Authorship.objects.filter(person=person).values("paper_id"),
                ),
                self.request.GET.get("page"),
            ),
            # The chart and the sidebar are hundreds of links for the most
            # prolific author, which cost more to render than the page's
            # papers: the template caches them by the catalog version, and
            # calls these (templates call what they are given) only when
            # they are not in the cache.
            chart=partial(
                year_chart, aggregates["years"], fixed_url("catalog:paper-list"), author=person.slug
            ),
            sidebar=partial(
                sidebar_html,
                person.name,
                paper_count=aggregates["total"],
                coauthors=aggregates["coauthors"],
                coauthors_shown=COAUTHORS_SHOWN,
                coauthor_papers=aggregates["coauthor_papers"],
                venues=aggregates["venues"],
                venue_count=aggregates["venue_count"],
            ),
            # The page's description names the first of each.
            coauthors=aggregates["coauthors"],
            venues=aggregates["venues"],
            exports=export_links(QueryDict(), author=person.slug),
            feed_url=slug_url("catalog:person-feed", person.slug),
            **kwargs,
        )
