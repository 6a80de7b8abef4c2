"""BibTeX exports, read back by an independent parser (bibtexparser 2)."""

import pytest

from catalog.exports import bibtex_entry, escape_value
from catalog.models import Paper
from tests.conftest import SEED_COUNTS
from tests.exports.conftest import (
    HOSTILE,
    bibtex_author_names,
    latex_to_text,
    parse_bibtex,
)
from tests.factories import make_paper, make_venue

pytestmark = pytest.mark.django_db


def export(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response


def entries_by_key(client):
    library = parse_bibtex(export(client, "/papers/export.bib").content.decode())
    return {entry.key: entry for entry in library.entries}


def test_the_whole_seed_catalog_parses_and_round_trips_titles_authors_and_years(client, seed):
    entries = entries_by_key(client)
    papers = list(Paper.objects.for_export())
    assert len(papers) == SEED_COUNTS.papers and len(entries) == SEED_COUNTS.papers
    for paper in papers:
        entry = entries[paper.citation_key]
        assert latex_to_text(entry["title"]) == " ".join(paper.title.split()), paper.title
        placed = [row.person.name for row in paper.placed_authorships()]
        expected = placed + (["others"] if placed and paper.author_list_truncated else [])
        if expected:
            assert bibtex_author_names(entry) == expected, paper.title
        else:
            assert "author" not in entry.fields_dict
        if paper.year:
            assert entry["year"] == str(paper.year)
        else:
            assert "year" not in entry.fields_dict


def test_every_seed_paper_exports_on_its_own_with_its_stored_key(client, seed):
    for paper in Paper.objects.all():
        response = export(client, f"/papers/{paper.slug}.bib")
        library = parse_bibtex(response.content.decode())
        assert [entry.key for entry in library.entries] == [paper.citation_key]


def test_citation_keys_in_the_seed_are_unique_and_plain_ascii(seed):
    keys = list(Paper.objects.values_list("citation_key", flat=True))
    assert len(keys) == len(set(keys)) == SEED_COUNTS.papers
    assert all(key.isascii() and key.isalnum() and key == key.lower() for key in keys)


def test_gpt_neox_has_its_17_authors_in_order(client, seed):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    entry = parse_bibtex(export(client, f"/papers/{paper.slug}.bib").content.decode()).entries[0]
    names = bibtex_author_names(entry)
    assert len(names) == 17
    assert names[:3] == ["Sid Black", "Stella Biderman", "Eric Hallahan"]
    assert names[-1] == "Samuel Weinbach"
    assert "USVSN Sai Prashanth" in names
    assert entry.entry_type == "inproceedings"
    assert entry.key == "black2022gptneox20b"
    assert latex_to_text(entry["booktitle"]) == (
        "Proceedings of the ACL Workshop on Challenges & Perspectives in Creating Large "
        "Language Models"
    )


def test_the_iclr_2022_paper_lists_its_four_placed_authors_then_others(client, seed):
    paper = Paper.objects.get(
        title="Multitask-prompted training enables zero-shot task generalization"
    )
    entry = parse_bibtex(export(client, f"/papers/{paper.slug}.bib").content.decode()).entries[0]
    assert bibtex_author_names(entry) == [
        "Victor Sanh",
        "Albert Webson",
        "Colin Raffel",
        "Stephen H. Bach",
        "others",
    ]
    assert entry.raw.count(" and others}") == 1
    assert entry.entry_type == "inproceedings"
    assert "Learning Representations" in entry["booktitle"]


def test_laion_5b_keeps_its_award_out_of_its_venue(client, seed):
    paper = Paper.objects.get(title__startswith="LAION-5B")
    assert [award.name for award in paper.awards.all()] == ["Outstanding Paper Award"]
    text = export(client, f"/papers/{paper.slug}.bib").content.decode()
    entry = parse_bibtex(text).entries[0]
    assert "Award" not in entry["booktitle"] and "Outstanding" not in text
    assert entry["booktitle"].startswith("Thirty-sixth Conference on Neural Information")


def test_entry_types_follow_the_venue_kind(db):
    kinds = {
        "conference": "inproceedings",
        "workshop": "inproceedings",
        "journal": "article",
        "preprint": "misc",
        "forum": "misc",
    }
    for kind, entry_type in kinds.items():
        paper = make_paper(f"A {kind} paper", venue=make_venue(f"V {kind}", kind=kind), year=2020)
        paper = Paper.objects.for_export().get(pk=paper.pk)
        entry = parse_bibtex(bibtex_entry(paper)).entries[0]
        assert entry.entry_type == entry_type, kind
        field = {"inproceedings": "booktitle", "article": "journal"}.get(entry_type, "howpublished")
        assert entry[field] == f"V {kind}"
    paper = make_paper("No venue")
    assert bibtex_entry(Paper.objects.for_export().get(pk=paper.pk)).startswith("@misc{")


def test_an_arxiv_paper_is_misc_with_eprint_and_archive_prefix(client, seed):
    paper = Paper.objects.exclude(arxiv_id="").first()
    entry = parse_bibtex(export(client, f"/papers/{paper.slug}.bib").content.decode()).entries[0]
    assert entry.entry_type == "misc"
    assert entry["eprint"] == paper.arxiv_id and entry["archiveprefix"] == "arXiv"
    assert entry["url"] == f"https://arxiv.org/abs/{paper.arxiv_id}"


def test_month_abstract_doi_and_url_when_known(db):
    import datetime

    paper = make_paper(
        "Dated",
        year=2023,
        published_on=datetime.date(2023, 5, 17),
        doi="10.1000/xyz_123",
        url="https://example.org/paper?a=1&b={2}",
        abstract="Line one.\n\nLine two with 50% more.",
        authors=["Ana Núñez"],
    )
    text = bibtex_entry(Paper.objects.for_export().get(pk=paper.pk))
    entry = parse_bibtex(text).entries[0]
    assert "  month = may," in text
    assert entry["doi"] == "10.1000/xyz_123"
    assert entry["url"] == "https://example.org/paper?a=1&b=%7B2%7D"
    assert entry["abstract"] == r"Line one. Line two with 50\% more."
    assert "Núñez, Ana" in text  # UTF-8 kept


@pytest.mark.parametrize(
    "title",
    [
        "Balanced {braces} stay {readable}",
        "An unbalanced } brace { here",
        "A lone { brace",
        "Specials & % $ # _ ~ ^ \\ in a title",
        "Math $\\mathcal{O}(n^2)$ is kept",
        "Broken math $\\}$ is escaped",
        "An @misc{entry, title={inside}} a title",
        "An @comment here",
        HOSTILE,
    ],
)
def test_escaping_keeps_every_entry_parseable_and_balanced(db, title):
    paper = make_paper(title, year=2021, authors=["Ana Núñez", "Teven Le Scao"], abstract=title)
    text = bibtex_entry(Paper.objects.for_export().get(pk=paper.pk))
    library = parse_bibtex(text + "\n@misc{after, title = {After}}\n")
    assert [entry.key for entry in library.entries] == [paper.citation_key, "after"]
    entry = library.entries[0]
    assert latex_to_text(entry["title"]) == title
    assert bibtex_author_names(entry) == ["Ana Núñez", "Teven Le Scao"]
    # BibTeX itself counts every brace, escaped or not.
    body = text.replace("\\textbraceleft{}", "").replace("\\textbraceright{}", "")
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0


def test_escape_value_collapses_whitespace_and_drops_nul():
    assert escape_value("a\n\n b\x00c") == "a bc"


def test_a_surname_only_author_is_one_last_name(db):
    paper = make_paper("Solo", year=2020, authors=["Van der Sluijs", "Biderman"])
    entry = parse_bibtex(bibtex_entry(Paper.objects.for_export().get(pk=paper.pk))).entries[0]
    assert [parts.last for parts in entry["author"]] == [["{Van der Sluijs}"], ["Biderman"]]
    assert [parts.first for parts in entry["author"]] == [[], []]


def test_the_download_has_a_bibtex_content_type_and_a_file_name(client, db):
    paper = make_paper("Pythia", year=2023)
    response = client.get(f"/papers/{paper.slug}.bib")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pythia.bib"'
    assert client.get("/papers/no-such-paper.bib").status_code == 404
