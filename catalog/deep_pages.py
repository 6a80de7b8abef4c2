"""Deep pages of the unfiltered list (newest, oldest or title first) without
walking every row before them.

`OFFSET 49975` makes the database walk 50,000 entries of the sort index
(20 ms under load at 100,000 papers, for page 2,000). The database keeps the
number of papers per (year, month of publication) cell (migration 0016,
exact in the writing transaction), and both orders list those cells one
after the other:

* newest first (published_on, year, id, descending, no date or year last):
  papers with a date month by month, newest month first; then papers
  without a date, year by year, newest first; then those without either;
* oldest first (year, published_on, id, ascending, no year or date last):
  year by year, oldest first; papers with no year last.

So the cells say how many papers come before a given month (or year), and a
page is read from there: `WHERE <from that month on> ORDER BY … OFFSET k`,
k at most the size of the month (newest) or the year (oldest). Each range
below is a contiguous stretch of its order, so its rows are exactly the
rows of the plain OFFSET; when a page would run past the end of the
stretch, the plain OFFSET is used (one page per such boundary).

The title order has no kept counts: the (title, id) key of the
CHECKPOINT_EVERY-th row before a deep page is read once per catalog version
(as the plain OFFSET would, then cached), and pages after it are read as
`WHERE (LOWER(title), id) > key ORDER BY … OFFSET k`, k under
CHECKPOINT_EVERY.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThan

from catalog.counts import MONTH_CELLS, NONE
from catalog.filters import ActiveFilters
from catalog.models import Paper
from core.cache import get_or_compute

# Shallower pages are cheap as they are: no extra query for them.
DEEP_FROM = 1000
CHECKPOINT_EVERY = 1000


@dataclass(frozen=True)
class Stretch:
    """Rows of an order matching `condition`: `before` rows of the order come
    before them, `size` match."""

    condition: Q
    before: int
    size: int

    def holds(self, bottom: int, top: int) -> bool:
        return self.before <= bottom and top <= self.before + self.size


def month_cells(version=None) -> list[tuple[int, int, int]]:
    """(year or 0, YYYYMM or 0, papers) of every non-empty cell; cached per
    catalog `version` (None: not cached): a few hundred rows that every deep
    page of the catalog version would read again."""

    def read() -> list[tuple[int, int, int]]:
        sql = f"SELECT year_key, month_key, papers FROM {MONTH_CELLS} WHERE papers <> 0"
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]

    return get_or_compute("month-cells", version, (), read)


def _month_range(month_key: int) -> tuple[datetime.date, datetime.date]:
    year, month = divmod(month_key, 100)
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, end


def _newest_stretches(cells, bottom: int) -> list[Stretch]:
    """Stretches of the newest-first order around row `bottom`, narrowest first."""
    months, undated = {}, {}
    for year, month, n in cells:
        if month:
            months[month] = months.get(month, 0) + n
        else:
            undated[year] = undated.get(year, 0) + n
    dated_total = sum(months.values())
    before = 0
    for month in sorted(months, reverse=True):
        if bottom < before + months[month]:
            start, end = _month_range(month)
            in_month = Q(published_on__gte=start, published_on__lt=end)
            return [
                Stretch(in_month, before, months[month]),
                Stretch(Q(published_on__lt=end), before, dated_total - before),
            ]
        before += months[month]
    years = sorted((year for year in undated if year), reverse=True)
    undated_total = sum(undated[year] for year in years)
    for year in years:
        if bottom < before + undated[year]:
            no_date = Q(published_on__isnull=True)
            rest = dated_total + undated_total - before
            return [
                Stretch(no_date & Q(year=year), before, undated[year]),
                Stretch(no_date & Q(year__lte=year), before, rest),
            ]
        before += undated[year]
    no_year = Q(published_on__isnull=True, year__isnull=True)
    return [Stretch(no_year, before, undated.get(NONE, 0))]


def _oldest_stretches(cells, bottom: int) -> list[Stretch]:
    """Stretches of the oldest-first order around row `bottom`, narrowest first."""
    years = {}
    for year, _, n in cells:
        years[year] = years.get(year, 0) + n
    known = sorted(year for year in years if year)
    with_year = sum(years[year] for year in known)
    before = 0
    for year in known:
        if bottom < before + years[year]:
            return [
                Stretch(Q(year=year), before, years[year]),
                Stretch(Q(year__gte=year), before, with_year - before),
            ]
        before += years[year]
    return [Stretch(Q(year__isnull=True), before, years.get(NONE, 0))]


STRETCHES = {"newest": _newest_stretches, "oldest": _oldest_stretches}


def title_checkpoint(number: int, version) -> tuple[str, int] | None:
    """The (LOWER(title), id) key of row `number` * CHECKPOINT_EVERY (counted
    from 1) of the title order, None past the end: one walk of the title
    index as far as that row (what the plain OFFSET costs), cached per catalog
    version (None: not cached), so that later pages start from it."""

    def walk() -> tuple:
        table = connection.ops.quote_name(Paper._meta.db_table)
        sql = f"SELECT LOWER(title), id FROM {table} ORDER BY LOWER(title), id LIMIT 1 OFFSET %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [number * CHECKPOINT_EVERY - 1])
            row = cursor.fetchone()
        # Past the end is an answer too (None would read as not cached).
        return ("row", tuple(row)) if row else ("none",)

    found = get_or_compute("title-checkpoint", version, (str(number),), walk)
    return found[1] if found[0] == "row" else None


def _after(key: tuple[str, int]):
    """Rows after `key` in the title order: (LOWER(title), id) > key."""
    row = "(%(expressions)s)"
    return GreaterThan(
        Func(Lower("title"), F("id"), template=row, output_field=CharField()),
        Func(Value(key[0]), Value(key[1]), template=row, output_field=CharField()),
    )


def served(active: ActiveFilters, sort_key: str) -> bool:
    """Whether deep pages of this list can start past the first rows:
    unfiltered, newest, oldest or title first."""
    return sort_key in (*STRETCHES, "title") and active == ActiveFilters()


@dataclass(frozen=True)
class DeepPageRows:
    """A DeferredJoinPaginator `page_rows` (core/pagination.py) for an
    unfiltered list sorted by `sort_key` (served()): rows as `rows_from`
    reads them. `version`: the catalog version, for cached checkpoints."""

    sort_key: str
    rows_from: object
    version: int | None = None

    def __call__(self, papers, bottom: int, top: int):
        ids = papers.prefetch_related(None).values("pk")
        if bottom >= DEEP_FROM and self.sort_key == "title":
            passed = bottom // CHECKPOINT_EVERY
            checkpoint = title_checkpoint(passed, self.version) if passed else None
            if checkpoint is not None:
                ids = ids.filter(_after(checkpoint))
                bottom, top = bottom - passed * CHECKPOINT_EVERY, top - passed * CHECKPOINT_EVERY
        elif bottom >= DEEP_FROM:
            for stretch in STRETCHES[self.sort_key](month_cells(self.version), bottom):
                if stretch.holds(bottom, top):
                    ids = ids.filter(stretch.condition)
                    bottom, top = bottom - stretch.before, top - stretch.before
                    break
        order = papers.query.order_by
        return self.rows_from.filter(pk__in=ids[bottom:top]).order_by(*order)
