"""The paper's History page and revert, and the import runs' admin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from history.models import ImportRun, PaperRevision
from history.services import paper_revert, paper_state, record_change
from history.state import curated_state, label, readable

REVISIONS_PER_PAGE = 25


class PaperHistoryMixin:
    """For PaperAdmin: every admin save recorded, the History page, revert."""

    def get_object(self, request, object_id, from_field=None):
        paper = super().get_object(request, object_id, from_field)
        if paper is not None and request.method == "POST":
            # Read before the form changes it (get_queryset() prefetches the
            # relations, so this costs no query).
            request._paper_state_before = curated_state(paper)
        return paper

    def record_admin_save(self, request, paper, change: bool) -> None:
        before = getattr(request, "_paper_state_before", None)
        if not change or before is None:
            PaperRevision.objects.create(
                paper=paper,
                paper_title=paper.title[:500],
                created_at=paper.created_at,
                user=request.user,
                kind=PaperRevision.Kind.CREATED,
            )
            return
        record_change(
            paper, before, paper_state(paper.pk), kind=PaperRevision.Kind.ADMIN, user=request.user
        )

    def history_view(self, request, object_id, extra_context=None):
        paper = self.get_object(request, object_id)
        if paper is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, paper):
            raise PermissionDenied
        revert_id = request.POST.get("revert") or request.GET.get("revert")
        if revert_id:
            return self._revert(request, paper, revert_id)
        revisions = paper.revisions.select_related("user", "run").order_by("-created_at", "-id")
        page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {paper}",
            "subtitle": None,
            "opts": self.opts,
            "paper": paper,
            "page": page,
            "rows": [_row(revision) for revision in page],
            "can_revert": self.has_change_permission(request, paper),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/history/paper_history.html", context)

    def _revert(self, request, paper, revert_id):
        if not self.has_change_permission(request, paper):
            raise PermissionDenied
        revision = get_object_or_404(PaperRevision, pk=revert_id, paper=paper)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            done = paper_revert(paper=paper, revision=revision, user=request.user)
            self.message_user(
                request,
                "Reverted." if done else "Nothing to revert: the paper is already so.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": "Revert this paper?",
            "opts": self.opts,
            "paper": paper,
            "revision": revision,
            "row": _row(revision),
        }
        return TemplateResponse(request, "admin/history/paper_revert.html", context)


def _row(revision: PaperRevision) -> dict:
    run_url = (
        reverse("admin:history_importrun_change", args=[revision.run_id]) if revision.run_id else ""
    )
    return {
        "revision": revision,
        "run_url": run_url,
        "who": revision.who,
        "changes": [
            (label(name), readable(name, before), readable(name, after))
            for name, (before, after) in revision.changes.items()
        ],
    }


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "started_at", "who", "counts", "undone"]
    list_filter = ["kind"]
    list_select_related = ["user", "undone_by"]
    fields = [
        "kind",
        "started_at",
        "who",
        "file_table",
        "format",
        "options",
        "report_summary",
        "papers",
    ]
    readonly_fields = fields
    actions = ["undo_runs"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Who")
    def who(self, run):
        return run.who

    @admin.display(description="Papers")
    def counts(self, run):
        report = run.report or {}
        return (
            f"{len(report.get('created', []))} created, {len(report.get('updated', []))} updated, "
            f"{len(report.get('conflicts', []))} conflicts"
        )

    @admin.display(description="Undone by")
    def undone(self, run):
        undo = getattr(run, "undone_by", None)
        return str(undo) if undo else "—"

    @admin.display(description="Files")
    def file_table(self, run):
        return format_html_join(
            "",
            "<div>{} ({} bytes, sha256 {})</div>",
            ((f["name"], f.get("size", "?"), f.get("sha256", "?")) for f in run.files),
        )

    @admin.display(description="Report")
    def report_summary(self, run):
        report = run.report or {}
        keys = (
            "entries",
            "merged",
            "unchanged",
            "people_created",
            "venues_created",
            "awards_created",
            "flagged",
            "conflicts",
            "deleted_skipped",
        )
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            ((key, _count(report.get(key))) for key in keys if key in report),
        )

    @admin.display(description="Papers it touched")
    def papers(self, run):
        url = reverse("admin:catalog_paper_changelist")
        return format_html('<a href="{}?run={}">the papers of this run</a>', url, run.pk)

    @admin.action(description="Undo the selected runs (newest first)")
    def undo_runs(self, request, queryset):
        from history.undo import UndoRefused, undo_run

        for run in queryset.order_by("-started_at", "-id"):
            try:
                result = undo_run(run, user=request.user)
            except UndoRefused as error:
                self.message_user(request, f"{run}: not undone: {error}", messages.ERROR)
                continue
            self.message_user(request, f"{run}: {result.summary()}", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("catalog.change_paper"):
            actions.pop("undo_runs", None)
        return actions


def _count(value):
    return len(value) if isinstance(value, list) else value


class RunFilter(admin.SimpleListFilter):
    """The papers an import run touched (`?run=N`): their revisions name it."""

    title = "import run"
    parameter_name = "run"

    def lookups(self, request, model_admin):
        return []

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(
                pk__in=PaperRevision.objects.filter(run_id=self.value()).values("paper_id")
            )
        return queryset
