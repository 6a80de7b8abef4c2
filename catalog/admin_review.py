"""The review queue in the paper admin: reasons as a filter and a column,
and "Save and review next" walking the flagged papers."""

from __future__ import annotations

import copy

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from catalog.review import REASON_CHOICES, papers_with_reason, review_reasons

REVIEW_NEXT = "_review_next"


class ReviewReasonFilter(admin.SimpleListFilter):
    title = "review reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return REASON_CHOICES

    def queryset(self, request, queryset):
        if self.value() in dict(REASON_CHOICES):
            return papers_with_reason(queryset, self.value())
        return queryset


class ReviewQueueMixin:
    """For PaperAdmin: the reasons column and the walk through the queue."""

    @admin.display(description="Review reasons")
    def reasons(self, paper):
        found = review_reasons(paper.review_note) if paper.needs_review else []
        if not found:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<span title="{}">{}</span>',
            ((reason.text, reason.label) for reason in found),
        )

    def render_change_form(self, request, context, *args, **kwargs):
        context["show_review_next"] = True
        return super().render_change_form(request, context, *args, **kwargs)

    def response_change(self, request, obj):
        if REVIEW_NEXT not in request.POST:
            return super().response_change(request, obj)
        preserved = self.get_preserved_filters(request)
        following = self.next_to_review(request, obj)
        opts = self.opts
        if following is None:
            self.message_user(request, "Saved. No other paper needs review.", messages.SUCCESS)
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        else:
            self.message_user(
                request, f"Saved “{obj}”. Next to review: “{following}”.", messages.SUCCESS
            )
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[following.pk])
        context = {"preserved_filters": preserved, "opts": opts}
        return HttpResponseRedirect(add_preserved_filters(context, url))

    def next_to_review(self, request, obj):
        """The flagged paper after `obj` (by id, wrapping around) among those
        the changelist shows with the filters staff came from."""
        queue = self.queue(request).filter(needs_review=True).exclude(pk=obj.pk)
        return queue.filter(pk__gt=obj.pk).order_by("pk").first() or queue.order_by("pk").first()

    def queue(self, request):
        """The papers the changelist showed staff, with the filters they came from."""
        listing = copy.copy(request)
        listing.GET = QueryDict(request.GET.get("_changelist_filters", ""))
        try:
            changelist = self.get_changelist_instance(listing)
        except (IncorrectLookupParameters, SuspiciousOperation):
            # A stale or hand-made filter: walk the whole queue instead.
            return self.get_queryset(request)
        return changelist.get_queryset(listing)
