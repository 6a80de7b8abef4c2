"""Rules for sources that describe papers the catalog may already hold.

A lab's BibTeX file and the arXiv/DOI lookups are bibliographies: unlike a
listing, they mostly describe papers a listing brought in first, with the
gaps filled (the full author list, a year, the identifiers, the real title
of a paper the abstracts listing gave none). Pure functions over plain
values, used by the importer's matching and planning:

* matching: a catalog paper whose title is provisional (taken from its
  abstract) is the entry whose abstract is near-identical; a shortened title
  ("Pythia") is the full one ("Pythia: A Suite for ...") when the abstracts
  are near-identical or the first authors agree; anything less is a doubt,
  flagged, and neither merged nor duplicated;
* filling: a complete author list replaces an incomplete one, keeping the
  equal-contribution marks the catalog has unless the source gives its own;
  a preprint server never replaces a conference or journal venue;
* people: "S. Biderman" is the one catalog person whose surname is Biderman
  and whose given name starts with S, if there is exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.importer.merge import SAME_ABSTRACT_SCORE, abstracts_match, normalise_abstract
from catalog.importer.venues import PREPRINT_SERVERS, canonical_venue_name

FORMATS = frozenset({"bibtex", "lookup"})
# The review reason the merge gives a paper whose title it made up from the
# abstract (merge.build_draft): how the catalog knows a title is provisional.
PROVISIONAL_TITLE_REASON = "no title in listing: provisional title taken from the abstract"
DOUBTFUL_ABSTRACT_SCORE = 90
# A shortened title this short ("GPT") is too common to stand for a paper.
MIN_SHORT_TITLE_CHARS = 6

_INITIALS_NAME_RE = re.compile(r"^((?:[A-Z]\.\s*-?\s*)+)\s*(\S.*)$")


def is_bibliographic(formats: Sequence[str]) -> bool:
    """Whether a draft's entries all come from bibliographic sources."""
    return bool(formats) and all(f in FORMATS for f in formats)


def title_is_provisional(
    title: str, imported_values: dict | None, staff_edited_fields: Sequence[str]
) -> bool:
    """Whether a catalog paper's title is still the one made up from its abstract."""
    if "title" in staff_edited_fields or not imported_values:
        return False
    note = imported_values.get("review_note") or ""
    return PROVISIONAL_TITLE_REASON in note and imported_values.get("title") == title


@dataclass(frozen=True)
class Candidate:
    """What matching needs to know of a catalog paper."""

    paper_id: int
    title: str
    title_key: str
    abstract: str
    first_author: str = ""  # name of the author in position 1, "" if unknown


@dataclass(frozen=True)
class Verdict:
    same: bool
    # Set when the match is doubtful: why, for the catalog paper's review
    # note, to follow the entry's name ("lab.bib entry 3 (“Pythia”) ...").
    doubt: str = ""


def provisional_match(abstract: str, candidate: Candidate) -> Verdict | None:
    """A paper with a provisional title against an entry's abstract: the same
    paper when near-identical, a doubt when close, else None (unrelated)."""
    score = abstracts_match(normalise_abstract(abstract), normalise_abstract(candidate.abstract))
    if score >= SAME_ABSTRACT_SCORE:
        return Verdict(True)
    if score >= DOUBTFUL_ABSTRACT_SCORE:
        return Verdict(False, f"has an abstract {score}% similar to this paper's; not merged")
    return None


def word_prefixes(title_key: str) -> list[str]:
    """The shorter title keys a shortened form of title_key could have
    ("pythia a suite" -> "pythia", "pythia a"), long enough to mean something."""
    words = title_key.split()
    prefixes = (" ".join(words[:n]) for n in range(1, len(words)))
    return [p for p in prefixes if len(p) >= MIN_SHORT_TITLE_CHARS]


def is_shortened(short_key: str, long_key: str) -> bool:
    """Whether short_key is long_key cut after a whole word ("pythia" of "pythia a suite")."""
    return (
        len(short_key) >= MIN_SHORT_TITLE_CHARS
        and len(long_key) > len(short_key)
        and long_key.startswith(short_key + " ")
    )


def shortened_title_match(abstract: str, first_author: str, candidate: Candidate) -> Verdict:
    """One title a shortened form of the other: the same paper when the
    abstracts are near-identical or the first authors agree; a doubt otherwise."""
    score = abstracts_match(normalise_abstract(abstract), normalise_abstract(candidate.abstract))
    if score >= SAME_ABSTRACT_SCORE or same_person_name(first_author, candidate.first_author):
        return Verdict(True)
    return Verdict(False, "may be this paper under a shorter or fuller title; not merged")


def same_person_name(a: str, b: str) -> bool:
    """Whether two names can be one person: the same surname, and given names
    that agree as far as both go ("S. Biderman" = "Stella Biderman"; a
    surname alone agrees with any given name)."""
    if not a or not b:
        return False
    words_a, words_b = a.casefold().split(), b.casefold().split()
    if words_a[-1] != words_b[-1]:
        return False
    if len(words_a) == 1 or len(words_b) == 1:
        return True
    first_a, first_b = words_a[0].rstrip("."), words_b[0].rstrip(".")
    return first_a.startswith(first_b) or first_b.startswith(first_a)


def initials_and_surname(name: str) -> tuple[str, str] | None:
    """("S", "Biderman") of "S. Biderman" or "J.-B. Delbrouck"; None for a full name."""
    match = _INITIALS_NAME_RE.match(name.strip())
    if not match:
        return None
    initials = re.sub(r"[^A-Z]", "", match.group(1))
    return initials, match.group(2).strip()


def initials_fit(name: str, full_name: str) -> bool:
    """Whether "S. Biderman" may be written for full_name ("Stella Biderman";
    "M. C. Maher" for "M. Cyrus Maher")."""
    parsed = initials_and_surname(name)
    if parsed is None:
        return False
    initials, surname = parsed
    words = full_name.split()
    if len(words) < 2 or " ".join(words[-len(surname.split()) :]).casefold() != surname.casefold():
        return False
    given = words[: -len(surname.split())]
    # "Jean-Benoit" is J.-B.: each part of a hyphenated given name has its initial.
    parts = [part for word in given for part in word.split("-") if part]
    given_initials = "".join(part[0].upper() for part in parts if part[0].isalpha())
    return given_initials.startswith(initials) and not initials_and_surname(full_name)


def venue_may_replace(current: str, new: str) -> bool:
    """Whether a source's venue may take the place of the paper's current one:
    into an empty place, or over a preprint server by a real venue; a
    preprint server never replaces a conference or journal."""
    if not new or new == current:
        return False
    if not current:
        return True
    new_is_preprint = canonical_venue_name(new) in PREPRINT_SERVERS
    current_is_preprint = canonical_venue_name(current) in PREPRINT_SERVERS
    return current_is_preprint and not new_is_preprint


Author = tuple[str, int | None, bool]  # (person name, position, equal contribution)


def merged_authors(
    current: Sequence[Author], new: Sequence[Author], *, source_marks_equal: bool
) -> tuple[Author, ...]:
    """The new (complete) author list, keeping the equal-contribution marks the
    catalog has for the same people unless the source marks them itself."""
    if source_marks_equal:
        return tuple(new)
    equal = {name.casefold() for name, _, is_equal in current if is_equal}
    return tuple(
        (name, position, is_equal or name.casefold() in equal) for name, position, is_equal in new
    )


def complete_list_replaces(
    current: Sequence[Author], current_complete: bool, new: Sequence[Author], new_complete: bool
) -> bool:
    """A complete author list replaces an incomplete one (or none); a longer
    incomplete one replaces a shorter incomplete one; never the other way."""
    if not new:
        return False
    if not current:
        return True
    if current_complete:
        return False
    return new_complete or len(new) > len(current)


def first_author(authors) -> str:
    """The name of the author in position 1 of AuthorRecords, or ""."""
    return next((a.name for a in authors if a.position == 1), "")


def match_bibliography(
    drafts, provisional: Sequence[Candidate], titled: Sequence[Candidate]
) -> tuple[dict[int, int], dict[int, tuple[int, str]]]:
    """Catalog papers for bibliographic drafts that no identifier or title
    matched: ({id(draft): paper id}, {id(draft): (paper id, doubt)}).

    provisional: catalog papers whose title is provisional; titled: catalog
    papers whose title key is a word prefix of a draft's, or has one as its
    prefix. One paper confirmed: a match. Several, or only doubtful ones: a
    doubt, so that the draft is neither merged by guess nor duplicated.
    """
    matches: dict[int, int] = {}
    doubts: dict[int, tuple[int, str]] = {}
    for draft in drafts:
        verdicts: list[tuple[Candidate, Verdict]] = []
        if draft.abstract:
            for candidate in provisional:
                verdict = provisional_match(draft.abstract, candidate)
                if verdict is not None:
                    verdicts.append((candidate, verdict))
        lead = first_author(draft.authors)
        for candidate in titled:
            key, other = draft.title_key, candidate.title_key
            if is_shortened(key, other) or is_shortened(other, key):
                verdict = shortened_title_match(draft.abstract, lead, candidate)
                verdicts.append((candidate, verdict))
        same = {c.paper_id: c for c, v in verdicts if v.same}
        if len(same) == 1:
            matches[id(draft)] = next(iter(same))
        elif len(same) > 1:
            titles = ", ".join(f"“{c.title}”" for c in same.values())
            doubts[id(draft)] = (min(same), f"may be any of {titles}; not merged")
        elif verdicts:
            candidate, verdict = verdicts[0]
            doubts[id(draft)] = (candidate.paper_id, verdict.doubt)
    return matches, doubts
