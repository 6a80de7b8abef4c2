"""The changelist columns people and venues share: their paper count, counted
by the model's own QuerySet so the admin and the public index count alike."""

from django.contrib import admin


class PaperCountAdminMixin:
    """For a ModelAdmin whose model's QuerySet has `with_paper_count()` and
    whose rows have `aliases` (shown in the list, so fetched in one query)."""

    def get_queryset(self, request):
        return super().get_queryset(request).with_paper_count().prefetch_related("aliases")

    @admin.display(description="Papers", ordering="paper_count")
    def paper_count(self, obj):
        return obj.paper_count
