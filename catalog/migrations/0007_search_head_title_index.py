"""Search ranking and title sorting at 100,000 papers (bench/RESULTS.md).

* `head_vector`: the title (A) and author names (B) as a small stored vector
  with its own GIN index (PostgreSQL only, like 0003's), so relevance can put
  "every word in the title" and "every word in the title or authors" first
  without reading every matching paper's ~1.7 KB vector (catalog/search.py).
  Filled here for existing papers; writers keep it through
  refresh_search_index(), as they keep `search_vector`.
* `paper_title_idx` gains INCLUDE (title): PostgreSQL scans an expression
  index index-only only when the expression's column is in the index, and a
  deep title-sorted page walks ~50,000 index entries (core/pagination.py).
  SQLite has no INCLUDE; the index stays as it was there.
* `paper_sort_keys_idx` (id) INCLUDE (published_on, year, title), PostgreSQL
  only: a paper page's related papers order the papers sharing an author by
  year and title, a person page orders the person's papers newest first; for
  a prolific author that is ~2,500 papers, read index-only instead of ~2,500
  wide rows (the related papers' query: 20 ms -> 5 ms at 100,000 papers).
"""

import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

INDEX = "catalog_paper_head_vector_gin"
RELATED_INDEX = "paper_sort_keys_idx"


def create_head_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from catalog.search import head_vector_expression

    Paper = apps.get_model("catalog", "Paper")
    Paper.objects.update(head_vector=head_vector_expression())
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_paper USING gin (head_vector)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {RELATED_INDEX} ON catalog_paper (id) "
        "INCLUDE (published_on, year, title)"
    )


def drop_head_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {RELATED_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_catalog_version"),
        ("people", "0001_initial"),
        ("venues", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="paper",
            name="paper_title_idx",
        ),
        migrations.AddField(
            model_name="paper",
            name="head_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                django.db.models.functions.text.Lower("title"),
                models.OrderBy(models.F("id")),
                include=("title",),
                name="paper_title_idx",
            ),
        ),
        migrations.RunPython(create_head_index, drop_head_index),
    ]
