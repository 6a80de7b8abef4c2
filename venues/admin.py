from django.contrib import admin
from django.db import models

from core.admin_counts import PaperCountAdminMixin
from core.admin_merge import merge_action
from history.admin import RecordsPaperChangesOnDelete
from venues.models import Venue, VenueAlias
from venues.services import venue_merge


class VenueAliasInline(admin.TabularInline):
    model = VenueAlias
    extra = 1


@admin.register(Venue)
class VenueAdmin(RecordsPaperChangesOnDelete, PaperCountAdminMixin, admin.ModelAdmin):
    paper_lookup = "venue"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "kind", "full_name", "paper_count", "alias_names"]
    list_filter = ["kind"]
    search_fields = ["name", "full_name", "aliases__name"]
    # The slug is editable: its old URLs keep answering, with a 301 (core/redirects.py).
    readonly_fields = ["created_at", "updated_at"]
    inlines = [VenueAliasInline]
    actions = [merge_action(venue_merge, description="Merge selected venues into one")]

    @admin.display(description="Aliases")
    def alias_names(self, venue):
        return ", ".join(alias.name for alias in venue.aliases.all())
