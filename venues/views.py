from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.generic import DetailView, ListView

from catalog.cache import get_or_compute
from catalog.charts import year_chart
from catalog.models import Paper
from catalog.views import (
    CachedPageMixin,
    CleanParametersMixin,
    export_links,
    index_context,
    paginate_papers,
    sorted_index,
    years_and_total,
)
from venues.models import Venue


class VenueListView(CleanParametersMixin, ListView):
    template_name = "venues/venue_list.html"
    paginate_by = 50

    def get_queryset(self):
        return sorted_index(self, Venue.objects.with_paper_count())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**index_context(self), **kwargs)


class VenueDetailView(CleanParametersMixin, CachedPageMixin, DetailView):
    """Cached whole until the next write (CachedPageMixin), papers per year per
    catalog version (another page of the venue does not recount them)."""

    template_name = "venues/venue_detail.html"

    def get_queryset(self):
        return Venue.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        venue = self.object
        papers = Paper.objects.for_list().in_venue(venue).newest_first()
        total, chart_html = get_or_compute(
            "venue",
            getattr(self, "catalog_version", None),
            (venue.slug,),
            lambda: venue_summary(venue),
        )
        return super().get_context_data(
            page_obj=paginate_papers(self.request, papers, count=total),
            chart_html=chart_html,
            exports=export_links(QueryDict(), venue=venue.slug),
            feed_url=reverse("catalog:venue-feed", args=[venue.slug]),
            **kwargs,
        )


def venue_summary(venue) -> tuple[int, str]:
    """The venue's number of papers and its year chart, rendered: both change
    only with the catalog, so they are cached together."""
    years, total = years_and_total(Paper.objects.in_venue(venue))
    chart = year_chart(years, venue=venue.slug)
    html = render_to_string("includes/year_chart.html", {"chart": chart, "subject": venue.name})
    return total, html
