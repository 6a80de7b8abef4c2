"""The import into the database: counts on the seeds, merging, people, re-import safety."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.importer.parsing import decode_listing, parse_listing
from catalog.importer.service import import_listings
from catalog.models import DeletedPaper, Paper
from people.models import Person
from tests.conftest import SEED_COUNTS
from tests.factories import make_person
from tests.importer.seed_listings import FIXTURES_DIR, SEED_FILES

pytestmark = pytest.mark.django_db


def parsed(*names, directory=FIXTURES_DIR):
    return [
        parse_listing(decode_listing((Path(directory) / n).read_bytes(), n), source_file=n)
        for n in names
    ]


def listing_from_text(text, name="listing.txt", **options):
    return parse_listing(text, source_file=name, **options)


def blog_entry(
    title, citation="", abstract="An abstract.", header="ICML Ann Poster ICML Ann Poster"
):
    parts = [header, title] + ([citation] if citation else []) + [abstract, "Read More"]
    return "\n\n".join(p for p in parts if p) + "\n"


def arxiv_entry(title, arxiv_id):
    """A blog entry citing the arXiv preprint `arxiv_id` under `title`."""
    citation = f'Ann Author. "{title}." arXiv preprint arXiv:{arxiv_id}, 2023.'
    return blog_entry(title, citation)


def import_two_arxiv_papers():
    """first.txt#1 is the First Paper (arXiv 2301.00001), second.txt#1 the
    Second Paper (2301.00002); returns the two papers."""
    import_listings([listing_from_text(arxiv_entry("First Paper", "2301.00001"), "first.txt")])
    import_listings([listing_from_text(arxiv_entry("Second Paper", "2301.00002"), "second.txt")])
    return Paper.objects.get(arxiv_id="2301.00001"), Paper.objects.get(arxiv_id="2301.00002")


def test_the_seeds_give_135_papers_41_blog_10_abstracts_84_daily(seeded):
    assert Paper.objects.count() == SEED_COUNTS.papers
    by_format = {
        fmt: Paper.objects.filter(sources__format=fmt).distinct().count()
        for fmt in ("blog", "abstracts", "daily")
    }
    assert by_format == {
        "blog": SEED_COUNTS.blog_papers,
        "abstracts": SEED_COUNTS.abstracts_papers,
        "daily": SEED_COUNTS.daily_papers,
    }
    assert seeded.entries == SEED_COUNTS.entries
    assert seeded.merged == SEED_COUNTS.merged
    assert len(seeded.created) == SEED_COUNTS.papers


def test_stella_biderman_is_an_author_of_19_papers(seeded):
    stella = Person.objects.get(name="Stella Biderman")
    assert stella.papers.count() == SEED_COUNTS.stella_biderman_papers
    assert "Biderman" in stella.aliases.values_list("name", flat=True)
    assert not Person.objects.filter(name="Biderman").exists()


def test_a_paper_on_several_blog_pages_is_one_paper_with_every_source(seeded):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    assert sorted(paper.sources.values_list("listing", flat=True)) == [
        "000_8029fc20b0d1bbc7.txt",
        "002_8db3a55937988b83.txt",
    ]


def test_gpt_neox_has_its_17_authors_in_order_with_equal_contribution_marks(seeded):
    paper = Paper.objects.get(title__startswith="GPT-NeoX-20B")
    rows = list(paper.authorships.order_by("position"))
    assert len(rows) == 17
    assert [r.person.name for r in rows[:3]] == ["Sid Black", "Stella Biderman", "Eric Hallahan"]
    assert [r.equal_contribution for r in rows[:4]] == [True, True, True, False]
    assert rows[-1].person.name == "Samuel Weinbach"
    assert paper.authors_complete


def test_a_truncated_list_keeps_incl_names_without_a_position(seeded):
    paper = Paper.objects.get(title__startswith="Multitask-prompted training")
    rows = [(r.position, r.person.name) for r in paper.authorships.order_by("position")]
    assert rows[:4] == [
        (1, "Victor Sanh"),
        (2, "Albert Webson"),
        (3, "Colin Raffel"),
        (4, "Stephen H. Bach"),
    ]
    assert {name for pos, name in rows if pos is None} == {
        "Stella Biderman",
        "Leo Gao",
        "Lintang Sutawika",
    }
    assert not paper.authors_complete
    assert paper.author_count == 41
    assert paper.venue.name == "ICLR" and paper.year == 2022
    assert list(paper.awards.values_list("name", flat=True)) == ["Spotlight Paper"]


def test_an_award_is_an_award_not_venue_text(seeded):
    paper = Paper.objects.get(title__startswith="LAION-5B")
    assert list(paper.awards.values_list("name", flat=True)) == ["Outstanding Paper Award"]
    assert "Award" not in paper.venue_detail
    assert paper.venue_detail.startswith("Thirty-sixth Conference on Neural Information")


def test_an_inverted_name_is_turned_round(seeded):
    paper = Paper.objects.get(title__startswith="Beyond the Imitation Game")
    assert paper.authorships.get(position=1).person.name == "Aarohi Srivastava"


def test_a_misspelt_venue_maps_to_the_right_venue(seeded):
    paper = Paper.objects.get(title__startswith="OpenFold")
    assert paper.venue.name == "bioRxiv"
    assert paper.venue.kind == "preprint"
    assert paper.other_identifier == "bioRxiv 2022.11.20.517210"


def test_title_less_abstracts_get_a_provisional_title_and_a_review_flag(seeded):
    papers = Paper.objects.filter(sources__format="abstracts")
    assert papers.count() == 10
    for paper in papers:
        assert paper.needs_review
        assert "no title in listing" in paper.review_note
        assert paper.title and paper.abstract.startswith(paper.title.rstrip("…")[:40])


def test_daily_dates_without_a_year_take_the_listing_year(seeded):
    paper = Paper.objects.get(title__startswith="LongWriter-Zero")
    assert str(paper.published_on) == "2025-06-23"
    assert paper.upvotes == 4 and paper.author_count == 5
    older = Paper.objects.get(title__startswith="LongWriter: Unleashing")
    assert (str(older.published_on), older.upvotes, older.author_count) == ("2024-08-13", 6, 9)


def test_an_unresolvable_surname_becomes_its_own_person_flagged(seeded):
    le_scao = Person.objects.get(name="Le Scao")
    assert le_scao.needs_review
    bloom = Paper.objects.get(title__startswith="BLOOM: A 176B")
    assert bloom.needs_review and "Le Scao" in bloom.review_note


def test_a_surname_shared_by_two_people_is_not_guessed():
    make_person("Leo Gao")
    make_person("Tianyu Gao")
    citation = 'Gao, et al. "A Paper." arXiv preprint arXiv:2301.00001, 2023.'
    import_listings([listing_from_text(blog_entry("A Paper", citation))])
    paper = Paper.objects.get(title="A Paper")
    author = paper.authorships.get(position=1).person
    assert author.name == "Gao" and author.needs_review
    assert "Leo Gao" in author.review_note and "Tianyu Gao" in author.review_note
    assert paper.needs_review


def test_a_surname_resolves_to_a_full_name_from_a_later_listing():
    first = 'Phang, et al. "Paper One." arXiv preprint arXiv:2301.00002, 2023.'
    second = 'Jason Phang and Ann Other. "Paper Two." arXiv preprint arXiv:2301.00003, 2023.'
    import_listings(
        [
            listing_from_text(blog_entry("Paper One", first), "a.txt"),
            listing_from_text(blog_entry("Paper Two", second), "b.txt"),
        ]
    )
    assert Paper.objects.get(title="Paper One").authorships.get().person.name == "Jason Phang"
    assert not Person.objects.filter(name="Phang").exists()


def test_a_second_import_changes_nothing_and_says_so(seeded):
    before = list(Paper.objects.order_by("pk").values_list("pk", "updated_at"))
    again = import_listings(parsed(*SEED_FILES))
    assert (again.created, again.updated, again.people_created) == ([], [], 0)
    assert again.unchanged == SEED_COUNTS.papers
    assert not again.changed
    assert list(Paper.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_merging_across_runs_fills_gaps_and_keeps_known_values():
    citation = 'Ann Author. "Shared Paper." arXiv preprint arXiv:2301.00009, 2023.'
    full = blog_entry("Shared Paper", citation, abstract="A long and complete abstract. " * 10)
    import_listings([listing_from_text(full, "blog.txt")])
    daily = (
        "Daily Papers\n\nNov 6\n\nShared Paper\n\nA long and complete abstract.\n\n"
        "  • 1 authors\n·\nMar 3, 2023 12\n"
    )
    report = import_listings([listing_from_text(daily, "daily.txt", format="daily")])
    paper = Paper.objects.get()
    assert report.created == []
    assert str(paper.published_on) == "2023-03-03" and paper.upvotes == 12
    assert paper.abstract.startswith("A long and complete abstract. A long")  # not truncated
    assert paper.authorships.get().person.name == "Ann Author"
    assert paper.sources.count() == 2


def test_marking_a_paper_reviewed_survives_a_re_import(seeded):
    Paper.objects.filter(needs_review=True).update(needs_review=False)
    import_listings(parsed(*SEED_FILES))
    assert not Paper.objects.filter(needs_review=True).exists()


def test_a_staff_edit_is_never_overwritten_and_a_changed_listing_is_a_conflict(tmp_path):
    text = blog_entry("Edited Paper", abstract="The listing's abstract.")
    import_listings([listing_from_text(text, "x.txt")])
    paper = Paper.objects.get()
    paper.abstract = "Staff's better abstract."
    paper.staff_edited_fields = ["abstract"]
    paper.save()

    same = import_listings([listing_from_text(text, "x.txt")])
    assert same.conflicts == []
    changed_text = text.replace("The listing's abstract.", "The listing's new abstract.")
    changed = import_listings([listing_from_text(changed_text, "x.txt")])
    paper.refresh_from_db()
    assert paper.abstract == "Staff's better abstract."
    assert len(changed.conflicts) == 1 and "abstract" in changed.conflicts[0]


def test_a_paper_staff_deleted_does_not_come_back_silently(seeded):
    Paper.objects.get(title__startswith="Pythia").delete()
    assert DeletedPaper.objects.count() == 1
    report = import_listings(parsed(*SEED_FILES))
    assert not Paper.objects.filter(title__startswith="Pythia").exists()
    assert len(report.deleted_skipped) == 1 and "Pythia" in report.deleted_skipped[0]
    assert report.created == []


def test_a_dry_run_writes_nothing():
    report = import_listings(parsed(*SEED_FILES), dry_run=True)
    assert len(report.created) == SEED_COUNTS.papers
    assert Paper.objects.count() == 0 and Person.objects.count() == 0


def synthetic_blog(n, offset=0):
    return "".join(
        blog_entry(
            f"Synthetic Paper Number {i}",
            f'Author {i} One, Author {i} Two, and Shared Person. "Synthetic Paper Number {i}." '
            f"arXiv preprint arXiv:2301.{i:05d}, 2023. Oral Presentation",
            header=f"Venue{offset}x{i % 7} Ann Poster Venue{offset}x{i % 7} Ann Poster",
        )
        for i in range(offset, offset + n)
    )


@pytest.mark.parametrize("reimport", [False, True], ids=["first import", "re-import"])
def test_the_query_count_does_not_grow_with_the_number_of_entries(reimport):
    def queries(n, offset):
        listing = listing_from_text(synthetic_blog(n, offset), f"synthetic-{n}.txt")
        if reimport:
            import_listings([listing])
        with CaptureQueriesContext(connection) as captured:
            report = import_listings([listing])
        assert len(report.created) == (0 if reimport else n)
        return len(captured)

    # Warm up one-off work (PostgreSQL type look-ups on a new connection).
    import_listings([listing_from_text(synthetic_blog(1, 5000), "warm-up.txt")])
    assert queries(10, 0) == queries(100, 1000)
