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

Young collections are spaced too (YOUNG_THRESHOLD): most of what a page
makes is freed by reference counting when the page is done, unless a young
collection comes first, finds it still in use and moves it to an older
generation, which then walks it again.
"""

from __future__ import annotations

import gc

# Allocations (net of deallocations) between two young collections. Replaying
# the long tail's search pages at 100,000 papers, in a process frozen as a
# server's is: CPython's 700 ran 0.69 young collections a page, 5,000 runs
# 0.07, and the collector's time went 0.32-0.40 -> 0.22-0.24 ms a page
# (10,000: 0.25-0.26).
YOUNG_THRESHOLD = 5000


def freeze_loaded_objects() -> int:
    """Load the URLconf (every view module with it, now rather than at the
    first request), collect what loading left behind, and freeze the rest;
    the number of objects frozen."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports the views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def space_young_collections() -> None:
    """Young collections every YOUNG_THRESHOLD allocations (module docstring);
    the older generations' thresholds as they are."""
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
