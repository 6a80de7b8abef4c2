"""Query strings as QueryDict.urlencode() writes them, from (key, values)
pairs: without copying a QueryDict to change it (a deep copy of every
list), and with the short keys and values that links repeat quoted once.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote_plus

# Longest key or value kept quoted: slugs, years and sort names are shorter;
# a visitor's long query text is quoted anew rather than filling the cache
# (20,000 entries of a few kB each would be a worker's memory).
_CACHED_LENGTH = 200


def _quoted(text: str) -> str:
    """`text` as urlencode() writes a key or value (UTF-8, the default
    charset). Cached when short: facet links repeat the same slugs and years
    on every list, and quoting each anew was most of building a list's
    hundred links."""
    return _quoted_short(text) if len(text) <= _CACHED_LENGTH else quote_plus(text)


@lru_cache(maxsize=20_000)
def _quoted_short(text: str) -> str:
    return quote_plus(text)


def encoded(lists) -> str:
    """(key, values) pairs as QueryDict.urlencode() writes them (in UTF-8)."""
    return "&".join(
        f"{_quoted(key)}={_quoted(str(value))}" for key, values in lists for value in values
    )


def with_page(params, number: int) -> str:
    """`{% querystring page=number %}` for the request's parameters `params`
    (a QueryDict): the page set in its place, or last. A copy of the
    QueryDict changed and encoded cost ~40 µs a link, two a list page."""
    lists = dict(params.lists())
    lists["page"] = [number]
    return f"?{encoded(lists.items())}"
