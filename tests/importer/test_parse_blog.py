"""Blog listings (seeds 000-002): entries, headers, citations, abstracts."""

from __future__ import annotations

import pytest

from catalog.importer.parsing import parse_listing
from catalog.importer.records import AuthorRecord, ListingError
from tests.importer.seed_listings import BLOG_FILES, entry_titled, parsed_seed, seed_text


def test_entry_counts_match_read_more_lines():
    for name in BLOG_FILES:
        read_more = sum(1 for line in seed_text(name).split("\n") if line == "Read More")
        listing = parsed_seed(name)
        assert listing.format == "blog"
        assert len(listing.entries) == read_more
        assert listing.skipped == []
    assert [len(parsed_seed(n).entries) for n in BLOG_FILES] == [17, 20, 20]


def test_entries_are_numbered_and_located():
    listing = parsed_seed(BLOG_FILES[0])
    assert [e.entry_index for e in listing.entries] == list(range(1, 18))
    first = listing.entries[0]
    assert (first.line, first.source_file, first.format) == (1, BLOG_FILES[0], "blog")
    # The entry without a header starts at its title line.
    continual = entry_titled(listing, "Continual Pre-Training")
    assert continual.line == 23


def test_header_gives_venue_and_poster():
    listing = parsed_seed(BLOG_FILES[0])
    relora = listing.entries[0]
    assert relora.title == "ReLoRA: High-Rank Training Through Low-Rank Updates"
    assert (relora.venue_name, relora.poster) == ("ICLR", "Stella Biderman")
    rwkv = entry_titled(listing, "RWKV")
    assert rwkv.venue_name == "EMNLP (Findings)"
    dl4c = entry_titled(listing, "SantaCoder")
    assert dl4c.venue_name == "Deep Learning 4 Code Workshop"
    chem = entry_titled(listing, "MP-NeRF")
    assert chem.venue_name == "Journal of Computational Chemistry"
    assert not any("poster" in r for e in listing.entries for r in e.review_reasons)


def test_header_with_poster_only_and_entry_without_header():
    quality = entry_titled(parsed_seed(BLOG_FILES[2]), "Quality at a glance")
    assert (quality.venue_name, quality.poster) == ("", "Stella Biderman")
    continual = entry_titled(parsed_seed(BLOG_FILES[0]), "Continual Pre-Training")
    assert (continual.venue_name, continual.poster) == ("", "")
    assert continual.title.endswith("How to (re)warm your model?")
    assert continual.abstract.startswith("Large language models (LLMs) are routinely")


def test_poster_is_not_an_author():
    for name in BLOG_FILES:
        for entry in parsed_seed(name).entries:
            if entry.citation is None:
                assert entry.authors == ()
                assert entry.authors_complete is False


def test_gpt_neox_authors_in_order_with_equal_contribution():
    entry = entry_titled(parsed_seed(BLOG_FILES[0]), "GPT-NeoX-20B")
    names = [a.name for a in entry.authors]
    assert names == [
        "Sid Black",
        "Stella Biderman",
        "Eric Hallahan",
        "Quentin Anthony",
        "Leo Gao",
        "Laurence Golding",
        "Horace He",
        "Connor Leahy",
        "Kyle McDonell",
        "Jason Phang",
        "Michael Pieler",
        "USVSN Sai Prashanth",
        "Shivanshu Purohit",
        "Laria Reynolds",
        "Jonathan Tow",
        "Ben Wang",
        "Samuel Weinbach",
    ]
    assert [a.position for a in entry.authors] == list(range(1, 18))
    assert [a.equal_contribution for a in entry.authors[:4]] == [True, True, True, False]
    assert not any(a.surname_only for a in entry.authors)
    assert entry.authors_complete is True
    assert entry.author_count == 17
    assert entry.citation.author_count is None  # nothing declared beyond the list
    assert entry.citation.venue_text == (
        "Proceedings of the ACL Workshop on Challenges & Perspectives in Creating "
        "Large Language Models"
    )
    assert entry.year == 2022


def test_t0_citation_is_truncated_with_declared_count_and_award():
    entry = entry_titled(parsed_seed(BLOG_FILES[2]), "Multitask-prompted training")
    citation = entry.citation
    assert citation.authors == (
        AuthorRecord("Victor Sanh", 1, equal_contribution=True),
        AuthorRecord("Albert Webson", 2, equal_contribution=True),
        AuthorRecord("Colin Raffel", 3, equal_contribution=True),
        AuthorRecord("Stephen H. Bach", 4, equal_contribution=True),
        AuthorRecord("Stella Biderman", None),
        AuthorRecord("Leo Gao", None),
        AuthorRecord("Lintang Sutawika", None),
    )
    assert citation.authors_complete is False
    assert citation.author_count == 41
    assert entry.author_count == 41
    assert citation.awards == ("Spotlight Paper",)
    assert (
        citation.venue_text == "Tenth International Conference on Learning Representations (ICLR)"
    )
    assert citation.title == "Multitask Prompted Training Enables Zero-Shot Task Generalization"
    # The heading is kept as the entry's title; the quoted title as the citation's.
    assert entry.title == "Multitask-prompted training enables zero-shot task generalization"
    assert (entry.venue_name, entry.year) == ("ICLR", 2022)
    assert not any("disagrees" in r for r in entry.review_reasons)


def test_laion_5b_award_is_not_part_of_the_venue():
    for name in BLOG_FILES[1:]:
        entry = entry_titled(parsed_seed(name), "LAION-5B")
        citation = entry.citation
        assert citation.awards == ("Outstanding Paper Award",)
        assert citation.venue_text == (
            "Thirty-sixth Conference on Neural Information Processing Systems "
            "Datasets and Benchmarks Track"
        )
        assert citation.authors == (
            AuthorRecord("Schuhmann", 1, surname_only=True),
            AuthorRecord("Crowson", None, surname_only=True),
        )
        assert entry.venue_name == "NeurIPS Datasets and Benchmarks"
        assert entry.review_reasons == ()


def test_srivastava_inverted_name_is_turned_round():
    entry = entry_titled(parsed_seed(BLOG_FILES[2]), "Beyond the Imitation Game")
    assert entry.authors[0] == AuthorRecord("Aarohi Srivastava", 1)
    assert [a.name for a in entry.authors[1:]] == ["Phang", "Gao", "Biderman"]
    assert all(a.position is None and a.surname_only for a in entry.authors[1:])
    assert entry.citation.arxiv_id == "2206.04615"
    # The pair could be two surnames: the parser says how it read it.
    assert any("Srivastava, Aarohi" in r for r in entry.review_reasons)
    # The citation's title differs from the heading ("capabilities"/"capacities").
    assert "citation title differs from heading" in entry.review_reasons


def test_santacoder_surname_list():
    entry = entry_titled(parsed_seed(BLOG_FILES[0]), "SantaCoder")
    citation = entry.citation
    assert citation.authors == (
        AuthorRecord("Allal", 1, surname_only=True),
        AuthorRecord("Li", 2, surname_only=True),
        AuthorRecord("Kocetkov", 3, surname_only=True),
    )
    assert citation.authors_complete is False
    assert citation.author_count is None
    assert citation.title == "SantaCoder: don't reach for the stars!"
    assert (citation.arxiv_id, citation.year, citation.venue_text) == (
        "2301.03988",
        2023,
        "arXiv preprint",
    )
    assert entry.year == 2023
    assert entry.author_count is None


def test_bloom_two_word_surname_and_incl_names():
    entry = entry_titled(parsed_seed(BLOG_FILES[0]), "BLOOM: A 176B")
    authors = entry.authors
    assert authors[0] == AuthorRecord("Le Scao", 1, surname_only=True)
    assert [a.name for a in authors[1:]] == [
        "Tow",
        "Biderman",
        "Ammanamanchi",
        "Gao",
        "Sutawika",
        "Teehan",
    ]
    assert all(a.position is None and a.surname_only for a in authors[1:])
    assert entry.authors_complete is False
    assert entry.citation.arxiv_id == "2211.05100"  # written "arXiv: 2211.05100"


def test_citation_without_period_before_the_quote():
    entry = entry_titled(parsed_seed(BLOG_FILES[0]), "What Language Model to Train")
    citation = entry.citation
    assert citation.title == "What Language Model to Train if You Have One Million GPU Hours?"
    assert [(a.name, a.position, a.surname_only) for a in citation.authors] == [
        ("Le Scao", 1, True),
        ("Biderman", None, True),
        ("Phang", None, True),
        ("Lintang Sutawika", None, False),
    ]
    assert citation.arxiv_id == "2210.15424"


def test_roentgen_names_stay_whole_without_final_and():
    entry = entry_titled(parsed_seed(BLOG_FILES[0]), "RoentGen")
    assert [a.name for a in entry.authors] == [
        "Pierre Chambon",
        "Christian Bluethgen",
        "Jean-Benoit Delbrouck",
        "Rogier Van der Sluijs",
        "Ma\u0142gorzata Po\u0142acin",
        "Juan Manuel Zambrano Chaves",
        "Tanishq Mathew Abraham",
        "Shivanshu Purohit",
        "Curtis P. Langlotz",
        "Akshay Chaudhari",
    ]
    assert not any(a.surname_only for a in entry.authors)
    assert entry.authors_complete is True
    assert (entry.citation.year, entry.citation.arxiv_id) == (2022, "2211.12737")


def test_openfold_biorxiv_identifier():
    entry = entry_titled(parsed_seed(BLOG_FILES[1]), "OpenFold")
    citation = entry.citation
    assert citation.doi == "bioRxiv 2022.11.20.517210"
    assert citation.venue_text == "bioRxiv"
    assert citation.year == 2022
    assert citation.arxiv_id == ""
    assert [(a.name, a.position) for a in citation.authors] == [
        ("Gustaf Ahdritz", 1),
        ("Nazim Bouatta", 2),
        ("Stella Biderman", None),
    ]
    # Header "bioXriv" (sic) and citation "bioRxiv" agree.
    assert entry.venue_name == "bioXriv"
    assert entry.review_reasons == ()


def test_eleutherai_nested_quotes():
    entry = entry_titled(parsed_seed(BLOG_FILES[1]), "EleutherAI")
    citation = entry.citation
    assert citation.title == (
        "EleutherAI: Going Beyond \u201cOpen Science\u201d to \u201cScience in the Open\u201d"
    )
    assert citation.venue_text == "Broadening Research Collaborations Workshop in ML @ NeurIPS"
    assert citation.awards == ("Oral Presentation",)
    assert citation.year == 2022
    assert len(citation.authors) == 5
    assert citation.authors[-1] == AuthorRecord("Stella Biderman", 5)
    # Heading and quoted title differ only by quote style: no doubt raised.
    assert entry.review_reasons == ()


def test_pages_and_journal_volumes():
    moss = entry_titled(parsed_seed(BLOG_FILES[1]), "Fooling MOSS").citation
    assert moss.pages == "2933-2943"
    assert moss.venue_text == (
        "Proceedings of the 31st ACM International Conference on Information & Knowledge Management"
    )
    assert [a.name for a in moss.authors] == ["Stella Biderman", "Edward Raff"]
    quality = entry_titled(parsed_seed(BLOG_FILES[2]), "Quality at a glance").citation
    assert (quality.pages, quality.year) == ("10, 50-72", 2022)
    assert quality.venue_text == "Transactions of the Association for Computational Linguistics"
    jasa = entry_titled(parsed_seed(BLOG_FILES[1]), "Musical audio").citation
    assert (jasa.pages, jasa.year) == ("152, A178", 2022)
    assert jasa.venue_text == "The Journal of the Acoustical Society of America"


def test_preprint_and_surname_lists_in_seed_002():
    listing = parsed_seed(BLOG_FILES[2])
    datasheet = entry_titled(listing, "Datasheet for the Pile").citation
    assert (datasheet.venue_text, datasheet.year, datasheet.title) == (
        "Preprint",
        2022,
        "Datasheet for the Pile",
    )
    documenting = entry_titled(listing, "Documenting geographically").citation
    assert [a.name for a in documenting.authors] == ["McMillan-Major", "Alyafeai", "Biderman"]
    assert all(a.surname_only for a in documenting.authors)
    roots = entry_titled(listing, "The BigScience ROOTS").citation
    assert roots.authors[0] == AuthorRecord("Lauren\u00e7on", 1, surname_only=True)
    talat = entry_titled(listing, "You reap what you sow").citation
    assert [(a.name, a.surname_only) for a in talat.authors] == [
        ("Zeerak Talat", False),
        ("Aur\u00e9lie N\u00e9v\u00e9ol", False),
        ("Stella Biderman", False),
    ]
    carp = entry_titled(listing, "Cut the CARP").citation
    assert carp.authors[1] == AuthorRecord("JR Smith", 2, equal_contribution=True)
    assert [a.equal_contribution for a in carp.authors] == [True] * 5 + [False] * 2


def test_jernite_nguyen_pair_read_as_surnames_and_flagged():
    entry = entry_titled(parsed_seed(BLOG_FILES[2]), "Data Governance")
    assert [(a.name, a.position, a.surname_only) for a in entry.authors] == [
        ("Jernite", 1, True),
        ("Nguyen", 2, True),
        ("Stella Biderman", None, False),
    ]
    assert any("Jernite, Nguyen" in r for r in entry.review_reasons)
    assert entry.year == 2022  # "... Transparency. 2022"


def test_abstract_paragraphs_repeated_ones_kept_once():
    entry = entry_titled(parsed_seed(BLOG_FILES[1]), "Anomalous tokens")
    paragraphs = entry.abstract.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("I was able to use the weird centroid-proximate tokens")
    assert paragraphs[1].startswith("I was inspired to try this")


def test_abstract_paragraph_broken_mid_sentence_is_joined():
    entry = entry_titled(parsed_seed(BLOG_FILES[1]), "Can Transformers Learn")
    paragraphs = entry.abstract.split("\n\n")
    assert len(paragraphs) == 3
    assert "capabilities of transformer models in approximating these functions" in paragraphs[2]


def test_abstract_cleaning_no_break_spaces_latex_and_blank_lines():
    hacking = entry_titled(parsed_seed(BLOG_FILES[2]), "Towards Deconfusing")
    assert "\u00a0" not in hacking.abstract
    assert "a function \u0398\u2192R from the params" in hacking.abstract
    assert hacking.abstract == hacking.abstract.strip()
    hrr = entry_titled(parsed_seed(BLOG_FILES[0]), "Recasting Self-Attention")
    assert "$\\mathcal{O}(T \\log T)$" in hrr.abstract
    assert "``Hrrformer''" in hrr.abstract
    # Two blank lines between paragraphs in the seed; one in the result.
    carp = entry_titled(parsed_seed(BLOG_FILES[2]), "Cut the CARP")
    assert carp.abstract.count("\n\n") == 1
    assert "\n\n\n" not in carp.abstract


def test_citation_paragraph_is_not_part_of_the_abstract():
    for name in BLOG_FILES:
        for entry in parsed_seed(name).entries:
            if entry.citation:
                assert entry.citation.text not in entry.abstract
                assert entry.citation.title


def test_abstract_with_quotes_is_not_taken_for_a_citation():
    text = (
        "arXiv Ann Poster arXiv Ann Poster\n\nSome Title\n\n"
        'We introduce the Bittensor Language Model, called "BTLM-3B-8K", a new model. It is '
        "trained in 2023.\n\nRead More\n"
    )
    entry = parse_listing(text, source_file="t.txt").entries[0]
    assert entry.citation is None
    assert entry.abstract.startswith("We introduce the Bittensor")


def test_year_reasons():
    listing = parsed_seed(BLOG_FILES[0])
    relora = listing.entries[0]
    assert relora.year is None
    assert relora.review_reasons == ("no year in listing",)
    santacoder = entry_titled(listing, "SantaCoder")
    assert "no year in listing" not in santacoder.review_reasons


def test_seed_entries_have_no_venue_conflicts():
    for name in BLOG_FILES:
        for entry in parsed_seed(name).entries:
            assert not any("disagrees" in r for r in entry.review_reasons), entry.title


def test_header_venue_contradicting_the_citation_is_flagged():
    text = (
        "arXiv Ann Poster arXiv Ann Poster\n\nA Paper\n\n"
        'Ann Poster and Bo Li. "A Paper." In Proceedings of ICML, 2023.\n\nAbstract.\n\n'
        "Read More\n"
        "ICML Ann Poster ICML Ann Poster\n\nB Paper\n\n"
        'Ann Poster. "B Paper." arXiv preprint arXiv:2301.00001, 2023.\n\nAbstract.\n\n'
        "Read More\n"
    )
    first, second = parse_listing(text, source_file="t.txt").entries
    assert first.venue_name == "arXiv"
    assert "header venue 'arXiv' disagrees with citation venue 'Proceedings of ICML'" in (
        first.review_reasons
    )
    # A conference paper cited as its arXiv preprint is normal.
    assert second.review_reasons == ()


def test_unparseable_citation_is_kept_raw():
    text = (
        "Some Title\n\n"
        'Smith, Jones. "Some Title.\n\n'  # no closing quote
        "An abstract.\n\nRead More\n"
    )
    entry = parse_listing(text, source_file="t.txt").entries[0]
    # Without a closing quote it is not recognised as a citation at all.
    assert entry.citation is None
    weird = 'Some Title\n\nthe lab. "Some Title." Somewhere, 2020.\n\nAn abstract.\n\nRead More\n'
    entry = parse_listing(weird, source_file="t.txt").entries[0]
    assert entry.citation is None  # lower-case words: not an author list


def test_citation_with_bad_author_list_is_flagged():
    text = (
        "Some Title\n\n"
        'Ann Smith, 12345. "Some Title." Somewhere, 2020.\n\n'
        "An abstract.\n\nRead More\n"
    )
    entry = parse_listing(text, source_file="t.txt").entries[0]
    assert entry.citation is not None
    assert entry.citation.authors == ()
    assert entry.citation.authors_complete is False
    assert entry.citation.title == "Some Title"
    assert "citation authors unparseable" in entry.review_reasons
    assert entry.year == 2020


def test_truncated_file_last_entry_is_an_error():
    text = seed_text(BLOG_FILES[0])
    truncated = text[: text.rindex("Read More")]
    with pytest.raises(ListingError) as excinfo:
        parse_listing(truncated, source_file="cut.txt")
    assert excinfo.value.line == 130
    assert "cut.txt, line 130" in str(excinfo.value)
    assert "Read More" in str(excinfo.value)
    listing = parse_listing(truncated, source_file="cut.txt", skip_bad=True)
    assert len(listing.entries) == 16
    assert [e.line for e in listing.skipped] == [130]


def test_entry_without_title_is_an_error_skip_bad_goes_on():
    long_paragraph = "word " * 200
    text = f"{long_paragraph}\n\nRead More\nA Title\n\nAbstract text.\n\nRead More\n\nRead More\n"
    with pytest.raises(ListingError, match="expected a title"):
        parse_listing(text, source_file="t.txt", format="blog")
    listing = parse_listing(text, source_file="t.txt", format="blog", skip_bad=True)
    assert [e.title for e in listing.entries] == ["A Title"]
    assert listing.entries[0].entry_index == 2
    assert [(e.line, "title" in e.reason or "empty" in e.reason) for e in listing.skipped] == [
        (1, True),
        (10, True),
    ]


def test_poster_guessed_when_listing_has_one_header():
    text = "JMLR Ann Poster JMLR Ann Poster\n\nOnly Paper\n\nAbstract.\n\nRead More\n"
    entry = parse_listing(text, source_file="t.txt").entries[0]
    assert (entry.venue_name, entry.poster) == ("JMLR", "Ann Poster")
    assert any("poster name guessed" in r for r in entry.review_reasons)


def test_doubled_title_over_an_abstract_is_a_title():
    abstract = "This abstract is long. " * 30
    text = f"Bye Bye\n\n{abstract}\n\nRead More\n"
    entry = parse_listing(text, source_file="t.txt", format="blog").entries[0]
    assert (entry.title, entry.venue_name, entry.poster) == ("Bye Bye", "", "")


def test_shared_venue_word_is_not_taken_into_the_poster_name():
    text = (
        "NeurIPS Workshop Ann Lee NeurIPS Workshop Ann Lee\n\nP1\n\nAbstract.\n\nRead More\n"
        "ICML Workshop Ann Lee ICML Workshop Ann Lee\n\nP2\n\nAbstract.\n\nRead More\n"
        "Ann Lee Ann Lee\n\nP3\n\nAbstract.\n\nRead More\n"
    )
    entries = parse_listing(text, source_file="t.txt").entries
    assert [(e.venue_name, e.poster) for e in entries] == [
        ("NeurIPS Workshop", "Ann Lee"),
        ("ICML Workshop", "Ann Lee"),
        ("", "Ann Lee"),
    ]
    assert all(e.review_reasons == ("no year in listing",) for e in entries)
