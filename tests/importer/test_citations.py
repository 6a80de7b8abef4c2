"""parse_citation and parse_author_list on their own, and the venue rule."""

from __future__ import annotations

import pytest

from catalog.importer.citations import looks_like_citation, venue_conflict
from catalog.importer.names import is_surname_only
from catalog.importer.parsing import parse_author_list, parse_citation
from catalog.importer.records import AuthorRecord

BLOOM = (
    "Le Scao, et al. (incl. Tow, Biderman, Ammanamanchi, Gao, Sutawika, Teehan). "
    '"BLOOM: A 176B-Parameter Open-Access Multilingual Language Model." '
    "arXiv preprint arXiv: 2211.05100, 2022."
)
T0 = (
    "Victor Sanh*, Albert Webson*, Colin Raffel*, Stephen H. Bach*, and 37 others "
    "(incl. Stella Biderman, Leo Gao, and Lintang Sutawika). \u201cMultitask Prompted "
    "Training Enables Zero-Shot Task Generalization.\u201d In the Tenth International "
    "Conference on Learning Representations (ICLR), 2022. Spotlight Paper"
)


def test_bloom_citation():
    citation = parse_citation(BLOOM)
    assert citation.text == BLOOM
    assert citation.title == "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model"
    assert citation.authors[0] == AuthorRecord("Le Scao", 1, surname_only=True)
    assert len(citation.authors) == 7
    assert citation.authors_complete is False
    assert citation.author_count is None
    assert (citation.arxiv_id, citation.year, citation.venue_text) == (
        "2211.05100",
        2022,
        "arXiv preprint",
    )
    assert (citation.doi, citation.awards, citation.pages) == ("", (), "")


def test_t0_citation():
    citation = parse_citation(T0)
    assert citation.author_count == 41
    assert [a.position for a in citation.authors] == [1, 2, 3, 4, None, None, None]
    assert citation.awards == ("Spotlight Paper",)
    assert (
        citation.venue_text == "Tenth International Conference on Learning Representations (ICLR)"
    )


def test_citation_with_doi_and_parenthesised_year():
    citation = parse_citation(
        'Ann Smith and Bo Li. "A Study." Journal of Things 12, 3-9 (2021). doi:10.1000/xyz.123.'
    )
    assert citation.doi == "10.1000/xyz.123"
    assert citation.year == 2021
    assert citation.pages == "12, 3-9"
    assert citation.venue_text == "Journal of Things"
    assert [a.name for a in citation.authors] == ["Ann Smith", "Bo Li"]


def test_citation_without_year():
    citation = parse_citation('Ann Smith. "A Study." Workshop on Stuff. Best Paper Award')
    assert citation.year is None
    assert citation.awards == ("Best Paper Award",)
    assert citation.venue_text == "Workshop on Stuff"


def test_unreadable_citation_keeps_its_text_only():
    citation = parse_citation("  no quotes\u00a0at all  ")
    assert citation.text == "no quotes at all"
    assert citation.authors == ()
    assert citation.authors_complete is False
    assert (citation.title, citation.year, citation.venue_text) == ("", None, "")


@pytest.mark.parametrize(
    ("text", "names", "complete", "declared"),
    [
        ("Allal, Li, Kocetkov, et al.", ["Allal", "Li", "Kocetkov"], False, None),
        (
            "Azerbayev, Piotrowski, Schoelkopf, Ayers, Radev, and Avigad.",
            ["Azerbayev", "Piotrowski", "Schoelkopf", "Ayers", "Radev", "Avigad"],
            True,
            None,
        ),
        ("Srivastava, Aarohi, et al.", ["Aarohi Srivastava"], False, None),
        ("Srivastava, Aarohi K., et al.", ["Aarohi K. Srivastava"], False, None),
        ("Biderman, Stella, and Edward Raff.", ["Stella Biderman", "Edward Raff"], True, None),
        ("Biderman, S., Raff, E.", ["S. Biderman", "E. Raff"], True, None),
        ("Stella Biderman and Edward Raff.", ["Stella Biderman", "Edward Raff"], True, None),
        ("Radev and Avigad", ["Radev", "Avigad"], True, None),
        ("John Smith, Jr., and Ann Lee", ["John Smith Jr.", "Ann Lee"], True, None),
        ("A. Person, B. Person, and 3 others", ["A. Person", "B. Person"], False, 5),
        ("Jernite, Nguyen, et al.", ["Jernite", "Nguyen"], False, None),
        ("Ann Lee & Bo Li", ["Ann Lee", "Bo Li"], True, None),
    ],
)
def test_author_list_shapes(text, names, complete, declared):
    authors, is_complete, declared_count = parse_author_list(text)
    assert [a.name for a in authors] == names
    assert is_complete is complete
    assert declared_count == declared
    assert [a.position for a in authors] == list(range(1, len(names) + 1))


def test_incl_names_have_no_position_and_duplicates_are_dropped():
    authors, complete, _ = parse_author_list("Biderman, Gao, et al. (incl. Biderman, Tow)")
    assert authors == (
        AuthorRecord("Biderman", 1, surname_only=True),
        AuthorRecord("Gao", 2, surname_only=True),
        AuthorRecord("Tow", None, surname_only=True),
    )
    assert complete is False


def test_incl_alone_makes_the_list_incomplete():
    authors, complete, declared = parse_author_list("Schuhmann (incl. Crowson)")
    assert [a.name for a in authors] == ["Schuhmann", "Crowson"]
    assert (complete, declared) == (False, None)


def test_unreadable_author_lists():
    assert parse_author_list("") == ((), False, None)
    assert parse_author_list("The BigCode community") == ((), False, None)
    assert parse_author_list("Ann Smith, 42") == ((), False, None)


@pytest.mark.parametrize(
    ("name", "surname_only"),
    [
        ("Biderman", True),
        ("McMillan-Major", True),
        ("Le Scao", True),
        ("Van der Sluijs", True),
        ("Rogier Van der Sluijs", False),
        ("Lintang Sutawika", False),
        ("JR Smith", False),
        ("USVSN Sai Prashanth", False),
        ("M. Cyrus Maher", False),
        ("M.", False),
    ],
)
def test_surname_only_rule(name, surname_only):
    assert is_surname_only(name) is surname_only


def test_looks_like_citation():
    assert looks_like_citation(BLOOM)
    assert looks_like_citation(T0)
    assert not looks_like_citation('We call it "BTLM-3B-8K", a new model from 2023.')
    assert not looks_like_citation('"A quote" opening the paragraph, 2020.')
    assert not looks_like_citation('Ann Smith. "Title with nothing after."')
    assert not looks_like_citation('Ann Smith. "' + "x" * 5000 + '." 2020.')


@pytest.mark.parametrize(
    ("header", "venue", "conflict"),
    [
        ("ICLR", "Tenth International Conference on Learning Representations (ICLR)", False),
        (
            "NeurIPS Datasets and Benchmarks",
            "Thirty-sixth Conference on Neural Information Processing Systems Datasets and "
            "Benchmarks Track",
            False,
        ),
        ("bioXriv", "bioRxiv", False),
        (
            "CIKM",
            "Proceedings of the 31st ACM International Conference on Information & "
            "Knowledge Management",
            False,
        ),
        (
            "FAccT",
            "Proceedings of ACM Conference on Fairness, Accountability, and Transparency",
            False,
        ),
        ("JASA", "The Journal of the Acoustical Society of America", False),
        ("ICML", "arXiv preprint", False),  # cited as its preprint: normal
        ("EMNLP", "Preprint", False),
        ("BigScience Workshop", "Proceedings of the ACL Workshop on Challenges", False),
        ("Journal of Computational Chemistry", "Journal of Computational Chemistry", False),
        ("Alignment Forum", "ICML", False),  # unknown header venue: no opinion
        ("arXiv", "Proceedings of the European Conference on Computer Vision (ECCV)", True),
        ("ICLR", "Advances in Neural Information Processing Systems", True),
    ],
)
def test_venue_conflict_rule(header, venue, conflict):
    assert venue_conflict(header, venue) is conflict
