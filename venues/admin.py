from django.contrib import admin
from django.db import models
from django.db.models import Count

from core.admin_merge import merge_action
from venues.models import Venue, VenueAlias
from venues.services import venue_merge


class VenueAliasInline(admin.TabularInline):
    model = VenueAlias
    extra = 1


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "full_name", "paper_count", "alias_names"]
    list_filter = ["kind"]
    search_fields = ["name", "full_name", "aliases__name"]
    # The slug is editable: its old URLs keep answering, with a 301 (core/redirects.py).
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VenueAliasInline]
    actions = [merge_action(venue_merge, description="Merge selected venues into one")]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(paper_count=Count("papers", distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description="Papers", ordering="paper_count")
    def paper_count(self, venue):
        return venue.paper_count

    @admin.display(description="Aliases")
    def alias_names(self, venue):
        return ", ".join(alias.name for alias in venue.aliases.all())
