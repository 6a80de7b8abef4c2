"""The counts the database keeps (migrations catalog 0013, 0015, 0016, 0018 and 0026,
read by catalog/counts.py) equal counting the papers, after every kind of write:
creating papers with authors and awards, moving a paper to another venue or
year, awards added and removed, a person merged, a venue deleted, papers
deleted, raw SQL, and on PostgreSQL TRUNCATE."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from catalog.counts import (
    ALL_VENUES,
    AWARD_CELLS,
    MONTH_CELLS,
    PAPER_CELLS,
    PERSON_CELLS,
    PERSON_COUNTS,
    PERSON_VENUES,
    PERSON_YEARS,
    ROW_COUNTS,
    VENUE_RUNS,
    VENUE_TOTALS,
    _rows,
    _samples_sql,
    venue_counts,
)
from catalog.filters import ActiveFilters
from catalog.models import Authorship, Paper
from people.models import Person
from people.services import person_merge
from tests.factories import make_award, make_papers, make_person, make_venue
from venues.models import Venue

pytestmark = pytest.mark.django_db


def kept(table: str, keys: str) -> dict:
    counted = "n" if table == ROW_COUNTS else "papers"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {keys}, {counted} FROM {table} WHERE {counted} <> 0")
        return {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}


def counted() -> dict:
    """The kept tables' contents, counted from the catalog itself."""
    papers, awards = {}, {}
    for venue, year in Paper.objects.values_list("venue_id", "year"):
        key = (venue or 0, year or 0)
        papers[key] = papers.get(key, 0) + 1
    for award, venue, year in Paper.awards.through.objects.values_list(
        "award_id", "paper__venue_id", "paper__year"
    ):
        key = (award, venue or 0, year or 0)
        awards[key] = awards.get(key, 0) + 1
    people, person_cells = {}, {}
    for person, venue, year in Authorship.objects.values_list(
        "person_id", "paper__venue_id", "paper__year"
    ):
        people[(person,)] = people.get((person,), 0) + 1
        key = (person, venue or 0, year or 0)
        person_cells[key] = person_cells.get(key, 0) + 1
    months = {}
    for year, published in Paper.objects.values_list("year", "published_on"):
        key = (year or 0, published.year * 100 + published.month if published else 0)
        months[key] = months.get(key, 0) + 1
    return {
        "papers": papers,
        "awards": awards,
        "people": people,
        "person_cells": person_cells,
        "months": months,
        **sums(papers, person_cells),
        "venue_runs": runs(papers),
    }


def runs(papers: dict) -> dict:
    """The papers of each (venue, year) the running totals count (0026): the
    cells of papers with a year, and of all papers (ALL_VENUES) per year."""
    steps = {}
    for (venue, year), n in papers.items():
        if year:
            steps[venue, year] = steps.get((venue, year), 0) + n
            steps[ALL_VENUES, year] = steps.get((ALL_VENUES, year), 0) + n
    return {key: n for key, n in steps.items() if n}


def sums(papers: dict, person_cells: dict) -> dict:
    """The kept sums (0018) of the counted cells, and the rows of people and venues."""
    venues, person_years, person_venues = {}, {}, {}
    for (venue, _), n in papers.items():
        venues[(venue,)] = venues.get((venue,), 0) + n
    for (person, venue, year), n in person_cells.items():
        person_years[person, year] = person_years.get((person, year), 0) + n
        person_venues[person, venue] = person_venues.get((person, venue), 0) + n
    rows = {("people_person",): Person.objects.count(), ("venues_venue",): Venue.objects.count()}
    return {
        "venue_totals": venues,
        "person_years": person_years,
        "person_venues": person_venues,
        "rows": {key: n for key, n in rows.items() if n},
    }


def assert_counts_are_exact():
    assert {
        "papers": kept(PAPER_CELLS, "venue_key, year_key"),
        "awards": kept(AWARD_CELLS, "award_id, venue_key, year_key"),
        "people": kept(PERSON_COUNTS, "person_id"),
        "person_cells": kept(PERSON_CELLS, "person_id, venue_key, year_key"),
        "months": kept(MONTH_CELLS, "year_key, month_key"),
        "venue_totals": kept(VENUE_TOTALS, "venue_key"),
        "person_years": kept(PERSON_YEARS, "person_id, year_key"),
        "person_venues": kept(PERSON_VENUES, "person_id, venue_key"),
        "rows": kept(ROW_COUNTS, "name"),
        "venue_runs": _rows(VENUE_RUNS, ""),
    } == counted()
    assert_venue_counts_in_year_ranges()


# Year filters (year, year_from, year_to) around and inside the fixture's years.
YEAR_FILTERS = [
    (None, 2022, None),
    (None, None, 2022),
    (None, 2023, 2023),
    (None, 2021, 2030),
    (None, 1990, 2022),
    (None, 2024, None),
    (None, None, 1990),
    (None, 2023, 2022),
    (2022, None, None),
    (2023, 2022, 2025),
    (1999, None, None),
]


def assert_venue_counts_in_year_ranges():
    """The venue facet under year filters (the running totals) counts what
    filtering the papers counts."""
    for year, year_from, year_to in YEAR_FILTERS:
        papers = Paper.objects.filter(venue__isnull=False, year__isnull=False)
        if year:
            papers = papers.filter(year=year)
        if year_from:
            papers = papers.filter(year__gte=year_from)
        if year_to:
            papers = papers.filter(year__lte=year_to)
        expected = {}
        for slug in papers.values_list("venue__slug", flat=True):
            expected[slug] = expected.get(slug, 0) + 1
        active = ActiveFilters(year=year, year_from=year_from, year_to=year_to)
        assert {slug: n for slug, _, n in venue_counts(active)} == expected, active


@pytest.fixture
def catalog():
    icml, neurips = make_venue("ICML"), make_venue("NeurIPS")
    oral, best = make_award("Oral"), make_award("Best Paper")
    stella, leo = make_person("Stella Biderman"), make_person("Leo Gao")
    papers = make_papers(
        {
            "title": f"Paper {i}",
            "venue": [icml, neurips, None][i % 3],
            "year": [2022, 2023, None][i % 4 % 3],
            "authors": [stella, f"Author {i}"] + ([leo] if i % 2 else []),
            "awards": [oral] if i % 5 == 0 else [],
            "published_on": [datetime.date(2022, 3, 5), None, datetime.date(2023, 12, 31)][i % 3],
        }
        for i in range(12)
    )
    return {
        "venues": (icml, neurips),
        "awards": (oral, best),
        "people": (stella, leo),
        "papers": papers,
    }


def test_new_papers_with_authors_and_awards_are_counted(catalog):
    assert_counts_are_exact()
    assert kept(PERSON_COUNTS, "person_id")[(catalog["people"][0].pk,)] == 12


def test_moving_a_paper_to_another_venue_or_year_moves_its_counts(catalog):
    paper = Paper.objects.filter(awards__isnull=False).first()
    paper.venue, paper.year = catalog["venues"][1], 2021
    paper.save()
    assert_counts_are_exact()
    Paper.objects.filter(pk=paper.pk).update(venue=None, year=None)
    assert_counts_are_exact()
    # Saving other fields moves nothing.
    Paper.objects.update(title="Same for all")
    assert_counts_are_exact()


def test_running_totals_follow_new_years_and_years_left_without_papers(catalog):
    """A year before, between and after the kept ones; many papers of new
    years in one statement; a year whose papers all go, then one comes back."""
    icml, neurips = catalog["venues"]
    make_papers([{"title": "Old", "venue": icml, "year": 1990}])
    assert_counts_are_exact()
    make_papers([{"title": "Later", "venue": neurips, "year": 2030}])
    assert_counts_are_exact()
    Paper.objects.bulk_create(
        Paper(title=f"Bulk {i}", slug=f"bulk-{i}", venue=[icml, None][i % 2], year=2000 + i % 4)
        for i in range(8)
    )
    assert_counts_are_exact()
    Paper.objects.filter(year=2022).delete()
    assert_counts_are_exact()
    Paper.objects.filter(year=2023).update(year=2022)
    assert_counts_are_exact()
    make_papers([{"title": "Back", "venue": neurips, "year": 2023}])
    assert_counts_are_exact()
    Paper.objects.filter(title="Old").update(venue=neurips, year=2031)
    assert_counts_are_exact()


def test_a_new_date_moves_a_paper_to_another_month(catalog):
    paper = catalog["papers"][0]
    Paper.objects.filter(pk=paper.pk).update(published_on=datetime.date(2021, 1, 1))
    assert_counts_are_exact()
    Paper.objects.filter(pk=paper.pk).update(published_on=None)
    assert_counts_are_exact()
    Paper.objects.filter(published_on__isnull=True).update(published_on=datetime.date(2024, 2, 29))
    assert_counts_are_exact()


def test_awards_added_removed_and_cleared_are_counted(catalog):
    oral, best = catalog["awards"]
    first, second = catalog["papers"][:2]
    first.awards.add(best)
    second.awards.add(oral, best)
    assert_counts_are_exact()
    first.awards.remove(best)
    assert_counts_are_exact()
    second.awards.clear()
    assert_counts_are_exact()


def test_merging_people_moves_their_counts(catalog):
    leo = catalog["people"][1]
    others = list(Person.objects.filter(name__in=["Author 0", "Author 2"]))  # never with Leo
    person_merge(keep=leo, others=others)
    assert_counts_are_exact()
    assert kept(PERSON_COUNTS, "person_id")[(leo.pk,)] == 6 + 2


def test_deleting_a_venue_moves_its_papers_to_no_venue(catalog):
    Venue.objects.filter(pk=catalog["venues"][0].pk).delete()
    assert_counts_are_exact()


def test_deleting_papers_and_people_uncounts_them(catalog):
    catalog["papers"][0].delete()
    assert_counts_are_exact()
    Paper.objects.filter(year=2023).delete()
    assert_counts_are_exact()
    Person.objects.filter(name__startswith="Author").delete()
    assert_counts_are_exact()
    Paper.objects.all().delete()
    assert_counts_are_exact()
    assert kept(PAPER_CELLS, "venue_key, year_key") == {}


def test_raw_sql_writes_are_counted(catalog):
    paper = catalog["papers"][1]
    with connection.cursor() as cursor:
        # A paper's award row written before the paper moves, then the paper
        # deleted before its rows (foreign keys are checked at commit).
        cursor.execute(
            f"INSERT INTO {Paper.awards.through._meta.db_table} (paper_id, award_id) "
            "VALUES (%s, %s)",
            [paper.pk, catalog["awards"][1].pk],
        )
        cursor.execute(f"UPDATE {Paper._meta.db_table} SET year = 1999 WHERE id = %s", [paper.pk])
    assert_counts_are_exact()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_truncate_empties_the_counts_on_postgresql(catalog):
    with connection.cursor() as cursor:
        # The deferred foreign-key checks of the fixture's writes first:
        # PostgreSQL refuses to truncate a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {Paper._meta.db_table} CASCADE")
    assert_counts_are_exact()
    assert kept(AWARD_CELLS, "award_id, venue_key, year_key") == {}
    assert kept(PERSON_COUNTS, "person_id") == {}


def test_a_paper_deleted_before_its_award_rows_is_counted_once(catalog):
    """Foreign keys are deferred on PostgreSQL: a writer may delete a paper
    before its award rows and authorships in the same transaction."""
    paper = Paper.objects.filter(awards__isnull=False).first()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Paper._meta.db_table} WHERE id = %s", [paper.pk])
            cursor.execute(
                f"DELETE FROM {Paper.awards.through._meta.db_table} WHERE paper_id = %s",
                [paper.pk],
            )
            cursor.execute(
                f"DELETE FROM {Authorship._meta.db_table} WHERE paper_id = %s", [paper.pk]
            )
    else:
        paper.delete()
    assert_counts_are_exact()


def test_recount_catalog_reports_and_repairs_counts_written_without_triggers(catalog):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {PAPER_CELLS} SET papers = papers + 5")
        cursor.execute(f"DELETE FROM {PERSON_COUNTS}")
        cursor.execute(f"UPDATE {PERSON_CELLS} SET papers = papers * 2")
        cursor.execute(f"DELETE FROM {VENUE_RUNS} WHERE venue_key <> {ALL_VENUES}")
    with pytest.raises(CommandError, match="counts differ"):
        call_command("recount_catalog", "--check", stdout=StringIO())
    out = StringIO()
    call_command("recount_catalog", stdout=out)
    assert "Recounted." in out.getvalue()
    assert_counts_are_exact()
    out = StringIO()
    call_command("recount_catalog", "--check", stdout=out)
    assert "The counts are exact." in out.getvalue()


def test_equal_facet_samples_are_written_once():
    """A search without other filters samples the same papers for every
    facet: their arrays are written once and shared, different samples
    apart."""
    same = [(1, 10), (2, None)]
    parts = _samples_sql({"venues": same, "awards": list(same), "authors": [(3, 10)]})
    assert parts["venues"] is parts["awards"]
    assert parts["authors"] is not parts["venues"]
    assert parts["authors"][1] != parts["venues"][1]


def test_one_sample_for_every_facet_is_sent_once_and_counts_as_three(monkeypatch):
    """sample_facets() of a search alone (the same papers for every facet)
    sends their pairs once, and counts what three copies of them count."""
    from django.test.utils import CaptureQueriesContext

    from catalog import counts
    from core import prepared

    icml, award = make_venue("ICML"), make_award("Best paper")
    ada, bo = make_person("Ada Lovelace"), make_person("Bo Li")
    papers = make_papers(
        [
            {"title": "One", "venue": icml, "authors": [ada, bo], "awards": [award]},
            {"title": "Two", "venue": icml, "authors": [ada]},
            {"title": "Three", "authors": [bo]},
        ]
    )
    pairs = [(paper.pk, paper.venue_id) for paper in papers]
    marker = "unnest(" if connection.vendor == "postgresql" else "VALUES"

    def facets_and_pairs_sent():
        # Nothing prepared yet: the statement's text (PREPARE) is sent.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
        prepared._PREPARED.clear()
        with CaptureQueriesContext(connection) as captured:
            facets = counts.sample_facets(dict.fromkeys(counts.FACETS, pairs), 10)
        return facets, sum(q["sql"].count(marker) for q in captured.captured_queries)

    shared, sent = facets_and_pairs_sent()
    assert sent == 1
    assert shared["venues"] == [(icml.slug, "ICML", 2)]
    assert shared["awards"] == [(award.slug, "Best paper", 1)]
    assert sorted(shared["authors"]) == sorted([(ada.slug, ada.name, 2), (bo.slug, bo.name, 2)])
    # Three copies of the same pairs, each sent: the same facets.
    written = counts._samples_sql
    monkeypatch.setattr(
        counts,
        "_samples_sql",
        lambda samples: {facet: (sql, list(p)) for facet, (sql, p) in written(samples).items()},
    )
    assert facets_and_pairs_sent() == (shared, 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_new_year_waits_for_papers_other_writers_have_not_committed():
    """A new year's running totals copy the year before: a writer that moved
    a paper in that year and has not committed is waited for (migration 0026
    relies on the catalog version's row for it), not left out."""
    icml, neurips = make_venue("ICML"), make_venue("NeurIPS")
    make_papers(
        [
            {"title": "First", "venue": icml, "year": 2020},
            {"title": "Later", "venue": icml, "year": 2022},
            {"title": "Moved", "venue": neurips, "year": 2020},
        ]
    )
    other = connection.copy()
    with other.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            f"UPDATE {Paper._meta.db_table} SET venue_id = %s WHERE title = 'Moved'", [icml.pk]
        )
    done = threading.Event()

    def new_year():
        try:
            make_papers([{"title": "New year", "venue": None, "year": 2021}])
        finally:
            connections.close_all()
            done.set()

    writer = threading.Thread(target=new_year)
    writer.start()
    assert not done.wait(0.5)  # waiting for the other writer
    with other.cursor() as cursor:
        cursor.execute("COMMIT")
    other.close()
    writer.join(10)
    assert done.is_set()
    assert_counts_are_exact()
    assert [row[1:] for row in venue_counts(ActiveFilters(year_to=2021))] == [("ICML", 2)]


def test_dated_months_are_the_dated_papers_per_month_newest_first():
    from catalog.counts import dated_months

    make_papers(
        [
            {"title": "May", "year": 2021, "published_on": datetime.date(2021, 5, 3)},
            {"title": "May too", "year": 2021, "published_on": datetime.date(2021, 5, 30)},
            # Filed under another year: counted in its month all the same.
            {"title": "Early", "year": 2022, "published_on": datetime.date(2021, 12, 1)},
            {"title": "Undated", "year": 2023},
            {"title": "Nothing"},
        ]
    )
    assert dated_months() == [(202112, 1), (202105, 2)]
    Paper.objects.filter(title="Early").delete()
    assert dated_months() == [(202105, 2)]
