"""The paper change form of the admin: the model's fields plus the authors as text."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from catalog.authors_text import (
    AuthorsTextError,
    format_authors_text,
    plan_authors,
    plan_changes_paper,
)
from catalog.models import Paper
from catalog.review import note_without, review_reasons

AUTHORS_HELP = (
    "The authors in order, as a citation writes them (“Sid Black*, Stella Biderman*, and "
    "Eric Hallahan”; * = equal contribution; “et al.” for an incomplete list) or as "
    "BibTeX does (“Black, Sid and Biderman, Stella”). Names link to existing people as "
    "the importer links them; the rest become new people. When this text changes it "
    "replaces the author rows below; otherwise the rows below are saved as edited."
)


def _formfield(field, **kwargs):
    # As the admin's formfield_overrides: links typed without a scheme are https.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class PaperAdminForm(forms.ModelForm):
    authors_text = forms.CharField(
        label="Authors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=AUTHORS_HELP,
    )
    confirm_authors = forms.BooleanField(
        label="Save these authors anyway",
        required=False,
        help_text="Shown names the form was not sure of: tick to save them as listed above.",
    )
    # The text staff were shown the doubts of: a confirmation holds for that
    # text only, not for one edited after the warning.
    authors_reviewed = forms.CharField(required=False, widget=forms.HiddenInput)

    resolved_reasons = forms.MultipleChoiceField(
        label="Resolved",
        required=False,
        initial=(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the reasons this edit settles: they leave the note, and once none is "
        "left the paper leaves the review queue.",
    )

    class Meta:
        model = Paper
        # The admin's fieldsets pick what shows; the form takes every editable field.
        fields = "__all__"  # noqa: DJ007
        formfield_callback = _formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.authors_plan = None
        if self.instance.pk is not None:
            self.fields["authors_text"].initial = format_authors_text(self.instance)
        self.fields["resolved_reasons"].choices = [
            (reason.text, f"{reason.label}: {reason.text}")
            for reason in review_reasons(self.instance.review_note)
        ]

    def _authors_text_changed(self, text: str) -> bool:
        initial = self.fields["authors_text"].initial or ""
        return " ".join(text.split()) != " ".join(initial.split())

    def clean(self):
        cleaned = super().clean()
        self._clean_review(cleaned)
        text = cleaned.get("authors_text") or ""
        if self.instance.pk is None and not text.strip():
            return cleaned
        if not self._authors_text_changed(text):
            return cleaned
        try:
            plan = plan_authors(text, paper=self.instance, using=self.instance._state.db)
        except AuthorsTextError as error:
            self.add_error("authors_text", f"Not an author list: {error}")
            return cleaned
        twice = plan.repeated_person()
        if twice:
            self.add_error("authors_text", f"{twice} is named twice.")
            return cleaned
        if self.instance.pk is not None and not plan_changes_paper(plan, self.instance):
            # The same authors written differently: nothing to save.
            return cleaned
        confirmed = cleaned.get("confirm_authors") and cleaned.get("authors_reviewed") == text
        if plan.doubts and not confirmed:
            self._ask_to_confirm(plan, text)
            return cleaned
        self.authors_plan = plan
        return cleaned

    def _clean_review(self, cleaned) -> None:
        resolved = set(cleaned.get("resolved_reasons") or ())
        note = cleaned.get("review_note") or ""
        if resolved:
            note = cleaned["review_note"] = note_without(note, resolved)
        # Resolving (or deleting) the last reason settles the paper; a paper
        # flagged by hand without a note stays flagged.
        if self.instance.review_note.strip() and not note.strip():
            cleaned["needs_review"] = False

    def _ask_to_confirm(self, plan, text: str) -> None:
        data = self.data.copy()
        data[self.add_prefix("authors_reviewed")] = text
        data.pop(self.add_prefix("confirm_authors"), None)
        self.data = data
        messages = [
            "Some names are not certain. Check how each name was read, then tick "
            "“Save these authors anyway” and save again (or correct the text):",
            *(link.describe() for link in plan.links),
        ]
        self.add_error("authors_text", ValidationError(messages))
