"""Indexes for the paper list's filters and sort orders (bench/RESULTS.md).

Each sort order of catalog/filters.py gets a btree index column for column,
NULLS LAST included, so a page is read in index order (and deep pages by an
index-only scan, core/pagination.py) instead of sorting the catalog. SQLite
cannot index NULLS LAST, so those are PostgreSQL-only operations, as the GIN
index of 0003 is; the title and authorship indexes are ordinary model indexes.
"""

import django.db.models.functions.text
from django.db import migrations, models

SORT_INDEXES = {
    "paper_newest_idx": '"published_on" DESC NULLS LAST, "year" DESC NULLS LAST, "id" DESC',
    "paper_oldest_idx": '"year" ASC NULLS LAST, "published_on" ASC NULLS LAST, "id" ASC',
    "paper_upvotes_idx": (
        '"upvotes" DESC NULLS LAST, "published_on" DESC NULLS LAST, "year" DESC NULLS LAST, '
        '"id" DESC'
    ),
    # The venue filter and venue pages, newest first.
    "paper_venue_newest_idx": (
        '"venue_id", "published_on" DESC NULLS LAST, "year" DESC NULLS LAST, "id" DESC'
    ),
}


def create_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in SORT_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalog_paper ({columns})")


def drop_sort_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SORT_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_paper_citation_key"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="authorship",
            index=models.Index(fields=["person", "paper"], name="authorship_person_paper_idx"),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                django.db.models.functions.text.Lower("title"),
                models.F("id").asc(),
                name="paper_title_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                fields=["venue", "-year", "title"], name="paper_venue_year_title_idx"
            ),
        ),
        migrations.RunPython(create_sort_indexes, drop_sort_indexes),
    ]
