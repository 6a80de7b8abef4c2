"""An admin action that merges selected duplicates into one, after confirmation."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse


def merge_action(merge, *, description: str):
    """Build an admin action around `merge(keep=…, others=…)`.

    The first request shows a confirmation page where staff pick the record
    to keep; the second (with "keep") performs the merge.
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        opts = modeladmin.model._meta
        records = list(queryset)
        if len(records) < 2:
            modeladmin.message_user(
                request,
                f"Select at least two {opts.verbose_name_plural} to merge.",
                messages.WARNING,
            )
            return None
        keep_pk = request.POST.get("keep")
        if keep_pk:
            keep = next((r for r in records if str(r.pk) == keep_pk), None)
            if keep is None:
                modeladmin.message_user(
                    request, "Pick one of the selected records.", messages.ERROR
                )
                return None
            try:
                merge(keep=keep, others=[r for r in records if r.pk != keep.pk])
            except (ValueError, ValidationError) as error:
                modeladmin.message_user(request, f"Not merged: {error}", messages.ERROR)
                return None
            modeladmin.message_user(
                request,
                f"Merged {len(records) - 1} {opts.verbose_name_plural} into “{keep}”.",
                messages.SUCCESS,
            )
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"Merge {opts.verbose_name_plural}",
            "opts": opts,
            "records": records,
            "action_name": action.__name__,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/merge_confirmation.html", context)

    action.__name__ = f"merge_{merge.__name__}"
    return action
