"""The one place the API meets the paper list: GET parameters in, the
list's filtered and sorted papers out.

It hands the parameters to the paper list's own entry point
(catalog.selectors.paper_filter: the list's FilterSet, with its filters,
search and sort orders), so `/api/v1/papers` and `/papers/` cannot disagree
about which papers match or in what order. Where the page forgives a bad
value (ignores it and says so above the list), the API refuses it with a
400: a program should learn that its request was wrong, not get a
different list.
"""

from __future__ import annotations

from api.problems import Problem, bad_parameters
from api.serializers import papers_for_api
from catalog.filters import MAX_SLUGS, PaperFilter
from catalog.search import MAX_QUERY_LENGTH
from catalog.selectors import paper_filter

LIST_PARAMETERS = ("q", "venue", "year", "year_from", "year_to", "author", "award", "sort")
REPEATABLE = ("venue", "author")
# Integers and choices: an empty value is no value, which the HTML list
# forgives (a form sends its empty fields) but an API client should not send.
NOT_EMPTY = ("year", "year_from", "year_to", "sort", "cursor", "per_page")


def check_parameters(params, allowed) -> None:
    """400 for a parameter the endpoint does not take, a single-valued one
    given twice, or a NUL byte (PostgreSQL refuses it in text)."""
    errors = {}
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise Problem(400, "NUL characters are not allowed in the query string.")
        if key not in allowed:
            takes = ", ".join(allowed) or "no parameters"
            errors[key[:40]] = [f"Unknown parameter; this endpoint takes {takes}."]
        elif key in NOT_EMPTY and "" in values:
            errors[key] = ["Empty; give a value or leave the parameter out."]
        elif len(values) > 1 and key not in REPEATABLE:
            errors[key] = ["Given more than once; it takes one value."]
        elif key in REPEATABLE and len(values) > MAX_SLUGS:
            errors[key] = [f"At most {MAX_SLUGS} values."]
    if errors:
        raise bad_parameters(errors)


def filtered_papers(params) -> PaperFilter:
    """The list page's FilterSet bound to `params` (a QueryDict of list
    parameters); its `.qs` is the papers in list order. 400 for bad values."""
    if len(params.get("q", "").strip()) > MAX_QUERY_LENGTH:
        raise bad_parameters({"q": [f"At most {MAX_QUERY_LENGTH} characters."]})
    filterset = paper_filter(params, queryset=papers_for_api())
    if not filterset.is_valid():
        raise bad_parameters({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset
