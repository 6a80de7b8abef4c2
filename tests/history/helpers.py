"""Shared by the history tests: a second import run over the seed catalog,
and every row of the catalog's tables."""

from django.apps import apps

from catalog.importer.recording import RunInfo
from catalog.importer.service import import_listings
from tests.importer.test_import_service import blog_entry, listing_from_text

NEW_PAPER = blog_entry(
    "Zebra Transformers for Striped Sequences",
    'Zed Quixote and Stella Biderman. "Zebra Transformers for Striped Sequences." '
    "In Proceedings of the Zebra Workshop, 2024. Outstanding Zebra Award.",
    abstract="Stripes all the way down.",
    header="Zebra Workshop 2024 Poster Zebra Workshop 2024 Poster",
)
# A seed paper (the daily listing's) seen again with more upvotes: an update.
LONGWRITER = (
    "Daily Papers\n\nNov 6\n\n"
    "LongWriter: Unleashing 10,000+ Word Generation from Long Context LLMs\n\n"
    "An abstract.\n\n  • 9 authors\n·\nAug 13, 2024 600\n"
)


def second_run(user=None):
    """One run that creates a paper (with a new person) and updates a seed paper."""
    listings = [
        listing_from_text(NEW_PAPER, "zebra.txt"),
        listing_from_text(LONGWRITER, "daily-again.txt", format="daily"),
    ]
    return import_listings(listings, run=RunInfo(user=user))


# Columns that are bookkeeping, not catalog content: the surrogate ids of
# rows an undo re-creates (an author list is rewritten as a whole, and
# nothing refers to an authorship or award link by its id).
RECREATED_IDS = {"catalog.Authorship": "id", "catalog.Paper_awards": "id"}


def catalog_rows() -> dict:
    """Every row of every catalog, people and venues table, as comparable tuples."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in ("catalog", "people", "venues"):
            continue
        skip = RECREATED_IDS.get(model._meta.label)
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != skip]
        values = model._base_manager.values_list(*columns)
        rows[model._meta.label] = sorted(
            (tuple(str(v) for v in row) for row in values), key=lambda r: r
        )
    return rows
