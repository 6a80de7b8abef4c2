"""The pure rules for bibliographies against the catalog (catalog/importer/bibliographic.py)."""

import pytest

from catalog.importer.bibliographic import (
    PROVISIONAL_TITLE_REASON,
    Candidate,
    complete_list_replaces,
    initials_fit,
    is_shortened,
    merged_authors,
    provisional_match,
    same_person_name,
    shortened_title_match,
    title_is_provisional,
    venue_may_replace,
    word_prefixes,
)

ABSTRACT = (
    "Several challenges make it difficult for sparse neural networks to compete with dense "
    "models. First, setting a large fraction of weights to zero impairs forward and gradient "
    "signal propagation. Second, sparse studies often need to test multiple sparsity levels."
)


def candidate(**fields):
    values = {"paper_id": 1, "title": "T", "title_key": "t", "abstract": ABSTRACT}
    return Candidate(**(values | fields))


def test_a_title_is_provisional_until_someone_gives_it_a_real_one():
    imported = {"title": "Several challenges…", "review_note": PROVISIONAL_TITLE_REASON}
    assert title_is_provisional("Several challenges…", imported, [])
    assert not title_is_provisional("Several challenges…", imported, ["title"])
    assert not title_is_provisional("SμPar", imported, [])
    assert not title_is_provisional("T", {"title": "T", "review_note": ""}, [])


def test_a_provisional_paper_is_the_entry_with_its_abstract():
    assert provisional_match(ABSTRACT.replace("Second,", "Second:"), candidate()).same
    # One sentence rewritten: close, but not the same text.
    close = provisional_match(
        ABSTRACT.replace("test multiple sparsity levels", "try several sparsity settings"),
        candidate(),
    )
    assert close is not None and not close.same and "not merged" in close.doubt
    assert provisional_match("A wholly different abstract about proteins.", candidate()) is None


def test_shortened_titles_are_whole_word_prefixes():
    assert word_prefixes("pythia a suite for analyzing") == [
        "pythia",
        "pythia a",
        "pythia a suite",
        "pythia a suite for",
    ]
    assert is_shortened("pythia", "pythia a suite for analyzing")
    assert not is_shortened("pyth", "pythia a suite")
    assert not is_shortened("pythia a suite", "pythia a suite")


def test_a_shortened_title_matches_when_first_authors_agree_or_abstracts_do():
    full = candidate(title="Pythia: A Suite", first_author="Stella Biderman", abstract="")
    assert shortened_title_match("", "S. Biderman", full).same
    assert shortened_title_match(ABSTRACT, "", candidate(first_author="")).same
    doubt = shortened_title_match("", "Leo Gao", full)
    assert not doubt.same and "may be this paper under a shorter or fuller title" in doubt.doubt


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Stella Biderman", "S. Biderman", True),
        ("Stella Biderman", "Biderman", True),
        ("Stella Biderman", "Stella Rose Biderman", True),
        ("Stella Biderman", "Leo Biderman", False),
        ("Stella Biderman", "Stella Gao", False),
        ("", "Stella Biderman", False),
    ],
)
def test_two_names_can_be_one_person(a, b, same):
    assert same_person_name(a, b) is same


@pytest.mark.parametrize(
    "name, full, fits",
    [
        ("S. Biderman", "Stella Biderman", True),
        ("M. C. Maher", "M. Cyrus Maher", False),  # an initials-only name is no full name
        ("J.-B. Delbrouck", "Jean-Benoit Delbrouck", True),
        ("S. Biderman", "Edward Biderman", False),
        ("S. Le Scao", "Teven Le Scao", False),
        ("T. Le Scao", "Teven Le Scao", True),
        ("Stella Biderman", "Stella Biderman", False),
    ],
)
def test_initials_fit_a_full_name(name, full, fits):
    assert initials_fit(name, full) is fits


@pytest.mark.parametrize(
    "current, new, replaces",
    [
        ("", "ICML", True),
        ("arXiv", "ICML", True),
        ("bioRxiv", "NeurIPS", True),
        ("ICML", "arXiv", False),
        ("ICML", "NeurIPS", False),
        ("ICML", "ICML", False),
        ("ICML", "", False),
    ],
)
def test_a_preprint_server_never_replaces_a_real_venue(current, new, replaces):
    assert venue_may_replace(current, new) is replaces


def test_equal_contribution_marks_stay_unless_the_source_gives_its_own():
    current = [("Sid Black", 1, True), ("Stella Biderman", 2, True)]
    new = [("Sid Black", 1, False), ("Stella Biderman", 2, False), ("Leo Gao", 3, False)]
    assert merged_authors(current, new, source_marks_equal=False) == (
        ("Sid Black", 1, True),
        ("Stella Biderman", 2, True),
        ("Leo Gao", 3, False),
    )
    assert merged_authors(current, new, source_marks_equal=True) == tuple(new)


def test_a_complete_author_list_replaces_an_incomplete_one_never_the_reverse():
    incl = [("Muennighoff", 1, False), ("Stella Biderman", None, False)]
    full = [("Niklas Muennighoff", 1, False), ("Stella Biderman", 5, False)]
    assert complete_list_replaces(incl, False, full, True)
    assert not complete_list_replaces(full, True, incl, False)
    assert complete_list_replaces([], False, incl, False)
    assert not complete_list_replaces(full, False, full[:1], False)
