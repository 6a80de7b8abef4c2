"""Pagination whose cost does not grow with the page number.

`OFFSET n` makes the database walk past n rows. Walking full rows (wide: an
abstract each) gets slow deep in a 100,000-paper list; walking the sort
index gets slow far later. So a page is read in two steps inside one query:
the page's ids, from the sort order alone (an index-only scan when an index
matches the order, see Paper.Meta.indexes), then the full rows for just
those ids:

    SELECT … FROM paper WHERE id IN (SELECT id FROM paper … ORDER BY … LIMIT 25 OFFSET n)
    ORDER BY …

The `page` parameter keeps its meaning; the query count does not change.

Filters that test membership (papers of an author, of an award) leave the
database two ways to find a page: collect every matching paper and sort
them (cost grows with the matches: 11 ms for an author of 2,500 papers),
or walk the sort index and keep the members (cost grows with how far apart
they are). With `walk_sort_index` set, a page well inside a large result
(at least WALK_MIN_MATCHES, and within the first 1/WALK_SPREAD of them) is
read the second way: the planner is kept from turning the membership test
into a join by asking `(id IN (…)) IS TRUE`, which PostgreSQL answers from
a hashed set while it walks the index (1 ms for that author).
Smaller results or deep pages keep the first way, whose cost is bounded by
the number of matches, unless the caller knows how many papers the walk
ranges over and how many the author or award has (`walk_scope`: a venue's
papers in some years, say, and the author's) and the walk is the shorter
read: an author's 213 papers in one venue since 2015 were
found by probing all 2,482 of the author's papers (12 ms), where the walk
along the venue's newest-first index passes ~1,200 entries (~2 ms).

`page_rows`, when set, replaces both steps: a callable (queryset, bottom,
top) returning the page's rows — relevance-sorted search pages use it
(catalog/search/postgres.py), since no single index holds their order.

With `estimated` set, `count` is an estimate (a search's many matches are
not counted: catalog/search/estimate.py), so it says neither where the
last page is nor whether there is a next one. A page then reads one row
more than it shows: that row says whether a next page exists. Page
numbers up to ESTIMATE_SLACK times the estimated number of pages are
read; a page past the real end (or past that) is an InvalidPage, the 404
an out-of-range page gets anyway. The page knows its own rows exactly;
the templates say "about" for the count and the number of pages.
"""

from django.core.paginator import EmptyPage, InvalidPage, Page, Paginator
from django.db.models import BooleanField, F, Func, OrderBy, Q
from django.http import Http404

WALK_MIN_MATCHES = 500
WALK_SPREAD = 20
# With `walk_scope`, a page walks too when it passes (an estimate: the
# results spread evenly) at most WALK_ENTRIES index entries, or at most
# WALK_PER_MEMBER per paper of the author or award, each of which the other
# way reads from the table (an index entry walked costs ~1/10 of that).
WALK_ENTRIES = 2000
WALK_PER_MEMBER = 4
# How far past an estimated number of pages a page number is still read.
ESTIMATE_SLACK = 2


class IsTrue(Func):
    """`(condition) IS TRUE`: the same rows as `condition`, but PostgreSQL
    does not turn an IN (subquery) inside it into a join."""

    template = "(%(expressions)s) IS TRUE"
    output_field = BooleanField()
    conditional = True


def _ends_with_id(order_by) -> bool:
    """Whether an order_by() ends with the id (or pk), either way: then it is
    a total order, whose reverse lists the same rows backwards."""
    if not order_by:
        return False
    last = order_by[-1]
    if isinstance(last, OrderBy):
        last = last.expression
    if isinstance(last, F):
        last = last.name
    return isinstance(last, str) and last.lstrip("-") in ("id", "pk")


class DeferredJoinPaginator(Paginator):
    """`rows_from`: when set, the page's rows are read from this queryset by id
    alone, rather than from the filtered one: the ids already passed the
    filters, and repeating a filter that joins (a person's authorships) made
    the database redo the join for every match (7 ms of an author's page).
    `count`: the number of results when the caller knows it (saves a COUNT).
    `members`: the ids of the results (a values queryset) when the caller
    has them cheaper than the filtered queryset does, for the walk;
    `walk_from`: instead, the results themselves as the walk should filter
    them (membership tests already in IsTrue()), without a subquery of ids;
    or a function returning them, called only when a page walks (building
    the filters again costs as much as running the walk).
    `walk_sort_index`, `walk_scope`, `page_rows` and `estimated`: see the
    module docstring."""

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        rows_from=None,
        walk_sort_index=False,
        page_rows=None,
        count=None,
        estimated=False,
        members=None,
        walk_from=None,
        walk_scope=None,
        **kwargs,
    ):
        self.page_rows = page_rows
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows_from = rows_from
        self.walk_sort_index = walk_sort_index
        self.walk_scope = walk_scope
        self.members = members
        self.walk_from = walk_from
        self.estimated = estimated and count is not None
        if count is not None:
            self.count = count  # shadows the cached property

    def _check_object_list_is_ordered(self):
        # Pages read by `page_rows` come in its order, and their results may
        # not be built at all (a lazy object): not asked whether ordered.
        if self.page_rows is None:
            super()._check_object_list_is_ordered()

    def validate_number(self, number):
        if not self.estimated:
            return super().validate_number(number)
        try:
            number = 1 if number in (None, "") else int(number)
        except (TypeError, ValueError) as error:
            raise InvalidPage("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > max(1, self.num_pages) * ESTIMATE_SLACK:
            raise EmptyPage("That page contains no results")
        return number

    def _walks_sort_index(self, top) -> bool:
        if not self.walk_sort_index:
            return False
        if self.count >= WALK_MIN_MATCHES and top * WALK_SPREAD <= self.count:
            return True
        if self.walk_scope is None or not self.count:
            return False
        scope, members = self.walk_scope
        walked = top * scope / self.count
        return walked <= max(WALK_ENTRIES, WALK_PER_MEMBER * members)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.estimated:
            return self._estimated_page(number, bottom, top)
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self._rows(bottom, top), number, self)

    def _estimated_page(self, number, bottom, top):
        """The page's rows and one more, which says whether a next page exists."""
        rows = list(self._rows(bottom, top + 1))
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return EstimatedPage(rows[: self.per_page], number, self, has_next=len(rows) > top - bottom)

    def _page_ids(self, ids, bottom, top):
        """The ids of rows `bottom` to `top` of `ids` (ordered). A page past the
        middle of its results is read from their end in reverse order, the
        same rows: the database walks past the fewer rows after it (page 91
        of a year's 3,491 papers by title: 34,927 index entries filtered
        out instead of 62,280). Only with an exact count and an order that
        ends with the id, which no two rows share."""
        count = self.count
        if self.estimated or count - top >= bottom or not _ends_with_id(ids.query.order_by):
            return ids[bottom:top]
        return ids.reverse()[count - top : count - bottom]

    def _rows(self, bottom, top):
        queryset = self.object_list
        if self.page_rows is not None:
            return self.page_rows(queryset, bottom, top)
        if self._walks_sort_index(top):
            walk, members = self.walk_from, self.members
            if callable(walk):
                walk = walk()
            if walk is None:
                if members is None:
                    members = queryset.order_by().values("pk")
                walk = queryset.model._default_manager.filter(IsTrue(Q(pk__in=members)))
            ids = walk.order_by(*queryset.query.order_by).values("pk")[bottom:top]
        else:
            ids = self._page_ids(queryset.prefetch_related(None).values("pk"), bottom, top)
        # Not when the order uses an annotation (relevance): the rows need it.
        if self.rows_from is not None and not queryset.query.annotations:
            rows = self.rows_from.filter(pk__in=ids).order_by(*queryset.query.order_by)
        else:
            rows = queryset.filter(pk__in=ids)
        return rows


class EstimatedPage(Page):
    """A page of a paginator whose count is an estimate: whether a next page
    exists comes from the rows read, not from the count."""

    def __init__(self, object_list, number, paginator, *, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


def page_or_404(paginator, number):
    """paginator.page(number) (the first page when `number` is empty); 404 for
    a page that does not exist, as ListView answers."""
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(f"No such page: {error}") from error
