"""A paper of one entry (most of them) gets the same draft from build_draft()'s
shortcut as from the general merge of entries."""

from __future__ import annotations

import dataclasses
import datetime

from hypothesis import given
from hypothesis import strategies as st

from catalog.importer import merge
from catalog.importer.parsing import REASON_NO_ABSTRACT, REASON_NO_YEAR
from catalog.importer.records import AuthorRecord, CitationRecord, EntryRecord

_TEXT = st.sampled_from(["", "Attention", "10.1234/abc", "bioRxiv 2022.11.20.517210", "x"])
_VENUES = st.sampled_from(["", "ICML", "arXiv", "bioXriv", "EMNLP (Findings)"])
_AUTHORS = st.lists(
    st.builds(
        AuthorRecord,
        st.sampled_from(["Ada Lovelace", "Gao", "A. Turing"]),
        st.none() | st.integers(1, 5),
    ),
    max_size=3,
).map(tuple)
_CITATIONS = st.none() | st.builds(
    CitationRecord,
    text=_TEXT,
    authors=_AUTHORS,
    authors_complete=st.booleans(),
    venue_text=_TEXT,
    arxiv_id=st.sampled_from(["", "2101.00001"]),
    doi=_TEXT,
    awards=st.lists(st.sampled_from(["Oral", "Outstanding Paper Award"]), max_size=3).map(tuple),
)
_ENTRIES = st.builds(
    EntryRecord,
    source_file=st.just("a.txt"),
    format=st.sampled_from(["blog", "daily", "abstracts"]),
    entry_index=st.integers(1, 9),
    line=st.integers(1, 99),
    title=_TEXT,
    abstract=st.sampled_from(["", "We study things. Then more.", "A" * 200 + ". B"]),
    venue_name=_VENUES,
    citation=_CITATIONS,
    author_count=st.none() | st.integers(0, 40),
    published_on=st.none() | st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 1, 1)),
    year=st.none() | st.integers(1990, 2030),
    upvotes=st.none() | st.integers(0, 400),
    url=_TEXT,
    review_reasons=st.lists(
        st.sampled_from([REASON_NO_YEAR, REASON_NO_ABSTRACT, "odd date", "odd date"]), max_size=3
    ).map(tuple),
)


def as_fields(draft: merge.PaperDraft) -> dict:
    return {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft)}


@given(_ENTRIES)
def test_one_entry_gives_the_draft_the_general_merge_gives(entry):
    shortcut = merge.build_draft([entry])
    general = merge._merged_draft([entry])
    assert as_fields(shortcut) == as_fields(general)
    assert shortcut.review_reasons == general.review_reasons  # the same order too


def test_a_preprint_server_alone_is_the_venue_and_the_reasons_keep_their_order():
    entry = EntryRecord(
        "a.txt",
        "blog",
        1,
        1,
        abstract="We study things. Then more.",
        venue_name="arXiv",
        citation=CitationRecord("Gao. x", awards=("Oral", "Oral")),
        review_reasons=("odd date", REASON_NO_YEAR, "odd date"),
    )
    draft = merge.build_draft([entry])
    assert as_fields(draft) == as_fields(merge._merged_draft([entry]))
    assert (draft.venue_name, draft.awards, draft.title) == ("arXiv", ("Oral",), "We study things")
    assert draft.review_reasons == [
        "no title in listing: provisional title taken from the abstract",
        REASON_NO_YEAR,
        "odd date",
    ]
