"""Pagination whose cost does not grow with the page number (issue 7).

`OFFSET n` makes the database walk past n rows. Walking full rows (wide: an
abstract each) gets slow deep in a 100,000-paper list; walking the sort
index gets slow far later. So a page is read in two steps inside one query:
the page's ids, from the sort order alone (an index-only scan when an index
matches the order, see Paper.Meta.indexes), then the full rows for just
those ids:

    SELECT … FROM paper WHERE id IN (SELECT id FROM paper … ORDER BY … LIMIT 25 OFFSET n)
    ORDER BY …

The `page` parameter keeps its meaning; the query count does not change.

`page_ids`, when set, replaces the first step: a callable (queryset, bottom,
top) returning the page's ids as a subquery — relevance-sorted search pages
use it (catalog.search.tiered_page_ids), since no single index holds their
order.
"""

from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    page_ids = None

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if self.page_ids is not None:
            ids = self.page_ids(queryset, bottom, top)
        else:
            ids = queryset.prefetch_related(None).values("pk")[bottom:top]
        return self._get_page(queryset.filter(pk__in=ids), number, self)
