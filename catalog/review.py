"""Why a paper needs review, as codes staff can filter by and resolve one at a time.

`Paper.review_note` stays the one record of the reasons (the contract's
field, the importer's "; "-joined reasons, what exports and the fixture
hold). The codes are read from it by the rules below, in this one place:
the importer keeps writing the sentences it always wrote, the seed
catalog's fixture stays byte-identical, and a note staff typed by hand is
still a reason (code "other"). A new importer reason needs a line here;
until it has one it shows as "other", never disappears.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.importer import parsing

NOTE_SEPARATOR = "; "
# Some reasons hold "; " themselves ("... 93% similar to “X”; not merged"):
# a part starting with one of these continues the reason before it.
_CONTINUATIONS = (
    "not merged",
    "kept the staff edit",
    "not re-created",
    "merged into",
    "the listing changed it too",
)


@dataclass(frozen=True)
class ReasonKind:
    code: str
    label: str
    # Words the importer's sentence for this kind holds (case-insensitive).
    phrases: tuple[str, ...]


# Order matters: the first kind with a phrase in the reason wins (the
# provisional title's sentence starts with the no-title one's).
REASON_KINDS = (
    ReasonKind("provisional-title", "Provisional title", ("provisional title",)),
    ReasonKind("no-title", "No title", (parsing.REASON_NO_TITLE,)),
    ReasonKind(
        "no-year",
        "No year",
        (
            parsing.REASON_NO_YEAR,
            parsing.REASON_DATE_WITHOUT_YEAR,
            "disagree on the year",
            "year-less date",
        ),
    ),
    ReasonKind("no-abstract", "No abstract", (parsing.REASON_NO_ABSTRACT,)),
    ReasonKind(
        "surname-only-author",
        "Surname-only author",
        ("surname-only authors not resolved", "ambiguous author list"),
    ),
    ReasonKind(
        "author-list",
        "Author list conflict",
        ("is listed twice in the author list", "different author lists"),
    ),
    ReasonKind(
        "venue-conflict",
        "Header/citation conflict",
        (
            "disagrees with citation venue",
            "name different venues",
            parsing.REASON_TITLE_DIFFERS,
            "poster name guessed",
        ),
    ),
    ReasonKind(
        "citation-unparseable", "Citation unreadable", (parsing.REASON_CITATION_UNPARSEABLE,)
    ),
    ReasonKind(
        "ambiguous-match",
        "Ambiguous match",
        ("% similar to", "may be any of", "matches several catalog papers"),
    ),
    ReasonKind("import-conflict", "Import conflict", ("staff edited", "staff deleted")),
)
OTHER = ReasonKind("other", "Other", ())
KINDS_BY_CODE = {kind.code: kind for kind in (*REASON_KINDS, OTHER)}
# Settled when staff set a paper's authors without a surname-only name.
AUTHOR_LIST_CODES = frozenset({"surname-only-author", "author-list"})
REASON_CHOICES = [(kind.code, kind.label) for kind in (*REASON_KINDS, OTHER)]


@dataclass(frozen=True)
class Reason:
    code: str
    text: str

    @property
    def label(self) -> str:
        return KINDS_BY_CODE[self.code].label


def reason_kind(text: str) -> ReasonKind:
    folded = text.casefold()
    for kind in REASON_KINDS:
        if any(phrase.casefold() in folded for phrase in kind.phrases):
            return kind
    return OTHER


def _reason_texts(note: str) -> list[str]:
    texts: list[str] = []
    for part in note.split(NOTE_SEPARATOR):
        part = part.strip()
        if texts and part.startswith(_CONTINUATIONS):
            texts[-1] = f"{texts[-1]}{NOTE_SEPARATOR}{part}"
        elif part:
            texts.append(part)
    return texts


def review_reasons(note: str) -> list[Reason]:
    """The note's reasons in order, each with its code."""
    return [Reason(reason_kind(text).code, text) for text in _reason_texts(note)]


def note_without(note: str, texts: set[str]) -> str:
    """The note less the reasons whose text is in `texts`."""
    return NOTE_SEPARATOR.join(r.text for r in review_reasons(note) if r.text not in texts)


def note_without_codes(note: str, codes: set[str]) -> str:
    """The note less its reasons of these kinds."""
    return NOTE_SEPARATOR.join(r.text for r in review_reasons(note) if r.code not in codes)


def papers_with_reason(papers, code: str):
    """Those of `papers` needing review for a reason of this kind.

    Classified in Python, not SQL: the kinds are phrase rules over the note
    (no "contains" lookup tells "no title" from "no title: provisional
    title"), and only the review queue's notes are read, one query."""
    flagged = papers.filter(needs_review=True).values_list("pk", "review_note")
    ids = [pk for pk, note in flagged if any(r.code == code for r in review_reasons(note))]
    return papers.filter(pk__in=ids)
