"""BibTeX as a listing format: real exports' shapes in, the listing records out."""

from pathlib import Path

import pytest

from catalog.importer.bibtex import MAX_ENTRY_CHARS, bibtex_authors, latex_to_text, parse_bibtex
from catalog.importer.parsing import detect_format, parse_listing
from catalog.importer.records import ListingError

DATA = Path(__file__).resolve().parent / "data" / "bibtex"


def parse_file(name: str, **options):
    return parse_listing((DATA / name).read_text(encoding="utf-8"), source_file=name, **options)


def entry(text: str, **options):
    (only,) = parse_bibtex(text, source_file="test.bib", **options).entries
    return only


def names(record):
    return [(a.name, a.position) for a in record.authors]


# ---------------------------------------------------------------------------
# Real exports


def test_google_scholar_export_gives_venues_years_and_incomplete_author_lists():
    listing = parse_file("google_scholar.bib")
    assert listing.format == "bibtex"
    pythia, crosslingual, reap = listing.entries
    assert pythia.title == (
        "Pythia: A suite for analyzing large language models across training and scaling"
    )
    assert pythia.venue_name == "ICML"
    assert pythia.citation.venue_text == "International Conference on Machine Learning"
    assert pythia.year == 2023
    assert pythia.citation.pages == "2397\u20132430"
    assert names(pythia)[:3] == [
        ("Stella Biderman", 1),
        ("Hailey Schoelkopf", 2),
        ("Quentin Gregory Anthony", 3),
    ]
    assert ("USVSN Sai Prashanth", 9) in names(pythia)
    assert ("Kyle O'Brien", 5) in names(pythia)
    # "and others": the list is not complete, and no count is claimed.
    assert pythia.authors_complete is False
    assert pythia.author_count is None
    assert crosslingual.citation.arxiv_id == "2211.01786"
    assert crosslingual.venue_name == "arXiv"
    assert ("Teven Le Scao", 6) in names(crosslingual)
    assert ("Aurélie Névéol", 2) in names(reap)


def test_dblp_export_follows_crossref_and_reads_corr_as_arxiv():
    rwkv, corr, neurips = parse_file("dblp.bib").entries
    # The @proceedings volume is not a paper: three papers, not four.
    assert rwkv.title == "RWKV: Reinventing RNNs for the Transformer Era"
    assert rwkv.venue_name == "EMNLP (Findings)"
    assert rwkv.citation.venue_text == (
        "Findings of the Association for Computational Linguistics: EMNLP 2023, "
        "Singapore, December 6-10, 2023"
    )
    assert rwkv.year == 2023  # from the crossref'd proceedings
    assert rwkv.citation.doi == "10.18653/V1/2023.FINDINGS-EMNLP.936"
    assert rwkv.authors_complete is True and rwkv.author_count == 32
    assert names(rwkv)[-1] == ("Rui-Jie Zhu", 32)
    assert corr.venue_name == "arXiv"
    assert corr.citation.arxiv_id == "2405.15743"
    # arXiv's own DOI says no more than the arXiv id: the DOI field stays free.
    assert corr.citation.doi == ""
    assert corr.title == (
        "Sparse maximal update parameterization: A holistic approach to sparse training dynamics"
    )
    assert neurips.venue_name == "NeurIPS"
    assert neurips.citation.venue_text.startswith("Advances in Neural Information Processing")


def test_acl_anthology_export_decodes_latex_names_and_keeps_the_abstract():
    french, reap = parse_file("acl_anthology.bib").entries
    assert french.title.startswith("French CrowS-Pairs: Extending a challenge dataset")
    assert french.title.endswith("to a language other than English")
    assert names(french) == [
        ("Aurélie Névéol", 1),
        ("Yoann Dupont", 2),
        ("Julien Bezançon", 3),
        ("Karën Fort", 4),
    ]
    assert french.venue_name == "ACL"
    assert french.citation.doi == "10.18653/v1/2022.acl-long.583"
    assert french.url == "https://aclanthology.org/2022.acl-long.583/"
    assert french.abstract.startswith("Warning: This paper contains explicit statements")
    assert "no abstract in listing" not in french.review_reasons
    assert reap.citation.venue_text == (
        "Proceedings of BigScience Episode #5 \u2013 Workshop on Challenges & Perspectives in "
        "Creating Large Language Models"
    )
    assert names(reap)[-1] == ("Oskar Van Der Wal", 16)
    assert reap.authors_complete is True


def test_arxiv_export_reads_eprint_and_keeps_math_in_the_abstract():
    rwkv, smupar = parse_file("arxiv.bib").entries
    assert rwkv.citation.arxiv_id == "2305.13048"
    assert rwkv.venue_name == "arXiv"
    assert rwkv.url == "https://arxiv.org/abs/2305.13048"
    assert smupar.citation.arxiv_id == "2405.15743"
    # Math stays as written, for the paper page's MathML; "\%" is a percent sign.
    assert "we propose S$\\mu$Par as one such approach" in smupar.abstract
    assert "improves loss by up to 8.2% over" in smupar.abstract


@pytest.mark.parametrize(
    "name", ["google_scholar.bib", "dblp.bib", "acl_anthology.bib", "arxiv.bib"]
)
def test_every_export_is_detected_by_content(name):
    assert detect_format((DATA / name).read_text(encoding="utf-8"), name) == "bibtex"


def test_a_header_comment_or_free_text_before_the_entries_is_still_bibtex():
    jabref = "% Created with JabRef 2.10.\n% Encoding: UTF-8\n\n@Article{a, title={A}}"
    assert detect_format(jabref, "x.bib") == "bibtex"
    assert detect_format("Exported by an old tool\n\n@misc{k, title={T}}\n", "x.bib") == "bibtex"


def test_listings_are_not_mistaken_for_bibtex():
    assert detect_format("Abstract: We study email@example.org {x}.\n", "a.txt") == "abstracts"


# ---------------------------------------------------------------------------
# LaTeX, names and values


@pytest.mark.parametrize(
    "latex, text",
    [
        ("{RWKV}: Reinventing {RNN}s", "RWKV: Reinventing RNNs"),
        ('M{\\"u}ller and Bezan{\\c{c}}on', "Müller and Bezançon"),
        ("S$\\mu$Par: sparse", "SμPar: sparse"),
        ("40% of \\emph{all} R\\&D", "40% of all R&D"),
        ("``Quoted'' text", "\u201cQuoted\u201d text"),
    ],
)
def test_titles_become_unicode_text(latex, text):
    assert latex_to_text(latex) == text


def test_abstract_math_is_kept_as_written():
    assert latex_to_text("costs $\\mathcal{O}(T^2)$ time", keep_math=True) == (
        "costs $\\mathcal{O}(T^2)$ time"
    )


@pytest.mark.parametrize(
    "field, expected",
    [
        ("N{\\'e}v{\\'e}ol, Aur{\\'e}lie", ["Aurélie Névéol"]),
        ("Stella Biderman", ["Stella Biderman"]),
        ("Biderman, Stella", ["Stella Biderman"]),
        ("Biderman, S.", ["S. Biderman"]),
        ("van der Wal, Oskar", ["Oskar van der Wal"]),
        ("Oskar van der Wal", ["Oskar van der Wal"]),
        ("de la Fontaine, Jr., Jean", ["Jean de la Fontaine Jr."]),
        ("Smith, Jr, John and Doe, Jane", ["John Smith Jr", "Jane Doe"]),
        ("{\\L}ukasz Kaiser", ["Łukasz Kaiser"]),
        ("{Google DeepMind}", ["Google DeepMind"]),
        ("Alice Anders AND Bob Brown", ["Alice Anders", "Bob Brown"]),
        ("{BigScience Workshop} and Ann Lee", ["BigScience Workshop", "Ann Lee"]),
    ],
)
def test_names_in_every_bibtex_form(field, expected):
    assert [a.name for a in bibtex_authors(field).authors] == expected


def test_and_others_makes_the_list_incomplete_and_keeps_positions():
    authors = bibtex_authors("Gao, Leo and Biderman, Stella and others")
    assert authors.complete is False
    assert [(a.name, a.position) for a in authors.authors] == [
        ("Leo Gao", 1),
        ("Stella Biderman", 2),
    ]


def test_a_name_left_with_braces_or_backslashes_is_never_a_person():
    authors = bibtex_authors("Ada Lovelace and \\unknowncommand{}{\\weird} and 42 Numbers")
    assert [a.name for a in authors.authors] == ["Ada Lovelace"]
    assert authors.complete is False
    assert any("not a readable name" in note for note in authors.notes)
    for author in authors.authors:
        assert not set(author.name) & set("{}\\")


def test_string_macros_months_and_concatenation():
    text = """
    @string{icml = "International Conference on Machine Learning"}
    @STRING(pmlr = {Proceedings of Machine Learning Research})
    @preamble{"\\newcommand{\\noopsort}[1]{}"}
    @comment{jabref-meta: databaseType:bibtex;}
    @inproceedings{k,
      title = "Macro {T}itle",
      booktitle = "Proceedings of the 40th " # icml,
      series = pmlr,
      month = jul,
      year = 2023,
    }
    """
    record = entry(text)
    assert record.title == "Macro Title"
    assert record.citation.venue_text == (
        "Proceedings of the 40th International Conference on Machine Learning"
    )
    assert record.venue_name == "ICML"
    assert record.year == 2023


def test_a_full_date_gives_the_publication_date():
    record = entry("@article{k, title={Dated}, date={2023-05-14}}")
    assert str(record.published_on) == "2023-05-14"
    assert record.year == 2023


@pytest.mark.parametrize(
    "fields, arxiv_id",
    [
        ("eprint={2201.07311}, archivePrefix={arXiv}", "2201.07311"),
        ("eprint={2201.07311v3}, eprinttype={arxiv}", "2201.07311"),
        ("journal={arXiv preprint arXiv:2201.07311}", "2201.07311"),
        ("journal={CoRR}, volume={abs/2201.07311}", "2201.07311"),
        ("url={https://arxiv.org/abs/2201.07311v2}", "2201.07311"),
        ("eprint={hep-th/9901001}, archivePrefix={arXiv}", "hep-th/9901001"),
        ("eprint={1234}, archivePrefix={PubMed}", ""),
    ],
)
def test_arxiv_ids_wherever_exports_put_them(fields, arxiv_id):
    assert entry(f"@misc{{k, title={{T}}, {fields}}}").citation.arxiv_id == arxiv_id


@pytest.mark.parametrize(
    "written", ["10.1145/3511808.3557079", "https://doi.org/10.1145/3511808.3557079"]
)
def test_doi_with_or_without_resolver(written):
    assert entry(f"@article{{k, title={{T}}, doi={{{written}}}}}").citation.doi == (
        "10.1145/3511808.3557079"
    )


def test_a_repeated_key_or_field_is_read_as_bibtex_reads_it():
    listing = parse_bibtex(
        "@article{k, title={First}, title={Second}}\n@article{k, title={Other}}\n",
        source_file="dup.bib",
    )
    assert [e.title for e in listing.entries] == ["First", "Other"]


def test_an_unknown_crossref_is_noted_not_fatal():
    record = entry("@inproceedings{k, title={T}, crossref={missing}, year={2020}}")
    assert "crossref 'missing' is not in the file" in record.review_reasons


# ---------------------------------------------------------------------------
# Hostile input: the file's name and line, never a traceback


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("@article{a, title={Fine}}\n\n@article{b, title={Open {brace}, year=2020}\n", 3, "ends"),
        ("@article{a, title={Open {brace}\n@article{b, title={Fine}}\n", 1, "next '@' block"),
        ("@article{a,\n  author={A B},\n  year=2020}\n", 1, "no title"),
        ("@article{m, title={T}, journal=nomacro}\n", 1, "undefined @string macro 'nomacro'"),
        ("@article{n, title={" + "x" * 600 + "}}\n", 1, "at most 500"),
    ],
    ids=["unclosed at end", "unclosed before next", "no title", "undefined macro", "long title"],
)
def test_a_bad_entry_names_file_and_line(text, line, message):
    with pytest.raises(ListingError) as error:
        parse_bibtex(text, source_file="lab.bib")
    assert error.value.source_file == "lab.bib"
    assert error.value.line == line
    assert message in str(error.value)


def test_a_five_megabyte_entry_is_refused_with_the_limit():
    text = "@article{big, title={Big}, abstract={" + "word " * 1_000_000 + "}}\n"
    with pytest.raises(ListingError) as error:
        parse_bibtex(text, source_file="big.bib")
    assert error.value.line == 1
    assert f"the limit is {MAX_ENTRY_CHARS:,}" in str(error.value)
    assert "5,000,0" in str(error.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("  \n\t\n", "empty"),
        ("% just a comment\n@comment{nothing}\n@string{a = {b}}\n", "no BibTeX entries"),
    ],
)
def test_a_file_without_entries_is_refused(text, message):
    with pytest.raises(ListingError, match=message):
        parse_bibtex(text, source_file="none.bib")


def test_skip_bad_imports_the_rest_and_lists_what_it_skipped():
    text = (
        "@article{good, title={Good}, year={2021}}\n"
        "@article{notitle, year={2021}}\n"
        "@article{also, title={Also good}}\n"
        "@article{open, title={Never {closed}\n"
    )
    listing = parse_bibtex(text, source_file="mixed.bib", skip_bad=True)
    assert [e.title for e in listing.entries] == ["Good", "Also good"]
    assert [e.entry_index for e in listing.entries] == [1, 2]
    assert [error.line for error in listing.skipped] == [2, 4]


def test_the_format_can_be_forced():
    listing = parse_listing("@misc{k, title={Forced}}", source_file="x.txt", format="bibtex")
    assert listing.entries[0].title == "Forced"
