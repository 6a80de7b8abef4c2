from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from catalog.admin_fill import FillFromSourceMixin
from catalog.admin_import import import_urls
from catalog.admin_review import ReviewQueueMixin, ReviewReasonFilter
from catalog.authors_text import paper_set_authors
from catalog.models import (
    IMPORTED_FIELDS,
    Authorship,
    Award,
    DeletedPaper,
    Paper,
    PaperSource,
    ordered_authorships,
)
from catalog.paper_form import PaperAdminForm
from history.admin import PaperHistoryMixin, RecordsPaperChangesOnDelete, RunFilter
from history.services import papers_states, record_states

FIRST_AUTHORS_SHOWN = 3


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    fields = ["position", "person", "equal_contribution"]
    autocomplete_fields = ["person"]
    ordering = ["position"]
    extra = 1

    def get_queryset(self, request):
        return ordered_authorships()


class PaperSourceInline(admin.TabularInline):
    """Where the paper came from: read-only, the importer owns it."""

    model = PaperSource
    fields = ["listing", "format", "entry_index", "line"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SourceListingFilter(admin.SimpleListFilter):
    title = "source listing"
    parameter_name = "listing"

    def lookups(self, request, model_admin):
        listings = PaperSource.objects.order_by("listing").values_list("listing", flat=True)
        return [(name, name) for name in listings.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sources__listing=self.value()).distinct()
        return queryset


@admin.register(Paper)
class PaperAdmin(PaperHistoryMixin, FillFromSourceMixin, ReviewQueueMixin, admin.ModelAdmin):
    form = PaperAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "venue", "year", "first_authors", "award_names", "reasons"]
    list_filter = [
        "needs_review",
        ReviewReasonFilter,
        SourceListingFilter,
        "venue",
        "year",
        "awards",
        RunFilter,
    ]
    search_fields = [
        "title",
        "abstract",
        "arxiv_id",
        "authorships__person__name",
        "authorships__person__aliases__name",
    ]
    autocomplete_fields = ["venue", "awards"]
    inlines = [AuthorshipInline, PaperSourceInline]
    readonly_fields = ["slug", "citation_key", "staff_edited_fields", "created_at", "updated_at"]
    actions = ["mark_reviewed"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "citation_key", "abstract"]}),
        (
            "Publication",
            {
                "fields": [
                    "venue",
                    "venue_detail",
                    "year",
                    "published_on",
                    "awards",
                    "citation",
                ]
            },
        ),
        ("Identifiers", {"fields": ["arxiv_id", "doi", "other_identifier", "url"]}),
        (
            "Authors",
            {
                "fields": [
                    "authors_text",
                    "confirm_authors",
                    "authors_reviewed",
                    "authors_complete",
                    "author_count",
                ]
            },
        ),
        ("Review", {"fields": ["needs_review", "review_note", "resolved_reasons"]}),
        (
            "Bookkeeping",
            {
                "classes": ["collapse"],
                "fields": ["upvotes", "staff_edited_fields", "created_at", "updated_at"],
            },
        ),
    ]

    def get_urls(self):
        # The import page (catalog.admin_import) before the "<id>/" catch-all.
        return import_urls(self) + super().get_urls()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("venue")
            .prefetch_related(Prefetch("authorships", queryset=ordered_authorships()), "awards")
        )

    @admin.display(description="First authors")
    def first_authors(self, paper):
        names = [row.person.name for row in paper.authorships.all()[:FIRST_AUTHORS_SHOWN]]
        if names and paper.et_al_after(FIRST_AUTHORS_SHOWN):
            names.append("et al.")
        return ", ".join(names) or "—"

    @admin.display(description="Awards")
    def award_names(self, paper):
        return ", ".join(award.name for award in paper.awards.all()) or "—"

    @admin.action(description="Mark selected papers as reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        before = papers_states(queryset.values_list("pk", flat=True))
        updated = queryset.update(needs_review=False)
        record_states(before, kind="admin", user=request.user, note="marked reviewed")
        self.message_user(request, f"Marked {updated} paper(s) as reviewed.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        # Remembered so that no import overwrites the edit (the authors: in
        # save_formset()).
        edited = [name for name in form.changed_data if name in IMPORTED_FIELDS]
        if change and edited:
            obj.staff_edited_fields = sorted(set(obj.staff_edited_fields) | set(edited))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.authors_plan is not None:
            paper_set_authors(paper=form.instance, plan=form.authors_plan)
            summary = "; ".join(link.describe() for link in form.authors_plan.links)
            self.message_user(request, f"Authors set: {summary}", messages.SUCCESS)
        # Title, abstract or authors may have changed: keep search current.
        Paper.objects.filter(pk=form.instance.pk).refresh_search_index()
        # Keyed once its authors are known; a key, once given, never changes.
        Paper.objects.filter(pk=form.instance.pk).assign_citation_keys()
        self.record_admin_save(request, form.instance, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Authorship:
            if form.authors_plan is not None:
                # The authors text changed: it replaces the rows (save_related()).
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
                return
            save_authorship_formset(formset)
            if change and formset.has_changed():
                paper = form.instance
                if "authors" not in paper.staff_edited_fields:
                    paper.staff_edited_fields = sorted([*paper.staff_edited_fields, "authors"])
                    paper.save(update_fields=["staff_edited_fields"])
        else:
            super().save_formset(request, form, formset, change)


def save_authorship_formset(formset):
    """Save author rows so that reordering (swapping two positions) works.

    Saving row by row would briefly give two rows the same position and
    trip the unique constraint, so moved rows give up their old place first.
    """
    instances = formset.save(commit=False)
    for obj in formset.deleted_objects:
        obj.delete()
    moved = [obj for obj in instances if obj.pk and obj.position is not None]
    if moved:
        Authorship.objects.filter(pk__in=[obj.pk for obj in moved]).update(position=None)
    for obj in instances:
        obj.save()
    formset.save_m2m()


@admin.register(Award)
class AwardAdmin(RecordsPaperChangesOnDelete, admin.ModelAdmin):
    paper_lookup = "awards"
    list_display = ["name", "slug", "paper_count"]
    search_fields = ["name"]
    # The slug is editable: its old URLs keep answering, with a 301 (core/redirects.py).

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paper_count=Count("papers", distinct=True))

    @admin.display(description="Papers", ordering="paper_count")
    def paper_count(self, award):
        return award.paper_count


@admin.register(DeletedPaper)
class DeletedPaperAdmin(admin.ModelAdmin):
    """Deleted papers the importer will not bring back; delete a row here to allow it."""

    list_display = ["title", "arxiv_id", "deleted_at", "sources", "on_record"]
    search_fields = ["title", "arxiv_id"]
    readonly_fields = ["title", "slug", "arxiv_id", "source_keys", "deleted_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="Sources")
    def sources(self, tombstone):
        return format_html_join(", ", "{}", ((key,) for key in tombstone.source_keys))

    @admin.display(description="Who, and restore")
    def on_record(self, tombstone):
        # The deletion's record (history.PaperDeletion), found by title.
        url = reverse("admin:history_paperdeletion_changelist")
        return format_html('<a href="{}?{}">deletions</a>', url, urlencode({"q": tombstone.title}))
