"""The links of a paper list: the same list with a parameter changed (facets,
chips, sort orders) and its exports.

Pure functions of the request's parameters (a QueryDict): no queries, no
state. Unknown parameters are kept, and every link goes back to page 1.
"""

from __future__ import annotations

from django.http import QueryDict

from catalog.exports import FORMATS
from catalog.filters import SORTS
from core.querystrings import encoded
from core.slugs import fixed_url, url_setting

# The list parameters an export takes: exactly the list page's, without `page`.
EXPORT_PARAMETERS = ("q", "venue", "year", "year_from", "year_to", "author", "award", "sort")


def list_url(params: QueryDict | None, **changes) -> str:
    """This list's URL (a query string) with `changes` (None removes a
    parameter, a list sets a repeatable one), back on page 1."""
    return ListLinks(params).url(**changes)


class ListLinks:
    """list_url() for many links of one list: the parameters that a link
    keeps are encoded once per set of changed names, not once per link (a
    list page has a hundred-odd facet links; copying and encoding the whole
    query for each cost a tenth of the page's time). The same strings as
    changing a copy of the QueryDict: kept parameters in their order, the
    changed ones last, in the order given. The URLs are query strings (for
    the list's own page), or start with `base` (the list's path, for links
    to it from another page)."""

    def __init__(self, params: QueryDict | None, base: str = ""):
        self.lists = [(key, values) for key, values in params.lists()] if params else []
        self.kept: dict[tuple[str, ...], str] = {}
        self.base = base

    def url(self, **changes) -> str:
        names = tuple(changes)
        kept = self.kept.get(names)
        if kept is None:
            skipped = {"page", *names}
            kept = encoded((key, values) for key, values in self.lists if key not in skipped)
            self.kept[names] = kept
        changed = encoded(
            [
                (key, values if isinstance(values, list) else (values,))
                for key, values in changes.items()
                if values is not None
            ]
        )
        # Written out, not joined from a generator: a list page builds ~50
        # of these links (facets, sorts), the generators were a third of each.
        query = f"{kept}&{changed}" if kept and changed else kept or changed
        return f"{self.base}?{query}"


def toggled(active, slug: str) -> list[str] | None:
    """The active values of a repeatable parameter with `slug` added, or
    removed when it is there; None when that leaves none."""
    values = list(active)
    if slug in values:
        values.remove(slug)
    else:
        values.append(slug)
    return values or None


def link_parts(params: QueryDict | None) -> tuple[str, ...]:
    """What a list's facet, chip and sort links depend on: every parameter
    but the page (list_url() keeps unknown ones too)."""
    if not params:
        return ()
    return tuple(
        f"{key}={value}"
        for key, values in sorted(params.lists())
        if key != "page"
        for value in values
    )


def sort_links(params: QueryDict | None, sort_key: str, searching: bool):
    """(label, URL, current) for each sort order; relevance only for a search."""
    keys = [key for key in SORTS if key != "relevance" or searching]
    links = ListLinks(params)
    return [(SORTS[key], links.url(sort=key), key == sort_key) for key in keys]


def export_links(params: QueryDict, **fixed) -> list[tuple[str, str]]:
    """(label, URL) of the filtered-list exports for `params` and `fixed`
    filters: the export parameters of `params` in their order, `fixed` ones
    in place of theirs or last (what a copy of the QueryDict with the rest
    deleted and `fixed` set encodes, without copying it), the URL setting
    read once for all the formats."""
    lists = {key: values for key, values in params.lists() if key in EXPORT_PARAMETERS}
    lists.update((key, [value]) for key, value in fixed.items())
    suffix = f"?{encoded(lists.items())}" if lists else ""
    setting = url_setting()
    return [
        (fmt.label, fixed_url("catalog:list-export", fmt.extension, setting=setting) + suffix)
        for fmt in FORMATS.values()
    ]
