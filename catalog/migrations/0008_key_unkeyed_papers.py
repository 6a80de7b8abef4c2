"""Key every paper still without a citation key.

Pages and exports used to key such a paper (made outside the importer and
the admin) when it was first read; reads no longer write, so a paper is
keyed when it is written (Paper.save(), the importer, the admin), and this
keys the ones left over, the same way migration 0004 keyed the first ones.
"""

from importlib import import_module

from django.db import migrations

key_existing_papers = import_module("catalog.migrations.0004_paper_citation_key").key_existing_papers


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_head_title_index"),
    ]

    operations = [
        migrations.RunPython(key_existing_papers, migrations.RunPython.noop, elidable=True),
    ]
