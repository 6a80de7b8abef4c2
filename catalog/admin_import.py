"""The admin's import page: upload or paste, preview, apply.

    /admin/catalog/paper/import/        the form (import_form), then the preview
    /admin/catalog/paper/import/apply/  the preview's form (apply_form)

The preview runs the real import as a dry run (catalog.importer.service),
so it shows exactly what the apply will do, and writes nothing. The texts
wait in a PendingImport row; the apply form carries only its token.

The apply imports once: a conditional UPDATE claims the row (a second apply,
from a double click or a resubmitted form, finds it claimed and shows the
first one's report). It imports what was previewed or nothing: if the
catalog's version (core.cache) moved since the preview, or the import would
now do something else (a lookup answering differently), it writes nothing
and shows a fresh preview instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from catalog.import_sources import ImportForm, TooManyEntries, parse_sources
from catalog.importer.lookups import Lookups
from catalog.importer.recording import RunInfo
from catalog.importer.records import ListingError
from catalog.importer.service import ImportReport, import_listings
from catalog.management.commands.import_identifiers import lookup_settings
from catalog.models import PendingImport
from core.cache import catalog_version
from history.models import ImportRun

PERMISSION = "catalog.import_papers"
FORM_TEMPLATE = "admin/catalog/paper/import_form.html"
PREVIEW_TEMPLATE = "admin/catalog/paper/import_preview.html"
RESULT_TEMPLATE = "admin/catalog/paper/import_result.html"

# The order a file's papers are listed in, with the heading of each kind.
KINDS = [
    ("created", "New papers"),
    ("updated", "Merged into catalog papers, with changes"),
    ("unchanged", "Merged into catalog papers, nothing to change"),
    ("conflict", "Left alone: staff edited these fields"),
    ("deleted", "Not re-created: staff deleted these papers"),
]


def import_urls(model_admin) -> list:
    """The import page's URLs, for PaperAdmin.get_urls()."""
    site = model_admin.admin_site
    return [
        path(
            "import/",
            site.admin_view(ImportPage(model_admin).form),
            name="catalog_paper_import",
        ),
        path(
            "import/apply/",
            site.admin_view(ImportPage(model_admin).apply),
            name="catalog_paper_import_apply",
        ),
    ]


class ImportPage:
    """The two views, sharing the admin's page context."""

    def __init__(self, model_admin):
        self.model_admin = model_admin

    def form(self, request):
        self.check_permission(request)
        if request.method != "POST":
            return self.render_form(request, ImportForm())
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, form)
        try:
            return self.preview(request, form.cleaned_data["sources"])
        except (ListingError, TooManyEntries) as error:
            form.add_error(None, str(error))
            return self.render_form(request, form)

    def apply(self, request):
        self.check_permission(request)
        if request.method != "POST":
            return redirect("admin:catalog_paper_import")
        token = request.POST.get("token", "")
        pending = PendingImport.objects.filter(token=token, user=request.user).first()
        if pending is None:
            messages.error(request, "This preview is no longer available: import again.")
            return redirect("admin:catalog_paper_import")
        if pending.applied_at is not None:
            return self.render_result(request, pending, again=True)
        stale = "The catalog changed since this preview (someone edited or imported): "
        stale += "nothing was imported. Here is a fresh preview; apply it if it still looks right."
        try:
            if pending.catalog_version != catalog_version():
                return self.preview(request, pending.sources, notice=stale)
            listings = parse_sources(pending.sources, lookups())
        except (ListingError, TooManyEntries) as error:
            messages.error(request, f"{error} Nothing was imported.")
            return redirect("admin:catalog_paper_import")
        with transaction.atomic():
            claimed = PendingImport.objects.filter(pk=pending.pk, applied_at__isnull=True)
            if not claimed.update(applied_at=timezone.now()):
                transaction.set_rollback(True)
                pending.refresh_from_db()
                return self.render_result(request, pending, again=True)
            report = import_listings(listings, detailed=True, run=run_info(request, pending))
            data = report_data(report)
            if digest(data) != pending.preview_digest:
                # What the import does is not what was previewed: undo it all.
                transaction.set_rollback(True)
            else:
                data["run_id"] = report.run_id
                PendingImport.objects.filter(pk=pending.pk).update(result=data)
        pending.refresh_from_db()
        if pending.applied_at is None:
            # Parsed a moment ago: only the lookups could fail, and they answered.
            return self.preview(request, pending.sources, notice=stale)
        return self.render_result(request, pending, again=False)

    def preview(self, request, sources: list[dict], *, notice: str = ""):
        """A dry run of `sources`, kept as a PendingImport for the apply."""
        listings = parse_sources(sources, lookups())
        version = catalog_version()
        data = report_data(import_listings(listings, dry_run=True, detailed=True))
        forget_old_previews()
        pending = PendingImport.objects.create(
            token=secrets.token_urlsafe(32),
            user=request.user,
            sources=sources,
            catalog_version=version,
            preview_digest=digest(data),
        )
        context = {
            "title": "Import preview",
            "notice": notice,
            "token": pending.token,
            "sources": [{k: s[k] for k in ("name", "kind", "size", "sha256")} for s in sources],
            **report_context(data),
        }
        return self.render(request, PREVIEW_TEMPLATE, context)

    def render_result(self, request, pending: PendingImport, *, again: bool):
        context = {"title": "Import applied", "again": again, "applied_at": pending.applied_at}
        run_id = (pending.result or {}).get("run_id")
        if run_id:
            context["run_url"] = reverse("admin:history_importrun_change", args=[run_id])
            context["run_id"] = run_id
        context.update(report_context(pending.result or {}))
        return self.render(request, RESULT_TEMPLATE, context)

    def render_form(self, request, form):
        context = {
            "title": "Import papers",
            "form": form,
            "max_mb": settings.ADMIN_IMPORT_MAX_BYTES / 1e6,
            "max_entries": settings.ADMIN_IMPORT_MAX_ENTRIES,
            "max_identifiers": settings.ADMIN_IMPORT_MAX_IDENTIFIERS,
        }
        return self.render(request, FORM_TEMPLATE, context)

    def render(self, request, template: str, context: dict):
        opts = self.model_admin.model._meta
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": opts,
            "import_url": reverse("admin:catalog_paper_import"),
            "apply_url": reverse("admin:catalog_paper_import_apply"),
            **context,
        }
        return TemplateResponse(request, template, context)

    @staticmethod
    def check_permission(request):
        # admin_view() already sent anonymous users to the login page.
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied


def lookups() -> Lookups:
    return Lookups(lookup_settings())


def forget_old_previews() -> None:
    """Previews nobody applied in time hold uploads nobody needs: drop them.
    Applied ones go too, once old: their reports were shown."""
    hours = settings.ADMIN_IMPORT_PENDING_HOURS
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    PendingImport.objects.filter(created_at__lt=cutoff).delete()


def run_info(request, pending: PendingImport) -> RunInfo:
    """The import run's record: who applied which previewed sources."""
    kinds = {source["kind"] for source in pending.sources}
    return RunInfo(
        user=request.user,
        kind=ImportRun.Kind.LOOKUP if kinds == {"identifiers"} else ImportRun.Kind.LISTINGS,
        files=[{k: s[k] for k in ("name", "size", "sha256")} for s in pending.sources],
        options={"from": "admin import", "preview": pending.token[:8]},
    )


def report_data(report: ImportReport) -> dict:
    """The report as JSON-friendly data (stored for a second apply)."""
    data = dataclasses.asdict(report)
    # The run's number is not part of what an import does: a preview has none.
    del data["dry_run"], data["detailed"], data["run_id"]
    return json.loads(json.dumps(data, default=str))


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def report_context(data: dict) -> dict:
    """The report, file by file: each file's papers grouped by kind."""
    changes = data.get("changes", [])
    files = []
    for summary in data.get("files", []):
        mine = [c for c in changes if summary["name"] in c["files"]]
        groups = [
            {"kind": kind, "heading": heading, "papers": [c for c in mine if c["kind"] == kind]}
            for kind, heading in KINDS
        ]
        flagged = [c for c in mine if c["reasons"]]
        files.append({**summary, "groups": groups, "flagged": flagged})
    counts = {kind: sum(1 for c in changes if c["kind"] == kind) for kind, _ in KINDS}
    return {"report": data, "files": files, "counts": counts}
