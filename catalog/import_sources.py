"""What staff hand the admin's import page: uploaded files and pasted text.

The form checks sizes before anything is read, decodes each file as the
import command does (catalog.importer.text.decode_listing: binary data and
invalid UTF-8 are refused with the line), and keeps the texts as plain
"sources" (name, kind, size, sha256, text) that a PendingImport stores until
the apply. Sources are only ever parsed (catalog.importer.parsing) or looked
up (catalog.importer.lookups); nothing in them is executed or written to disk.
"""

from __future__ import annotations

import hashlib
import os

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator

from catalog.importer.identifiers import IdentifierError, parse_identifier
from catalog.importer.lookups import SOURCE_NAME, Lookups
from catalog.importer.parsing import detect_format, parse_listing
from catalog.importer.records import ListingError, ParsedListing
from catalog.importer.text import decode_listing, prepare_listing_text

COMMAND_HINT = (
    "Larger imports belong to the command line: "
    "manage.py import_listings FILE … (or import_identifiers ID …)."
)
# Uploaded names become PaperSource.listing values (max 255 characters).
MAX_NAME_CHARS = 200


def max_bytes() -> int:
    return settings.ADMIN_IMPORT_MAX_BYTES


def max_entries() -> int:
    return settings.ADMIN_IMPORT_MAX_ENTRIES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # An empty file is refused by decode_listing(), with its name.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        label="Files",
        help_text="Listings (blog, abstracts, daily pages) or BibTeX files, UTF-8.",
    )
    text = forms.CharField(
        required=False,
        label="Or paste",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text="A listing, BibTeX entries, or arXiv ids / DOIs one per line.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django refuses a request whose form fields (files aside) exceed
        # DATA_UPLOAD_MAX_MEMORY_SIZE with a bare 400: the browser is told
        # to stop short of it (in characters, which most pastes are in bytes).
        limit = min(max_bytes(), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or max_bytes())
        limit = max(limit - 100_000, limit // 2)  # room for the other fields
        self.fields["text"].validators.append(
            MaxLengthValidator(limit, f"Paste up to {limit:,} characters; upload a file instead.")
        )
        self.fields["text"].widget.attrs["maxlength"] = limit

    def clean(self):
        cleaned = super().clean()
        uploads = cleaned.get("files") or []
        text = cleaned.get("text") or ""
        if not uploads and not text.strip():
            raise forms.ValidationError("Choose a file or paste something to import.")
        total = sum(upload.size for upload in uploads) + len(text.encode())
        if total > max_bytes():
            raise forms.ValidationError(
                f"This import is {total / 1e6:.1f} MB; the admin takes up to "
                f"{max_bytes() / 1e6:.1f} MB at a time. {COMMAND_HINT}"
            )
        sources, errors = [], []
        names: set[str] = set()
        for upload in uploads:
            name = unique_name(upload.name, names)
            try:
                sources.append(listing_source(name, upload.read()))
            except ListingError as error:
                errors.append(str(error))
        if text.strip():
            try:
                sources.append(pasted_source(text))
            except ListingError as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        cleaned["sources"] = sources
        return cleaned


def unique_name(uploaded: str | None, taken: set[str]) -> str:
    """The file's name as its listing name, made unique within the upload:
    the importer tells a listing's entries apart by file name and number."""
    base = os.path.basename(uploaded or "upload")[:MAX_NAME_CHARS] or "upload"
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    taken.add(name)
    return name


def _source(name: str, kind: str, data: bytes, text: str) -> dict:
    return {
        "name": name,
        "kind": kind,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "text": text,
    }


def listing_source(name: str, data: bytes) -> dict:
    """An uploaded file's source; ListingError if it is not a readable listing."""
    return _source(name, "listing", data, decode_listing(data, name))


def pasted_source(text: str) -> dict:
    """Pasted text: a listing (any format the parsers detect), else arXiv ids
    and DOIs one per line.

    Named after its digest: the importer recognises a re-import by file
    name and entry number, so two different pastes must not share a name.
    """
    data = text.encode()
    digest = hashlib.sha256(data).hexdigest()
    name = f"pasted-{digest[:12]}"
    prepared = prepare_listing_text(text)
    try:
        detect_format(prepared, name)
    except ListingError:
        if not any(_is_identifier(line) for line in prepared.splitlines()):
            raise
        # Looked-up entries are named after the lookups, as the command's are.
        return _source(SOURCE_NAME, "identifiers", data, prepared)
    return _source(name, "listing", data, prepared)


def _is_identifier(line: str) -> bool:
    try:
        parse_identifier(line)
    except IdentifierError:
        return False
    return True


def identifier_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_sources(sources: list[dict], lookups: Lookups) -> list[ParsedListing]:
    """The sources as parsed listings, with --skip-bad semantics: a bad entry
    is listed in its listing's `skipped` and the rest go on.

    Raises ListingError for a source that cannot be read at all (an unknown
    format) and ValueError when there are more entries than the admin takes.
    """
    listings = []
    for source in sources:
        if source["kind"] == "identifiers":
            lines = identifier_lines(source["text"])
            # Each is a request to arXiv or a DOI registry: fewer fit a request.
            _check_count(len(lines), "identifiers", settings.ADMIN_IMPORT_MAX_IDENTIFIERS)
            listing = lookups.look_up(lines)
        else:
            listing = parse_listing(
                source["text"], source_file=source["name"], skip_bad=True, prepared=True
            )
        listings.append(listing)
    _check_count(sum(len(x.entries) for x in listings), "entries", max_entries())
    return listings


def _check_count(count: int, what: str, limit: int) -> None:
    if count > limit:
        raise TooManyEntries(
            f"This import has {count} {what}; the admin takes up to {limit} at a "
            f"time, so that the preview and the apply finish within a request. {COMMAND_HINT}"
        )


class TooManyEntries(ValueError):
    pass
