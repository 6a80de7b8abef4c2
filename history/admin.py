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

from catalog.models import Paper
from history.models import ImportRun, PaperDeletion, PaperRevision
from history.removal import RestoreRefused, paper_restore, papers_delete
from history.services import (
    RevertRefused,
    delete_recording_papers,
    paper_revert,
    paper_state,
    record_change,
)
from history.state import CURATED_FIELDS, curated_state, label, readable

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

    # A staff delete, single or bulk, is on record with the whole paper, and
    # can be restored (history.removal; the "paper deletions" list).
    def delete_model(self, request, obj):
        papers_delete(queryset=type(obj).objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request, queryset):
        papers_delete(queryset=queryset, user=request.user)

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
            try:
                done = paper_revert(paper=paper, revision=revision, user=request.user)
            except RevertRefused as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(request.path)
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
            f"{_count(report, 'created') or 0} created, {_count(report, 'updated') or 0} updated, "
            f"{_count(report, 'conflicts') or 0} conflicts"
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
            ((key, _count(report, key)) for key in keys if key in report),
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


def _count(report: dict, key: str):
    """A run's report's number of `key`: its lists keep their first items
    only, their lengths in "counts" (runs recorded before keep them whole)."""
    counts = report.get("counts", {})
    if key in counts:
        return counts[key]
    value = report.get(key)
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


class RecordsPaperChangesOnDelete:
    """For the admins of what papers point at: deleting people, venues or
    awards changes papers' authors, venue or awards, so each such paper gets
    a revision (and a new updated_at), single delete or bulk."""

    # The lookup from Paper to this model ("venue", "awards", ...).
    paper_lookup = ""

    def delete_model(self, request, obj):
        self._delete_recorded(request, type(obj)._default_manager.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        self._delete_recorded(request, queryset)

    def _delete_recorded(self, request, queryset):
        names = ", ".join(str(obj) for obj in queryset[:5])
        what = self.opts.verbose_name if queryset.count() == 1 else self.opts.verbose_name_plural
        delete_recording_papers(
            objects=queryset,
            papers=Paper.objects.filter(**{f"{self.paper_lookup}__in": queryset}),
            user=request.user,
            note=f"{what} deleted: {names}",
        )


@admin.register(PaperDeletion)
class PaperDeletionAdmin(admin.ModelAdmin):
    """Deleted papers: who deleted them, when, what they were; restore."""

    list_display = ["paper_title", "created_at", "who", "note", "status"]
    list_select_related = ["user"]
    search_fields = ["paper_title"]
    fields = ["paper_title", "created_at", "who", "note", "status", "deleted_fields", "sources"]
    readonly_fields = fields
    actions = ["restore"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("catalog.view_paper")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request):
        return request.user.has_perm("catalog.add_paper")

    @admin.display(description="Who")
    def who(self, revision):
        return revision.who

    @admin.display(description="Now")
    def status(self, revision):
        if revision.paper_id:
            url = reverse("admin:catalog_paper_history", args=[revision.paper_id])
            return format_html('restored (<a href="{}">history</a>)', url)
        return "deleted"

    @admin.display(description="The paper when deleted")
    def deleted_fields(self, revision):
        state = (revision.undo_data or {}).get("state", {})
        return (
            format_html_join(
                "",
                "<div><strong>{}</strong>: {}</div>",
                (
                    (label(name).capitalize(), readable(name, state[name]))
                    for name in CURATED_FIELDS
                    if name in state
                ),
            )
            or "— (not recorded)"
        )

    @admin.display(description="Sources")
    def sources(self, revision):
        rows = (revision.undo_data or {}).get("sources", [])
        return ", ".join(f"{listing}#{index}" for _id, listing, _f, index, _l in rows) or "—"

    @admin.action(description="Restore the selected papers", permissions=["restore"])
    def restore(self, request, queryset):
        for revision in queryset.order_by("pk"):
            try:
                restored = paper_restore(revision=revision, user=request.user)
            except RestoreRefused as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            self.message_user(request, restored.summary(), messages.SUCCESS)
