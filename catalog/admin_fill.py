"""The paper admin's "Fill from arXiv / DOI / BibTeX" page.

Two steps on one URL: the pasted source is read (looked up once), and the
differences are shown with the values signed into the form, so that taking
them needs no second lookup and cannot be given values the source did not.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from catalog.authors_text import AuthorsTextError, format_authors_text, plan_authors
from catalog.fill import FILLABLE, FillError, current_values, differences, paper_fill, read_source
from catalog.importer.lookups import Lookups
from catalog.models import Paper, ordered_authorships

SIGNING_SALT = "catalog.paper-fill"
# A preview older than this is read again: the source may have changed.
PREVIEW_MAX_AGE = 3600


class FillSourceForm(forms.Form):
    source = forms.CharField(
        label="arXiv id, DOI or BibTeX entry",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        max_length=100_000,
    )


class FillApplyForm(forms.Form):
    proposed = forms.CharField(widget=forms.HiddenInput)
    fields = forms.MultipleChoiceField(
        choices=list(FILLABLE.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, paper_pk: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper_pk = paper_pk

    def clean_proposed(self):
        try:
            payload = signing.loads(
                self.cleaned_data["proposed"], salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE
            )
        except signing.BadSignature:
            raise ValidationError("This preview is too old or was altered: fill again.") from None
        if payload.get("paper") != self.paper_pk:
            raise ValidationError("This preview is for another paper.")
        return payload["values"]


def lookups() -> Lookups:
    # Imported late: the command module reads settings the tests override.
    from catalog.management.commands.import_identifiers import lookup_settings

    return Lookups(lookup_settings())


def author_links(paper, found) -> list[str]:
    """How the source's authors would be linked, doubts included, shown
    before staff tick them (as authors_text shows them)."""
    row = next((row for row in found if row.field == "authors"), None)
    if row is None:
        return []
    try:
        plan = plan_authors(row.new, paper=paper, using=paper._state.db)
    except AuthorsTextError as error:
        return [f"Not an author list: {error}"]
    return [link.describe() for link in plan.links]


class FillFromSourceMixin:
    """For PaperAdmin: the fill page's URL and view."""

    def get_urls(self):
        opts = self.opts
        fill = path(
            "<path:object_id>/fill/",
            self.admin_site.admin_view(self.fill_view),
            name=f"{opts.app_label}_{opts.model_name}_fill",
        )
        return [fill, *super().get_urls()]

    def fill_view(self, request, object_id):
        papers = Paper.objects.select_related("venue").prefetch_related(
            Prefetch("authorships", queryset=ordered_authorships())
        )
        paper = get_object_or_404(papers, pk=object_id)
        if not self.has_change_permission(request, paper):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[paper.pk]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": paper,
            "title": f"Fill “{paper}” from arXiv, a DOI or BibTeX",
            "change_url": change_url,
        }
        if request.method == "POST" and "apply" in request.POST:
            form = FillApplyForm(request.POST, paper_pk=paper.pk)
            if form.is_valid():
                try:
                    fields = paper_fill(
                        paper=paper,
                        proposed=form.cleaned_data["proposed"],
                        fields=form.cleaned_data["fields"],
                    )
                except (AuthorsTextError, ValidationError) as error:
                    self.message_user(request, f"Nothing saved: {error}", messages.ERROR)
                    return HttpResponseRedirect(request.path)
                taken = ", ".join(FILLABLE.get(name, name) for name in fields) or "nothing"
                self.message_user(request, f"Filled: {taken}.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
            self.message_user(request, " ".join(form.errors.get("proposed", [])), messages.ERROR)
            return HttpResponseRedirect(request.path)
        source_form = FillSourceForm(request.POST or None)
        if request.method == "POST" and source_form.is_valid():
            try:
                proposed = read_source(source_form.cleaned_data["source"], lookups())
            except FillError as error:
                source_form.add_error("source", str(error))
            else:
                current = current_values(paper, format_authors_text(paper))
                found = differences(paper, current, proposed)
                signed = signing.dumps({"paper": paper.pk, "values": proposed}, salt=SIGNING_SALT)
                context |= {"differences": found, "signed": signed}
                context["author_links"] = author_links(paper, found)
        context["source_form"] = source_form
        return TemplateResponse(request, "admin/catalog/paper/fill.html", context)
