"""The totals the database keeps (migration catalog 0018), as the front page,
the unfiltered list and person pages read them, equal counting the papers
the slow, obvious way; and stay equal after writes."""

import datetime
from collections import Counter

import pytest
from django.http import QueryDict

from catalog import counts, facets
from catalog.filters import ActiveFilters
from catalog.models import Authorship, Paper
from catalog.selectors import paper_filter
from people.models import Person
from people.views import person_aggregates
from tests.factories import make_papers, make_person, make_venue
from venues.models import Venue

pytestmark = pytest.mark.django_db

TOTALS_ANSWERED = [
    "",
    "year=2022",
    "year_from=2022",
    "year_to=2022",
    "venue=v1",
    "venue=v0&venue=v2",
]


@pytest.fixture
def catalog():
    venues = [make_venue(f"V{i}") for i in range(6)]
    make_venue("Empty Venue")
    ada, bob = make_person("Ada Lovelace"), make_person("Bob Shaw")
    make_person("Nobody Yet")
    make_papers(
        {
            "title": f"Paper {i}",
            "venue": [*venues, None][i * i % 7],
            "year": [2021, 2022, 2023, None][i % 4],
            "authors": ([ada] if i % 3 else [bob]) + [f"Author {i % 5}"],
            "published_on": datetime.date(2021 + i % 3, 1 + i % 12, 1) if i % 4 else None,
        }
        for i in range(60)
    )
    return ada


@pytest.mark.parametrize("query", TOTALS_ANSWERED)
def test_list_counts_from_the_totals_equal_counting_the_papers(catalog, monkeypatch, query):
    params = QueryDict(query)
    kept = facets.count_facets(paper_filter(params))
    monkeypatch.setattr(counts, "cells_answer", lambda active: False)
    counted = facets.count_facets(paper_filter(params))
    assert kept == counted
    assert kept.total == paper_filter(params).qs.count()


def test_front_page_totals_equal_counting_rows(catalog, client):
    expected = {
        "papers": Paper.objects.count(),
        "people": Person.objects.count(),
        "venues": Venue.objects.count(),
    }
    assert counts.catalog_totals() == expected
    Person.objects.filter(slug="nobody-yet").delete()
    Venue.objects.create(name="Later Venue", slug="later-venue")
    Paper.objects.filter(title="Paper 7").delete()
    expected = {"papers": 59, "people": expected["people"] - 1, "venues": expected["venues"] + 1}
    assert counts.catalog_totals() == expected
    response = client.get("/")
    assert response.context["counts"] == expected
    venues = Counter(Paper.objects.exclude(venue=None).values_list("venue__name", flat=True))
    shown = {v["name"]: v["paper_count"] for v in response.context["top_venues"]}
    assert shown == dict(venues)


def slow_person_totals(person, limit):
    rows = Authorship.objects.filter(person=person).values_list(
        "paper__year", "paper__venue__slug", "paper__venue__name"
    )
    years = Counter(year for year, _, _ in rows)
    venues = Counter((slug, name) for _, slug, name in rows if slug is not None)
    ordered = sorted(venues.items(), key=lambda item: (-item[1], item[0][1]))
    return dict(years), [(s, name, n) for (s, name), n in ordered[:limit]], len(venues)


@pytest.mark.parametrize("limit", [1, 3, 25])
def test_person_totals_equal_counting_her_papers(catalog, limit):
    for person in Person.objects.all():
        assert counts.person_totals(person, limit) == slow_person_totals(person, limit)


def test_person_totals_follow_a_paper_moved_to_another_venue_and_year(catalog):
    paper = Paper.objects.filter(authorships__person=catalog).first()
    paper.venue = Venue.objects.get(slug="empty-venue")
    paper.year = 1999
    paper.save()
    Authorship.objects.filter(person=catalog).order_by("pk").last().delete()
    assert counts.person_totals(catalog, 3) == slow_person_totals(catalog, 3)
    aggregates = person_aggregates(catalog)
    years, _, venue_count = slow_person_totals(catalog, 25)
    assert aggregates["total"] == sum(years.values())
    assert aggregates["years"] == dict(sorted((y, n) for y, n in years.items() if y is not None))
    assert aggregates["venue_count"] == venue_count


def test_unfiltered_year_counts_come_from_the_month_cells(catalog):
    expected = Counter(Paper.objects.values_list("year", flat=True))
    assert counts.year_counts(ActiveFilters()) == dict(expected)
    sql, _ = counts.year_counts_sql(ActiveFilters())
    assert counts.MONTH_CELLS in sql
