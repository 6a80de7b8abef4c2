"""An index on the paper's last change, for OAI-PMH lists.

Harvesters walk papers in (updated_at, id) order from a resumption token's
position and select by from/until on updated_at: without this index every
batch of 100 sorted the whole catalog. The index is on catalog's table but
serves only this app, so it lives here (plain SQL: a migration cannot add
an index to another app's model).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_search_head_title_index")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS oai_paper_updated_idx ON catalog_paper (updated_at, id)",
            "DROP INDEX IF EXISTS oai_paper_updated_idx",
        ),
    ]
