from functools import partial

from django.http import QueryDict
from django.views.generic import DetailView, ListView

from catalog import counts
from catalog.links import export_links
from catalog.models import Paper
from catalog.selectors import paper_paginator
from core.cache import get_or_compute
from core.charts import year_chart
from core.pagination import page_or_404
from core.slugs import fixed_url, slug_url
from core.views import CachedPageMixin, CleanParametersMixin, IndexSortMixin
from venues.models import Venue


class VenueListView(CleanParametersMixin, IndexSortMixin, ListView):
    template_name = "venues/venue_list.html"
    paginate_by = 50

    def get_queryset(self):
        return self.sort_index(Venue.objects.with_paper_count())


class VenueDetailView(CleanParametersMixin, CachedPageMixin, DetailView):
    """Cached whole until the next write (CachedPageMixin), papers per year per
    catalog version (another page of the venue does not recount them)."""

    template_name = "venues/venue_detail.html"

    def get_queryset(self):
        return Venue.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        venue = self.object
        papers = Paper.objects.for_list().in_venue(venue).newest_first()
        years, total = get_or_compute(
            "venue-years",
            self.catalog_version,
            (venue.slug,),
            lambda: counts.venue_years(venue),
        )
        return super().get_context_data(
            page_obj=page_or_404(
                paper_paginator(papers, count=total), self.request.GET.get("page")
            ),
            # Rendered once per catalog version by the template, which calls
            # this only then.
            chart=partial(year_chart, years, fixed_url("catalog:paper-list"), venue=venue.slug),
            exports=export_links(QueryDict(), venue=venue.slug),
            feed_url=slug_url("catalog:venue-feed", venue.slug),
            **kwargs,
        )
