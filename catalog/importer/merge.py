"""Fold listing entries that describe the same paper into one draft.

Pure: entries in, drafts out, no database. Entries are the same paper when
they share an arXiv id or a normalised title, or, for title-less entries
(the abstracts format), when their abstracts are near-identical. A
near-miss is reported as a doubt on the draft instead of being merged.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from catalog.importer.identifiers import doi_key
from catalog.importer.names import is_surname_only
from catalog.importer.parsing import (
    REASON_DATE_WITHOUT_YEAR,
    REASON_NO_ABSTRACT,
    REASON_NO_TITLE,
    REASON_NO_YEAR,
)
from catalog.importer.records import AuthorRecord, EntryRecord
from catalog.importer.text import normalise_title
from catalog.importer.venues import PREPRINT_SERVERS, canonical_venue_name

# Reasons the draft works out again from all its entries together: one
# listing's gap is not a gap when another listing fills it.
_RECOMPUTED_REASONS = {
    REASON_NO_YEAR,
    REASON_NO_TITLE,
    REASON_NO_ABSTRACT,
    REASON_DATE_WITHOUT_YEAR,
}

# Abstract similarity (rapidfuzz ratio, 0-100) at or above which two
# title-less entries are one paper, and the band below it that is flagged.
SAME_ABSTRACT_SCORE = 97
DOUBTFUL_ABSTRACT_SCORE = 90
SAME_TITLE_DOUBT_SCORE = 92
# A truncated abstract (the daily format cuts them) counts as the same text
# when it is a prefix of the other and at least this long.
MIN_PREFIX_MATCH = 120
_PROVISIONAL_TITLE_LENGTH = 90
# Lowest ratio that rounds to SAME_TITLE_DOUBT_SCORE.
_TITLE_SCORE_CUTOFF = SAME_TITLE_DOUBT_SCORE - 0.5
# Near-duplicate titles: a block of titles sharing their first (or last) 12
# characters up to this size is compared pair by pair; in a bigger one each
# title is compared with this many neighbours in sorted order.
TITLE_BLOCK_COMPARE_ALL = 500
TITLE_NEIGHBOURS = 40
_WORDS_RE = re.compile(r"[\W_]+")


def abstract_key(abstract: str) -> str:
    """The first words of an abstract, normalised: the block two near-identical ones share."""
    return normalise_abstract(abstract)[:48]


def normalise_abstract(abstract: str) -> str:
    return _WORDS_RE.sub(" ", abstract.casefold()).strip()


def abstracts_match(a: str, b: str) -> int:
    """0-100: how surely two normalised abstracts are the same text."""
    if not a or not b:
        return 0
    shorter, longer = sorted((a, b), key=len)
    if longer.startswith(shorter) and len(shorter) >= MIN_PREFIX_MATCH:
        return 100
    return round(fuzz.ratio(a, b))


def provisional_title(abstract: str) -> str:
    """A stand-in title from the abstract's first sentence, for staff to replace."""
    first = re.split(r"(?<=[.!?])\s", abstract.strip(), maxsplit=1)[0]
    if len(first) > _PROVISIONAL_TITLE_LENGTH:
        first = first[:_PROVISIONAL_TITLE_LENGTH].rsplit(" ", 1)[0] + "…"
    return first.rstrip(".") or "Untitled paper"


@dataclass
class PaperDraft:
    """One paper as all its entries together describe it."""

    entries: list[EntryRecord]
    title: str = ""
    title_is_provisional: bool = False
    abstract: str = ""
    venue_name: str = ""
    venue_detail: str = ""
    year: int | None = None
    published_on: datetime.date | None = None
    arxiv_id: str = ""
    doi: str = ""
    other_identifier: str = ""
    url: str = ""
    citation: str = ""
    authors: tuple[AuthorRecord, ...] = ()
    authors_complete: bool = True
    author_count: int | None = None
    upvotes: int | None = None
    awards: tuple[str, ...] = ()
    review_reasons: list[str] = field(default_factory=list)

    @property
    def title_key(self) -> str:
        # Read many times per draft by the merge and the service: computed
        # once per title value.
        cached = self.__dict__.get("_title_key")
        if cached is None or cached[0] is not self.title:
            cached = self.__dict__["_title_key"] = (self.title, normalise_title(self.title))
        return cached[1]

    def known_title_key(self, title: str, key: str) -> None:
        """`key` is normalise_title(`title`): kept for when the draft has that title."""
        if self.title is title:
            self.__dict__["_title_key"] = (title, key)

    @property
    def abstract_key(self) -> str:
        return abstract_key(self.abstract)

    @property
    def source_keys(self) -> list[tuple[str, int]]:
        return [(e.source_file, e.entry_index) for e in self.entries]

    @property
    def formats(self) -> set[str]:
        return {e.format for e in self.entries}

    def flag(self, reason: str) -> None:
        if reason not in self.review_reasons:
            self.review_reasons.append(reason)


class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            # The earlier entry stays the representative: drafts keep file order.
            self.parent[max(ri, rj)] = min(ri, rj)


def merge_entries(entries: list[EntryRecord]) -> list[PaperDraft]:
    """Group `entries` (in listing order) into drafts, one per paper."""
    groups = _UnionFind(len(entries))
    first_by_key: dict[tuple[str, str], int] = {}
    # Each title normalised once: for the identity keys, then for the drafts.
    title_keys = [normalise_title(e.title) if e.title else "" for e in entries]
    for i, entry in enumerate(entries):
        for key in _identity_keys(entry, title_keys[i]):
            if key in first_by_key:
                groups.union(first_by_key[key], i)
            else:
                first_by_key[key] = i

    doubts: dict[int, list[str]] = defaultdict(list)
    _match_titleless_by_abstract(entries, groups, doubts)

    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(entries)):
        members[groups.find(i)].append(i)
    drafts = []
    for root in sorted(members):
        draft = build_draft([entries[i] for i in members[root]])
        titled = next((i for i in members[root] if entries[i].title), None)
        if titled is not None:
            draft.known_title_key(entries[titled].title, title_keys[titled])
        for i in members[root]:
            for reason in doubts.get(i, ()):
                draft.flag(reason)
        drafts.append(draft)
    _flag_near_duplicate_titles(drafts)
    return drafts


def _identity_keys(entry: EntryRecord, title_key: str) -> list[tuple[str, str]]:
    keys = []
    arxiv_id = entry.citation.arxiv_id if entry.citation else ""
    if arxiv_id:
        keys.append(("arxiv", arxiv_id))
    doi = entry.citation.doi if entry.citation else ""
    if doi.startswith("10."):
        keys.append(("doi", doi_key(doi)))
    if title_key:
        keys.append(("title", title_key))
    return keys


def _match_titleless_by_abstract(entries, groups, doubts) -> None:
    """Join each title-less entry to the entry whose abstract is the same text."""
    if all(e.title for e in entries):
        return  # nothing to join (normalising every abstract costs seconds at 100,000)
    by_block: dict[str, list[int]] = defaultdict(list)
    normalised = [normalise_abstract(e.abstract) for e in entries]
    for i, text in enumerate(normalised):
        if text:
            by_block[text[:48]].append(i)
    for i, entry in enumerate(entries):
        if entry.title or not normalised[i]:
            continue
        best, best_score = None, 0
        for j in by_block[normalised[i][:48]]:
            if j == i:
                continue
            score = abstracts_match(normalised[i], normalised[j])
            if score > best_score:
                best, best_score = j, score
        if best is None:
            continue
        if best_score >= SAME_ABSTRACT_SCORE:
            groups.union(i, best)
        elif best_score >= DOUBTFUL_ABSTRACT_SCORE:
            other = entries[best]
            doubts[i].append(
                f"abstract is {best_score}% similar to {other.source_file} entry "
                f"{other.entry_index}; not merged"
            )


def _flag_near_duplicate_titles(
    drafts: list[PaperDraft],
    *,
    compare_all_up_to: int = TITLE_BLOCK_COMPARE_ALL,
    neighbours: int = TITLE_NEIGHBOURS,
) -> None:
    """Flag drafts whose titles almost match another's: staff decide, we do not merge.

    Two titles are compared when they share their first or their last 12
    characters (a block). A block of up to `compare_all_up_to` titles is
    compared pair by pair. A bigger one (they grow with the catalog: "on the
    model" holds one title in forty) is sorted, by key for a shared
    beginning, by reversed key for a shared ending, and each title is
    compared with its next `neighbours`: the titles sorted between two
    others share everything the two share at that end, so a near-duplicate
    pair is missed only when more than `neighbours` titles of its block share
    all of its common beginning (or ending). A typo, a changed word or an
    added prefix or suffix leaves the pair a long common part at one end,
    which few other titles share. Titles sharing a word that at most
    `neighbours` titles of the block have are compared too, so a pair is
    missed only when every word it shares is common in its block as well.
    Flags are given in the order of the pair-by-pair comparison of every
    block; each title costs a bounded number of comparisons.
    """
    by_block: dict[str, list[int]] = defaultdict(list)
    keys = [d.title_key if not d.title_is_provisional else "" for d in drafts]
    for i, key in enumerate(keys):
        if key:
            by_block[key[:12]].append(i)
            by_block["$" + key[-12:]].append(i)
    for name, block in by_block.items():
        if len(block) < 2:
            continue
        if len(block) <= compare_all_up_to:
            close = _close_pairs_all(block, keys)
        else:
            close = _close_pairs_sorted(block, keys, neighbours, reverse=name.startswith("$"))
            close.update(_close_pairs_by_word(block, keys, neighbours))
        for (i, j), ratio in sorted(close.items()):
            score = round(ratio)
            if score >= SAME_TITLE_DOUBT_SCORE:
                drafts[i].flag(f"title is {score}% similar to “{drafts[j].title}”; not merged")
                drafts[j].flag(f"title is {score}% similar to “{drafts[i].title}”; not merged")


def _close_pairs_all(block: list[int], keys: list[str]) -> dict[tuple[int, int], float]:
    """Every pair of the block scoring near the threshold, {(i, j): ratio} with i < j."""
    close = {}
    for x, i in enumerate(block[:-1]):
        # Every later title of the block against this one in one call (the
        # comparisons run in C). Same scores as fuzz.ratio(); score_cutoff:
        # lower scores are not reported; those that round to the threshold are.
        later = block[x + 1 :]
        for _, ratio, place in _closest(keys[i], [keys[j] for j in later]):
            if keys[i] != keys[later[place]]:
                close[i, later[place]] = ratio
    return close


def _close_pairs_sorted(
    block: list[int], keys: list[str], neighbours: int, reverse: bool
) -> dict[tuple[int, int], float]:
    """Pairs near the threshold among each title's next `neighbours` in key order."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i in block:
        by_key[keys[i]].append(i)  # equal keys are never flagged: one place for all
    order = sorted(by_key, key=(lambda key: key[::-1]) if reverse else None)
    close = {}
    for x, key in enumerate(order[:-1]):
        for other, ratio, _ in _closest(key, order[x + 1 : x + 1 + neighbours]):
            for i in by_key[key]:
                for j in by_key[other]:
                    close[min(i, j), max(i, j)] = ratio
    return close


def _close_pairs_by_word(
    block: list[int], keys: list[str], most: int
) -> dict[tuple[int, int], float]:
    """Pairs near the threshold among the titles sharing a word that at most
    `most` titles of the block have (a typo near the beginning and a change at
    the end leave a pair far apart in sorted order, but with its other words
    in common)."""
    having: dict[str, list[int]] = defaultdict(list)
    for i in block:
        for word in set(keys[i].split()):
            having[word].append(i)
    close = {}
    for group in having.values():
        if 1 < len(group) <= most:
            close.update(_close_pairs_all(group, keys))
    return close


def _closest(key: str, others: list[str]) -> list[tuple[str, float, int]]:
    return process.extract(
        key, others, scorer=fuzz.ratio, score_cutoff=_TITLE_SCORE_CUTOFF, limit=None
    )


_EMPTY = (None, "", ())


def _first(values):
    # A loop, not next() over a generator: called ~8 times a paper.
    for value in values:
        if value not in _EMPTY:
            return value
    return None


def build_draft(entries: list[EntryRecord]) -> PaperDraft:
    """Merge one paper's entries: fill gaps, never replace a known value with an unknown one."""
    if len(entries) == 1:
        # Most papers: nothing to fill or compare, each value is the entry's.
        return _one_entry_draft(entries)
    return _merged_draft(entries)


def _merged_draft(entries: list[EntryRecord]) -> PaperDraft:
    citations = [e.citation for e in entries if e.citation]
    draft = PaperDraft(entries=entries)
    # The fullest abstract wins: the daily format truncates them.
    abstract = max((e.abstract for e in entries), key=len, default="")
    _set_title(draft, _first(e.title for e in entries) or "", abstract)
    years = sorted({e.year for e in entries if e.year})
    _set_year(draft, years, _first(e.published_on for e in entries))
    _set_venue(draft, _venue_names(entries))
    # The venue text that goes with the chosen venue, when its entry has one.
    draft.venue_detail = (
        _first(
            e.citation.venue_text
            for e in entries
            if e.citation and e.venue_name == draft.venue_name
        )
        or _first(c.venue_text for c in citations)
        or ""
    )
    draft.arxiv_id = _first(c.arxiv_id for c in citations) or ""
    _set_identifier(draft, _first(c.doi for c in citations) or "")
    draft.citation = _first(c.text for c in citations) or ""
    draft.url = _first(e.url for e in entries) or ""
    best = _richest_citation(citations)
    # The richest list agrees with itself: with one citation there is
    # nothing to compare.
    disagree = any(not _lists_agree(c, best) for c in citations if c.authors and c is not best)
    _set_authors(draft, best, disagree)
    draft.author_count = _first(e.author_count for e in entries)
    draft.upvotes = max((e.upvotes for e in entries if e.upvotes is not None), default=None)
    draft.awards = tuple(dict.fromkeys(a for c in citations for a in c.awards))
    _flag_entry_reasons(draft, entries)
    return draft


def _one_entry_draft(entries: list[EntryRecord]) -> PaperDraft:
    """_merged_draft() of a single entry, without its choosing among values:
    the same draft (`x or ""` is what _first((x,)) or "" gives; a single
    venue is the venue, preprint server or not), at ~2/5 of its cost."""
    (entry,) = entries
    draft = PaperDraft(entries=entries)
    _set_title(draft, entry.title or "", entry.abstract)
    _set_year(draft, [entry.year] if entry.year else [], _first((entry.published_on,)))
    _set_venue(draft, [entry.venue_name] if entry.venue_name else [])
    citation = entry.citation
    if citation:
        draft.venue_detail = citation.venue_text or ""
        draft.arxiv_id = citation.arxiv_id or ""
        _set_identifier(draft, citation.doi or "")
        draft.citation = citation.text or ""
        draft.awards = tuple(dict.fromkeys(citation.awards))
    draft.url = entry.url or ""
    _set_authors(draft, citation if citation and citation.authors else None, False)
    draft.author_count = _first((entry.author_count,))
    draft.upvotes = entry.upvotes
    _flag_entry_reasons(draft, entries)
    return draft


def _set_title(draft: PaperDraft, title: str, abstract: str) -> None:
    draft.abstract = abstract
    draft.title = title
    if not title:
        draft.title = provisional_title(abstract)
        draft.title_is_provisional = True
        draft.flag("no title in listing: provisional title taken from the abstract")


def _set_year(draft: PaperDraft, years: list[int], published_on) -> None:
    """`years`: the entries' years, distinct and sorted; the earliest is the paper's."""
    draft.year = years[0] if years else None
    if len(years) > 1:
        draft.flag("listings disagree on the year: " + ", ".join(map(str, years)))
    draft.published_on = published_on
    if published_on and not draft.year:
        draft.year = published_on.year
    if not draft.year:
        draft.flag(REASON_NO_YEAR)


def _set_venue(draft: PaperDraft, venue_names: list[str]) -> None:
    draft.venue_name = venue_names[0] if venue_names else ""
    if len(venue_names) > 1:
        draft.flag("listings name different venues: " + ", ".join(venue_names))


def _set_identifier(draft: PaperDraft, identifier: str) -> None:
    if identifier.startswith("10."):
        draft.doi = identifier
    else:
        draft.other_identifier = identifier


def _set_authors(draft: PaperDraft, best, disagree: bool) -> None:
    """The richest citation's authors (`best`, None when no entry names any)."""
    if best:
        draft.authors = best.authors
        draft.authors_complete = best.authors_complete
        if disagree:
            draft.flag("listings give different author lists")
    else:
        draft.authors_complete = False  # no names known at all


def _flag_entry_reasons(draft: PaperDraft, entries: list[EntryRecord]) -> None:
    for entry in entries:
        for reason in entry.review_reasons:
            if reason not in _RECOMPUTED_REASONS:
                draft.flag(reason)


def _venue_names(entries: list[EntryRecord]) -> list[str]:
    """The venues the entries name, in order. A preprint server gives way to
    a conference or journal: a paper on arXiv and at ICML is an ICML paper,
    and the two sources do not disagree."""
    names = list(dict.fromkeys(e.venue_name for e in entries if e.venue_name))
    published = [n for n in names if canonical_venue_name(n) not in PREPRINT_SERVERS]
    return published or names


def _lists_agree(citation, richest) -> bool:
    """Whether an author list says the same as the richest one: equal, or,
    when it was cut short ("and others", "et al."), the richest one's first
    names, person for person ("Muennighoff" or "N. Muennighoff" for "Niklas
    Muennighoff")."""
    ours = [a.name for a in citation.authors if a.position is not None]
    theirs = [a.name for a in richest.authors if a.position is not None]
    if ours == theirs:
        return True
    if citation.authors_complete or len(ours) > len(theirs):
        return False
    return all(_same_person(a, b) for a, b in zip(ours, theirs, strict=False))


def _same_person(a: str, b: str) -> bool:
    """Same surname, and given names that start alike where both have one."""
    a, b = a.casefold(), b.casefold()
    if is_surname_only(a) or is_surname_only(b):
        shorter, longer = sorted((a, b), key=len)
        return longer == shorter or longer.endswith(" " + shorter)
    words_a, words_b = a.split(), b.split()
    return words_a[-1] == words_b[-1] and words_a[0][:1] == words_b[0][:1]


def _richest_citation(citations):
    with_authors = [c for c in citations if c.authors]
    if not with_authors:
        return None
    # A complete list beats a truncated one; then more names beat fewer.
    return max(with_authors, key=lambda c: (c.authors_complete, len(c.authors)))
