from django.views.generic import DetailView, ListView

from catalog.models import Paper
from catalog.views import CleanParametersMixin, index_context, paginate_papers, sorted_index
from venues.models import Venue


class VenueListView(CleanParametersMixin, ListView):
    template_name = "venues/venue_list.html"
    paginate_by = 50

    def get_queryset(self):
        return sorted_index(self, Venue.objects.with_paper_count())

    def get_context_data(self, **kwargs):
        return super().get_context_data(**index_context(self), **kwargs)


class VenueDetailView(CleanParametersMixin, DetailView):
    template_name = "venues/venue_detail.html"

    def get_queryset(self):
        return Venue.objects.prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        papers = Paper.objects.for_list().in_venue(self.object).newest_first()
        return super().get_context_data(page_obj=paginate_papers(self.request, papers), **kwargs)
