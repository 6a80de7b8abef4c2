"""Generate a synthetic catalog on PostgreSQL with bulk COPY.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.generate --size 100000

Sizes scale with --size (the number of papers): 0.6 people and 4 authorships
per paper, 300 venues, 20 awards. The skew is deliberate: authors after the
first are drawn from a Zipf-like law (the most prolific person has a couple of
thousand papers at 100,000), venues too (the biggest holds about a tenth of
the catalog), years grow towards 2025, and about 2% of papers have an award.

Rows are written with COPY (explicit ids, sequences reset afterwards), then
`author_names` is filled by one grouped UPDATE, the papers' kept author lists
(catalog.author_rows, their triggers off during the COPY) by another, and `search_vector` by one
UPDATE using the application's own expression (catalog.search), never row by
row; then the papers' table and its search rows are rewritten compact (VACUUM
FULL), as an imported catalog's are. The tables must be empty (run.py
truncates them). The counts the pages read (catalog/counts.py) and the
search rows follow by themselves: their triggers fire on COPY and on
TRUNCATE; `manage.py recount_catalog --check` confirms the counts.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time

from bench.textgen import AWARD_NAMES, TextGen, Zipf

TABLES = [
    "catalog_paper_awards",
    "catalog_authorship",
    "catalog_papersource",
    "catalog_paper",
    "catalog_award",
    "people_personalias",
    "people_person",
    "venues_venuealias",
    "venues_venue",
    "catalog_deletedpaper",
]


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def truncate(connection) -> None:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [t for t in TABLES if t in existing]
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def _extra_columns(cursor, table: str, known: list[str]) -> list[tuple[str, str]]:
    """Columns another change added that this generator does not know, which
    need a value (NOT NULL without a default): (name, data type)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    return [(name, kind) for name, kind in cursor.fetchall() if name not in known]


def _filler(kind: str, pk: int):
    if kind in ("boolean",):
        return False
    if kind in ("integer", "smallint", "bigint", "numeric", "double precision", "real"):
        return 0
    if kind in ("jsonb", "json"):
        return "{}"
    return f"bench-{pk}"  # text-like: unique per row, in case the column is unique


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    extra = _extra_columns(cursor, table, columns)
    names = columns + [name for name, _ in extra]
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    n = 0
    with cursor.copy(sql) as copy:
        for row in rows:
            if extra:
                row = (*row, *(_filler(kind, row[0]) for _, kind in extra))
            copy.write_row(row)
            n += 1
    return n


def _slug(text: str, pk: int, limit: int = 80) -> str:
    from django.utils.text import slugify

    from core.slugs import _TRANSLITERATE

    base = slugify(text.translate(_TRANSLITERATE))[:limit].strip("-") or "item"
    return f"{base}-{pk}"


PAPER_COLUMNS = [
    "id",
    "title",
    "slug",
    "abstract",
    "venue_id",
    "venue_detail",
    "year",
    "published_on",
    "arxiv_id",
    "doi",
    "other_identifier",
    "url",
    "citation",
    "authors_complete",
    "author_count",
    "upvotes",
    "needs_review",
    "review_note",
    "title_key",
    "staff_edited_fields",
    "imported_values",
    "author_names",
    "search_vector",
    "created_at",
    "updated_at",
]
# Tables whose id sequences must follow the explicit ids COPY wrote.
_SEQUENCED_TABLES = (
    "venues_venue",
    "catalog_award",
    "people_person",
    "people_personalias",
    "catalog_paper",
    "catalog_authorship",
    "catalog_paper_awards",
)
_YEARS = list(range(1995, 2026))
_YEAR_WEIGHTS = [1.12 ** (y - 1995) for y in _YEARS]
_AUTHOR_COUNTS = list(range(1, 13))
# Mean of about 4 authors per paper.
_AUTHOR_WEIGHTS = [8, 16, 20, 18, 13, 9, 6, 4, 2.5, 1.5, 1, 1]


def _copy_references(cursor, text: TextGen, now, n_venues: int, n_awards: int, n_people: int):
    """Venues, awards, people and name variants; returns (counts, people's names)."""
    counts = {}
    venue_names = text.venue_names(n_venues)
    counts["venues"] = _copy(
        cursor,
        "venues_venue",
        ["id", "name", "slug", "kind", "full_name", "url", "created_at", "updated_at"],
        (
            (i + 1, name, _slug(name, i + 1), "conference", "", "", now, now)
            for i, name in enumerate(venue_names)
        ),
    )
    counts["awards"] = _copy(
        cursor,
        "catalog_award",
        ["id", "name", "slug"],
        ((i + 1, name, _slug(name, i + 1)) for i, name in enumerate(AWARD_NAMES[:n_awards])),
    )
    people = [text.person_name(i) for i in range(n_people)]
    counts["people"] = _copy(
        cursor,
        "people_person",
        ["id", "name", "slug", "orcid", "needs_review", "review_note", "created_at", "updated_at"],
        (
            (i + 1, name, _slug(name, i + 1), "", False, "", now, now)
            for i, name in enumerate(people)
        ),
    )
    # Name variants for the most prolific people ("S. Biderman").
    aliases = []
    for i in range(min(2000, n_people)):
        first, _, last = people[i].partition(" ")
        aliases.append((len(aliases) + 1, i + 1, f"{first[0]}. {last}"))
    counts["aliases"] = _copy(cursor, "people_personalias", ["id", "person_id", "name"], aliases)
    return counts, people


def _paper_rows(rng, text: TextGen, now, n_papers: int, venue_zipf):
    """Rows of PAPER_COLUMNS."""
    from catalog.importer.text import normalise_title

    for pk in range(1, n_papers + 1):
        name = text.method_name(pk)
        title = text.title(pk, name)
        abstract = text.abstract(pk, name)
        year = rng.choices(_YEARS, _YEAR_WEIGHTS)[0]
        published = (
            datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.8
            else None
        )
        venue = venue_zipf.draw() + 1 if rng.random() < 0.95 else None
        arxiv = ""
        if rng.random() < 0.7:
            arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{pk:05d}"
        upvotes = rng.randint(0, 300) if rng.random() < 0.6 else None
        yield (
            pk,
            title,
            _slug(title, pk, 90),
            abstract,
            venue,
            "",
            year,
            published,
            arxiv,
            "",
            "",
            "",
            "",
            True,
            None,
            upvotes,
            False,
            "",
            normalise_title(title),
            "[]",
            "{}",
            "",
            None,
            now,
            now,
        )


def _authorship_rows(rng, n_papers: int, n_people: int, person_zipf):
    pk = 0
    for paper in range(1, n_papers + 1):
        k = rng.choices(_AUTHOR_COUNTS, _AUTHOR_WEIGHTS)[0]
        # The first author uniformly (everyone gets papers), the rest skewed.
        chosen = [rng.randrange(n_people) + 1]
        for person in person_zipf.draws(k - 1):
            if person + 1 not in chosen:
                chosen.append(person + 1)
        for position, person in enumerate(chosen, start=1):
            pk += 1
            yield (pk, paper, person, position, rng.random() < 0.03)


def _paper_award_rows(rng, n_papers: int, award_zipf):
    pk = 0
    for paper in range(1, n_papers + 1):
        if rng.random() < 0.02:
            pk += 1
            yield (pk, paper, award_zipf.draw() + 1)


def _fill_search_fields(connection, log, started: float) -> None:
    """author_names as refresh_search_index() writes it, for every paper in
    one statement; then the search vectors with the application's expression."""
    from catalog import author_rows
    from catalog.models import Authorship, Paper
    from catalog.search import author_names_sql, search_fields_update
    from people.models import PersonAlias

    with connection.cursor() as cursor:
        cursor.execute(
            author_names_sql(
                Paper,
                authorship_model=Authorship,
                alias_model=PersonAlias,
                connection=connection,
                ids=False,
            )
        )
        cursor.execute(author_rows.refresh_sql("ARRAY(SELECT id FROM catalog_paper)"))
    log(f"  author_names and author_rows: {time.perf_counter() - started:.1f}s")
    Paper.objects.update(**search_fields_update(Paper))
    log(f"  search_vector: {time.perf_counter() - started:.1f}s")


def generate(size: int, *, seed: int = 7, log=print) -> dict:
    """Fill the (empty) catalog tables; returns the row counts."""
    _setup_django()
    from django.db import connection

    from catalog import author_rows

    assert connection.vendor == "postgresql", "the benchmark catalog is PostgreSQL only"
    started = time.perf_counter()
    rng = random.Random(seed)
    text = TextGen(seed=seed)
    now = datetime.datetime.now(datetime.UTC)
    n_papers = size
    n_people = max(100, size * 6 // 10)
    n_venues, n_awards = 300, 20

    with connection.cursor() as cursor:
        counts, _ = _copy_references(cursor, text, now, n_venues, n_awards, n_people)
        log(f"  venues, awards, {n_people} people: {time.perf_counter() - started:.1f}s")
        venue_zipf = Zipf(n_venues, 1.0, offset=1.5, rng=rng)
        person_zipf = Zipf(n_people, 0.75, offset=3.0, rng=rng)
        papers = _paper_rows(rng, text, now, n_papers, venue_zipf)
        counts["papers"] = _copy(cursor, "catalog_paper", PAPER_COLUMNS, papers)
        log(f"  {n_papers} papers: {time.perf_counter() - started:.1f}s")
        # The papers' author lists are computed in one statement once the
        # rows are analysed (_fill_search_fields()), not by their triggers
        # as the COPY ends: planned with an empty table's statistics, those
        # ran for minutes.
        list_triggers = author_rows.triggers(cursor)
        for table, name in list_triggers:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        counts["authorships"] = _copy(
            cursor,
            "catalog_authorship",
            ["id", "paper_id", "person_id", "position", "equal_contribution"],
            _authorship_rows(rng, n_papers, n_people, person_zipf),
        )
        for table, name in list_triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
        award_zipf = Zipf(n_awards, 1.0, rng=rng)
        counts["paper_awards"] = _copy(
            cursor,
            "catalog_paper_awards",
            ["id", "paper_id", "award_id"],
            _paper_award_rows(rng, n_papers, award_zipf),
        )
        log(f"  authorships and awards: {time.perf_counter() - started:.1f}s")
        for table in _SEQUENCED_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    with connection.cursor() as cursor:
        # Statistics of the rows just copied, before the UPDATEs join them:
        # planned with a truncated table's (when autovacuum's ANALYZE had
        # not come yet), the author names' UPDATE ran for more than 13
        # minutes instead of seconds.
        cursor.execute(f"ANALYZE {', '.join(_SEQUENCED_TABLES)}")
        # The GIN indexes' new entries pile up unmerged: VACUUM FULL below
        # rebuilds the indexes from the rows anyway.
        cursor.execute("SET gin_pending_list_limit = '4GB'")
    _fill_search_fields(connection, log, started)
    with connection.cursor() as cursor:
        # The UPDATEs above left two dead versions of every paper (and of
        # its search row) behind: the tables three times their size, which a
        # catalog the importer wrote (its vectors computed as each paper is
        # inserted) never is. Rewritten compact, as that catalog's.
        cursor.execute("VACUUM FULL catalog_paper, catalog_searchrow")
        log(f"  vacuum full: {time.perf_counter() - started:.1f}s")
        cursor.execute("VACUUM ANALYZE")
    log(f"  vacuum analyze: {time.perf_counter() - started:.1f}s")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _setup_django()
    from django.db import connection

    truncate(connection)
    print(generate(args.size, seed=args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
