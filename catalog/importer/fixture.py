"""Write an import as a Django fixture instead of into the database.

The import runs, unchanged, against a private in-memory SQLite database
that is migrated for the purpose, so `loaddata` of the fixture on an empty
database gives exactly the catalog a direct import gives. The file is
deterministic: rows in primary-key order, fixed key order, and timestamps
set to the newest date the listings name (not the wall clock), so the same
inputs give a byte-identical file.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core import serializers
from django.core.management import call_command

from catalog.importer.records import ParsedListing
from catalog.importer.service import ImportReport, import_listings
from catalog.models import Authorship, Award, Paper, PaperSource
from people.models import Person, PersonAlias
from venues.models import Venue, VenueAlias

FIXTURE_DATABASE = "fixture_build"
# In dependency order, so loaddata never meets a forward reference it must defer.
FIXTURE_MODELS = (Venue, VenueAlias, Person, PersonAlias, Award, Paper, Authorship, PaperSource)
_TIMESTAMPED = (Venue, Person, Paper)


def write_fixture(listings: list[ParsedListing], path: Path) -> ImportReport:
    using = _empty_scratch_database()
    report = import_listings(listings, using=using)
    stamp = _fixture_timestamp(listings)
    for model in _TIMESTAMPED:
        model.objects.using(using).update(created_at=stamp, updated_at=stamp)
    objects = [obj for model in FIXTURE_MODELS for obj in model.objects.using(using).order_by("pk")]
    data = json.loads(serializers.serialize("json", objects))
    _empty_scratch_database()  # free the memory
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never leave a half-written fixture behind
    return report


def _fixture_timestamp(listings: list[ParsedListing]) -> datetime.datetime:
    dates = [e.published_on for listing in listings for e in listing.entries if e.published_on]
    day = max(dates, default=datetime.date(1970, 1, 1))
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def _empty_scratch_database() -> str:
    """The fixture_build database (settings.DATABASES), migrated and emptied."""
    call_command("migrate", database=FIXTURE_DATABASE, verbosity=0, interactive=False)
    # Empty it and restart its id sequences: the fixture's primary keys must
    # not depend on an earlier build in the same process.
    call_command("flush", database=FIXTURE_DATABASE, verbosity=0, interactive=False)
    return FIXTURE_DATABASE
