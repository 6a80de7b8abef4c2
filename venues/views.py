from django.views.generic import DetailView

from venues.models import Venue


class VenueDetailView(DetailView):
    model = Venue
    template_name = "venues/venue_detail.html"
