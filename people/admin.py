from django.contrib import admin

from catalog.models import Authorship, Paper
from core.admin_counts import PaperCountAdminMixin
from core.admin_merge import merge_action
from history.admin import RecordsPaperChangesOnDelete
from people.admin_review import DoubtfulFilter, PeopleReviewMixin
from people.admin_split import split_person
from people.models import Person, PersonAlias
from people.services import person_merge


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


class PersonPaperInline(admin.TabularInline):
    """The person's papers, read-only: authorships are edited on the paper."""

    model = Authorship
    fields = ["paper", "position", "equal_contribution"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "paper"
    verbose_name_plural = "papers"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("paper").order_by("-paper__year")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(
    RecordsPaperChangesOnDelete, PeopleReviewMixin, PaperCountAdminMixin, admin.ModelAdmin
):
    paper_lookup = "authorships__person"
    list_display = [
        "name",
        "slug",
        "paper_count",
        "alias_names",
        "needs_review",
        "review_note",
        "candidates",
    ]
    list_filter = [DoubtfulFilter, "needs_review"]
    search_fields = ["name", "aliases__name", "orcid"]
    # The slug is editable: its old URLs keep answering, with a 301 (core/redirects.py).
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PersonAliasInline, PersonPaperInline]
    actions = [
        merge_action(person_merge, description="Merge selected people into one"),
        split_person,
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Papers are found by their authors' names and aliases.
        Paper.objects.filter(authorships__person=form.instance).refresh_search_index()

    @admin.display(description="Also written as")
    def alias_names(self, person):
        return ", ".join(alias.name for alias in person.aliases.all())
