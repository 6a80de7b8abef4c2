"""Validators for HTTP caching: the catalog's version and when it changed.

Every answer of the API depends only on the catalog (and on this code), and
the catalog's version changes with every write (core/cache.py), so the
version is the ETag and its time (api/migrations/0001) is Last-Modified.
Checking a client's If-None-Match / If-Modified-Since costs one
primary-key query and nothing else: a 304 never touches a catalog table.

Last-Modified has HTTP's one-second resolution, so two changes within one
second look alike to If-Modified-Since; clients that send the ETag (which
If-None-Match prefers, RFC 9110 13.2.2) never see that.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.http import http_date, parse_http_date_safe, quote_etag

import core.cache

# Part of every ETag: a deploy that changes what the API writes must not
# let clients keep answers in the old shape. Bump it with such a change.
REPRESENTATION = "1"


@dataclass(frozen=True)
class CatalogState:
    version: int
    changed_at: datetime.datetime

    @property
    def etag(self) -> str:
        return quote_etag(f"{self.version}.{REPRESENTATION}")

    @property
    def last_modified(self) -> str:
        return http_date(self.changed_at.timestamp())

    def not_modified(self, request) -> bool:
        """Whether the client's copy is current (RFC 9110 13.2.2: If-None-Match
        decides when present, If-Modified-Since only without it)."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in tags or self.etag in tags
        since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
        return since is not None and int(self.changed_at.timestamp()) <= since


def catalog_state() -> CatalogState | None:
    """The version and its time (core.cache.read_version, on the catalog's
    database, in the caller's snapshot); None when unknown: answers then
    carry no validators."""
    row = core.cache.read_version()
    return CatalogState(row.version, row.changed_at) if row else None
