"""The links of a paper list: the same list with a parameter changed (facets,
chips, sort orders) and its exports.

Pure functions of the request's parameters (a QueryDict): no queries, no
state. Unknown parameters are kept, and every link goes back to page 1.
"""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse

from catalog.exports import FORMATS
from catalog.filters import SORTS

# The list parameters an export takes: exactly the list page's, without `page`.
EXPORT_PARAMETERS = ("q", "venue", "year", "year_from", "year_to", "author", "award", "sort")


def list_url(params: QueryDict | None, **changes) -> str:
    """This list's URL (a query string) with `changes` (None removes a
    parameter, a list sets a repeatable one), back on page 1."""
    data = params.copy() if params else QueryDict(mutable=True)
    data.pop("page", None)
    for key, values in changes.items():
        data.pop(key, None)
        if values is not None:
            data.setlist(key, values if isinstance(values, list) else [str(values)])
    encoded = data.urlencode()
    return f"?{encoded}" if encoded else "?"


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
    return [(SORTS[key], list_url(params, sort=key), key == sort_key) for key in keys]


def export_links(params: QueryDict, **fixed) -> list[tuple[str, str]]:
    """(label, URL) of the filtered-list exports for `params` and `fixed` filters."""
    query = params.copy()
    for key in list(query):
        if key not in EXPORT_PARAMETERS:
            del query[key]
    for key, value in fixed.items():
        query.setlist(key, [value])
    suffix = f"?{query.urlencode()}" if query else ""
    return [
        (fmt.label, reverse("catalog:list-export", args=[fmt.extension]) + suffix)
        for fmt in FORMATS.values()
    ]
