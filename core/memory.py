"""The interpreter's cyclic collector in a long-running server process.

A full collection (the oldest generation) walks every object the collector
tracks. In a process that has loaded Django, the catalog's apps and their
views, most of those are functions, classes, dicts and tuples that live as
long as the process, and walking them is most of the collection: replaying
the bench's long tail with the collector timed, a full collection landed in
about one request in a hundred and added 60-90 ms to it (a filter page
right after a write: 108-123 ms where it otherwise takes 30-45). Frozen once
loaded (gc.freeze(): moved to a generation no collection walks), they leave
the collections only what requests made.
"""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> int:
    """Load the URLconf (every view module with it, now rather than at the
    first request), collect what loading left behind, and freeze the rest;
    the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports the views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
