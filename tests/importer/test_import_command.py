"""`manage.py import_listings`: the command's contract, fixtures, and failure behaviour."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Paper
from people.models import Person
from tests.importer.seed_listings import FIXTURES_DIR, SEED_FILES

pytestmark = pytest.mark.django_db

SEED_PATHS = [str(FIXTURES_DIR / name) for name in SEED_FILES]
COMMITTED_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "catalog.json"


def run(*args, **options):
    out = StringIO()
    call_command("import_listings", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_the_summary_counts_entries_papers_people_flags_and_conflicts():
    output = run(*SEED_PATHS)
    assert "000_8029fc20b0d1bbc7.txt: 17 entries (blog)" in output
    assert "003_d9a61ac269c6d2fe.txt: 10 entries (abstracts)" in output
    assert "004_d510a04301176c2a.txt: 84 entries (daily); year-less dates read as 2025" in output
    assert "Papers: 135 created, 0 updated, 0 unchanged, 16 entries merged" in output
    assert f"People created: {Person.objects.count()}." in output
    assert "Flagged for review: " in output and "no title in listing" in output
    assert "Conflicts with staff edits: 0." in output


def test_a_second_run_says_nothing_changed(seeded):
    # `seeded` is the catalog a first run of the same files writes.
    output = run(*SEED_PATHS)
    assert "Papers: 0 created, 0 updated, 135 unchanged" in output
    assert "No changes: the catalog already matches." in output


def test_dry_run_reports_but_writes_nothing():
    output = run(*SEED_PATHS, dry_run=True)
    assert "Dry run: nothing was written." in output
    assert "135 created" in output
    assert Paper.objects.count() == 0


def test_listing_year_overrides_the_inferred_year():
    output = run(SEED_PATHS[4], listing_year=2026)
    assert "year-less dates read as 2026" in output
    assert str(Paper.objects.get(title__startswith="LongWriter-Zero").published_on) == "2026-06-23"


def test_format_override_is_honoured_and_a_wrong_one_fails_cleanly():
    run(SEED_PATHS[3], format="abstracts")
    assert Paper.objects.count() == 10
    with pytest.raises(CommandError):
        run(SEED_PATHS[0], format="abstracts")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00data" * 20, "binary"),
        (b"ICLR A B ICLR A B\n\nTitle\n\n\xff\xfe broken utf-8\n\nRead More\n", "UTF-8"),
        (b"just some words\nthat are no listing\n", "format"),
    ],
    ids=["empty", "binary", "invalid utf-8", "unknown format"],
)
def test_bad_input_names_the_file_and_writes_nothing(tmp_path, content, message):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(SEED_PATHS[0], str(bad))
    assert "bad.txt" in str(error.value)
    assert message.lower() in str(error.value).lower()
    assert Paper.objects.count() == 0  # the good file was not imported either


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.txt: cannot read"):
        run(str(tmp_path / "missing.txt"))


def test_skip_bad_imports_the_rest_and_lists_what_it_skipped(tmp_path):
    listing = tmp_path / "abstracts.txt"
    listing.write_text("Abstract:A fine abstract about language models.\nnot an abstract line\n")
    with pytest.raises(CommandError, match="line 2"):
        run(str(listing))
    output = run(str(listing), skip_bad=True)
    assert "skipped:" in output and "line 2" in output
    assert Paper.objects.count() == 1


@pytest.mark.django_db(databases=["default", "fixture_build"])
def test_the_fixture_is_deterministic_and_loads_to_the_same_catalog(tmp_path):
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    run(*SEED_PATHS, fixture=str(first))
    run(*SEED_PATHS, fixture=str(second))
    assert first.read_bytes() == second.read_bytes()
    assert Paper.objects.count() == 0  # --fixture does not touch the database

    call_command("loaddata", str(first), verbosity=0)
    loaded = catalog_snapshot()
    # Search works on a loaded catalog too (on PostgreSQL: the stored vector).
    assert Paper.objects.search("laurencon").get().title.startswith("The BigScience ROOTS")
    Paper.objects.all().delete()
    Person.objects.all().delete()
    from catalog.models import DeletedPaper
    from venues.models import Venue

    DeletedPaper.objects.all().delete()
    Venue.objects.all().delete()
    run(*SEED_PATHS)
    assert catalog_snapshot() == loaded


def catalog_snapshot():
    """The catalog as a user sees it, independent of primary keys and timestamps."""
    return sorted(
        (
            p.slug,
            p.title,
            p.abstract,
            p.venue.name if p.venue else None,
            p.venue_detail,
            p.year,
            p.published_on,
            p.arxiv_id,
            p.doi,
            p.other_identifier,
            p.citation,
            p.authors_complete,
            p.author_count,
            p.upvotes,
            p.needs_review,
            p.review_note,
            tuple(sorted(a.name for a in p.awards.all())),
            tuple(
                (a.position, a.person.name, a.person.slug, a.equal_contribution)
                for a in p.authorships.order_by("position", "person__name")
            ),
            tuple(sorted((s.listing, s.entry_index, s.line) for s in p.sources.all())),
        )
        for p in Paper.objects.select_related("venue").prefetch_related("awards", "sources")
    )


@pytest.mark.django_db(databases=["default", "fixture_build"])
def test_the_committed_catalog_fixture_is_what_the_listings_give(tmp_path):
    regenerated = tmp_path / "catalog.json"
    run(*SEED_PATHS, fixture=str(regenerated))
    assert COMMITTED_FIXTURE.is_file(), "fixtures/catalog.json is missing"
    assert regenerated.read_bytes() == COMMITTED_FIXTURE.read_bytes(), (
        "fixtures/catalog.json is stale: regenerate it with "
        "`manage.py import_listings fixtures/listings/*.txt --fixture fixtures/catalog.json`"
    )
    data = json.loads(COMMITTED_FIXTURE.read_text())
    assert sum(1 for row in data if row["model"] == "catalog.paper") == 135
