"""The admin action that splits a person: the inverse of a merge, for one
record that holds two people's papers."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from catalog.models import Authorship
from people.services import person_split


@admin.action(description="Split chosen papers off into a new person", permissions=["change"])
def split_person(modeladmin, request, queryset):
    """The first request shows the person's papers to choose from and asks
    for the new person's name; the second (with "split") moves them."""
    people = list(queryset[:2])
    if len(people) != 1:
        modeladmin.message_user(request, "Select exactly one person to split.", messages.WARNING)
        return None
    person = people[0]
    rows = (
        Authorship.objects.filter(person=person)
        .select_related("paper")
        .order_by("-paper__year", "paper__title")
    )
    if "split" in request.POST:
        chosen = [int(pk) for pk in request.POST.getlist("authorship") if pk.isdigit()]
        try:
            new = person_split(
                person=person,
                authorships=chosen,
                name=request.POST.get("name", ""),
                user=request.user,
            )
        except (ValueError, ValidationError) as error:
            modeladmin.message_user(request, f"Not split: {error}", messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                f"Moved {len(chosen)} papers from “{person}” to the new person “{new}”.",
                messages.SUCCESS,
            )
            return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Split {person}",
        "opts": opts,
        "person": person,
        "rows": rows,
        "name": request.POST.get("name", ""),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/people/person_split.html", context)
