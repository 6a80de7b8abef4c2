"""Exact counts read from the tables the database keeps (migration 0012).

Why: counting papers per venue, year and award, and papers per person, over
the whole catalog read every paper (and every authorship for the top
authors): about 300 ms at 100,000 papers, on the first request after every
write, since a write empties the cache. The database keeps those counts in
(venue, year) and (award, venue, year) cells and per person, changed by
triggers in the writing transaction, so they are exact whoever writes.
A count over venues and years only — the front page, a venue page, the list
filtered by venue and year range — sums a few thousand cells.

The functions take the list's ActiveFilters; `cells_answer()` says whether
the cells can answer for them (no search, author or award filter).
"""

from __future__ import annotations

from django.db import connection

from catalog.filters import ActiveFilters
from catalog.models import Award
from people.models import Person
from venues.models import Venue

NONE = 0  # the key of "no venue" and "no year"
# The tables (migration 0012), never written by Django.
PAPER_CELLS = "catalog_papercount"  # venue_key, year_key, papers
AWARD_CELLS = "catalog_awardcount"  # award_id, venue_key, year_key, papers
PERSON_COUNTS = "catalog_personcount"  # person_id, papers


def cells_answer(active: ActiveFilters) -> bool:
    """Whether the results are defined by venue and year alone."""
    return not (active.search or active.authors or active.award)


def _conditions(active: ActiveFilters, *, venue: bool, exact_year: bool) -> tuple[str, list]:
    """SQL conditions on a cell (alias c) for the active venue and year filters,
    and their parameters. A paper without a year matches no year filter."""
    sql, params = ["c.papers <> 0"], []
    if venue and active.venues:
        slugs = ", ".join(["%s"] * len(active.venues))
        venues = Venue._meta.db_table
        sql.append(f"c.venue_key IN (SELECT id FROM {venues} WHERE slug IN ({slugs}))")
        params += list(active.venues)
    for value, test in (
        (active.year if exact_year else None, "="),
        (active.year_from, ">="),
        (active.year_to, "<="),
    ):
        if value:
            sql.append(f"c.year_key {test} %s AND c.year_key <> {NONE}")
            params.append(value)
    return " AND ".join(sql), params


def _named_counts(model, cells, key: str, where: tuple[str, list], active: list[str]):
    """(slug, name, count) of the `model` rows (venues, awards) that have papers
    in the `cells` table matching `where` (joined on `key`), and of the
    `active` slugs always (0 when they have none): active first, then most
    papers, then name. One query: the cells are summed once, then joined."""
    table = model._meta.db_table
    condition, params = where
    marks = ", ".join(["%s"] * len(active)) or "NULL"
    sql = f"""
        SELECT m.slug, m.name, COALESCE(s.n, 0) AS n FROM {table} m
        LEFT JOIN (
            SELECT c.{key} AS id, SUM(c.papers) AS n FROM {cells} c
            WHERE {condition} GROUP BY c.{key}
        ) s ON s.id = m.id
        WHERE s.n > 0 OR m.slug IN ({marks})
        ORDER BY CASE WHEN m.slug IN ({marks}) THEN 0 ELSE 1 END, n DESC, m.name
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *active, *active])
        return [tuple(row) for row in cursor.fetchall()]


def venue_counts(active: ActiveFilters):
    """Papers per venue under the year filters (not the venue filter: venues
    are any-of), as (slug, name, count); the active venues always."""
    where = _conditions(active, venue=False, exact_year=True)
    return _named_counts(Venue, PAPER_CELLS, "venue_key", where, list(active.venues))


def year_counts(active: ActiveFilters) -> dict[int | None, int]:
    """Papers per year (None: without a year) under the venue filter and the
    year range (not the year filter: a year replaces the current one)."""
    condition, params = _conditions(active, venue=True, exact_year=False)
    sql = (
        f"SELECT c.year_key, SUM(c.papers) FROM {PAPER_CELLS} c "
        f"WHERE {condition} GROUP BY c.year_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(year or None): n for year, n in cursor.fetchall() if n}


def award_counts(active: ActiveFilters):
    """Awarded papers per award under the venue and year filters."""
    where = _conditions(active, venue=True, exact_year=True)
    active_awards = [active.award] if active.award else []
    return _named_counts(Award, AWARD_CELLS, "award_id", where, active_awards)


def top_people(limit: int):
    """The `limit` people with the most papers in the catalog, as (slug, name,
    count), most papers first, then by name: every person with at least the
    limit-th count is read from the index, then sorted."""
    counts, people = PERSON_COUNTS, Person._meta.db_table
    sql = f"""
        SELECT p.slug, p.name, c.papers FROM {counts} c JOIN {people} p ON p.id = c.person_id
        WHERE c.papers > 0 AND c.papers >= COALESCE(
            (SELECT papers FROM {counts} ORDER BY papers DESC LIMIT 1 OFFSET %s), 1)
        ORDER BY c.papers DESC, p.name LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit - 1, limit])
        return [tuple(row) for row in cursor.fetchall()]


def catalog_totals() -> dict[str, int]:
    """The numbers of papers, people and venues, in one query."""
    people, venues = Person._meta.db_table, Venue._meta.db_table
    sql = (
        f"SELECT (SELECT COALESCE(SUM(papers), 0) FROM {PAPER_CELLS}), "
        f"(SELECT COUNT(*) FROM {people}), (SELECT COUNT(*) FROM {venues})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        papers, people_count, venue_count = cursor.fetchone()
    return {"papers": papers, "people": people_count, "venues": venue_count}


def venue_years(venue) -> tuple[dict[int, int], int]:
    """A venue's papers per known year, and its number of papers (one query)."""
    sql = f"SELECT year_key, papers FROM {PAPER_CELLS} WHERE venue_key = %s AND papers <> 0"
    with connection.cursor() as cursor:
        cursor.execute(sql, [venue.pk])
        years = dict(cursor.fetchall())
    total = sum(years.values())
    years.pop(NONE, None)
    return dict(sorted(years.items())), total
