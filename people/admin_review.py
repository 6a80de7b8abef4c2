"""The people review queue: surname-only and flagged people, each beside the
full-named people they may be, merged in one click through person_merge."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from catalog.importer.bibliographic import same_person_name
from catalog.importer.names import is_surname_only
from people.models import Person
from people.services import person_merge

# Beyond this many candidates a name is too common to list them usefully.
MAX_CANDIDATES = 5


def doubtful_people(queryset):
    """Flagged people, and people named by one word ("Schoelkopf"): a name
    with particles ("Le Scao") is flagged by the importer when it is doubtful."""
    return queryset.filter(Q(needs_review=True) | ~Q(name__contains=" "))


def candidates_for(people: list[Person]) -> dict[int, list[Person]]:
    """Full-named people each doubtful person may be ("Schoelkopf" -> "Hailey
    Schoelkopf", "S. Biderman" -> "Stella Biderman"), for a page of people in
    one query."""
    surnames = {p.pk: p.name.split()[-1] for p in people if p.name.split()}
    if not surnames:
        return {}
    matching = reduce(or_, (Q(name__iendswith=f" {s}") for s in set(surnames.values())))
    others = list(Person.objects.filter(matching).only("id", "name", "slug").order_by("name"))
    found: dict[int, list[Person]] = {}
    for person in people:
        if person.pk not in surnames:
            continue
        fits = [
            other
            for other in others
            if other.pk != person.pk
            and not is_surname_only(other.name)
            and same_person_name(person.name, other.name)
        ]
        found[person.pk] = fits[:MAX_CANDIDATES]
    return found


class DoubtfulFilter(admin.SimpleListFilter):
    title = "review queue"
    parameter_name = "doubtful"

    def lookups(self, request, model_admin):
        return [("1", "Surname-only or flagged")]

    def queryset(self, request, queryset):
        return doubtful_people(queryset) if self.value() == "1" else queryset


class CandidatesChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        found = candidates_for(list(self.result_list))
        for person in self.result_list:
            person.merge_candidates = found.get(person.pk, [])


class PeopleReviewMixin:
    """For PersonAdmin: the candidates column and the one-click merge."""

    def get_changelist(self, request, **kwargs):
        return CandidatesChangeList

    @admin.display(description="May be")
    def candidates(self, person):
        found = getattr(person, "merge_candidates", [])
        if not found:
            return "—"
        url = reverse("admin:people_person_merge_into", args=[person.pk])
        # A submit button of the changelist's own form (which carries the CSRF
        # token), sent to the merge URL instead: one click, no nested form.
        return format_html_join(
            mark_safe(" "),
            '<button type="submit" formaction="{}" name="keep" value="{}" '
            'title="Merge “{}” into “{}”">Merge into {}</button>',
            ((url, other.pk, person.name, other.name, other.name) for other in found),
        )

    def get_urls(self):
        merge = path(
            "<path:object_id>/merge-into/",
            self.admin_site.admin_view(self.merge_into_view),
            name="people_person_merge_into",
        )
        return [merge, *super().get_urls()]

    def merge_into_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        person = get_object_or_404(Person, pk=object_id)
        keep = get_object_or_404(Person, pk=request.POST.get("keep"))
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        name = person.name
        try:
            person_merge(keep=keep, others=[person])
        except ValueError as error:
            self.message_user(request, f"Not merged: {error}", messages.ERROR)
        else:
            self.message_user(request, f"Merged “{name}” into “{keep}”.", messages.SUCCESS)
        # Back to the list staff came from, with its filters (same host only).
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:people_person_changelist")
        return HttpResponseRedirect(back)
