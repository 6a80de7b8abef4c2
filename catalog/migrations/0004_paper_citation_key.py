"""Paper.citation_key: add it, then key every existing paper.

The constraint comes before the data step: every row is still "" then, which
the partial unique index ignores, and no table is altered after rows change.
"""

from django.db import migrations, models

from catalog.citekeys import citation_key_base, next_free_key


def key_existing_papers(apps, schema_editor):
    """Oldest papers first, so the earliest published paper keeps the unsuffixed key."""
    db = schema_editor.connection.alias
    Paper = apps.get_model("catalog", "Paper")
    Authorship = apps.get_model("catalog", "Authorship")
    first_authors = {}
    for paper_id, name in (
        Authorship.objects.using(db)
        .filter(position__isnull=False)
        .order_by("paper_id", "-position")
        .values_list("paper_id", "person__name")
    ):
        first_authors[paper_id] = name  # the last one written per paper is position 1
    taken = set(
        Paper.objects.using(db).exclude(citation_key="").values_list("citation_key", flat=True)
    )
    papers = list(Paper.objects.using(db).filter(citation_key="").order_by("created_at", "pk"))
    for paper in papers:
        base = citation_key_base(first_authors.get(paper.pk), paper.year, paper.title)
        paper.citation_key = next_free_key(base, taken)
        taken.add(paper.citation_key)
    Paper.objects.using(db).bulk_update(papers, ["citation_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="citation_key",
            field=models.CharField(blank=True, editable=False, max_length=80),
        ),
        migrations.AddConstraint(
            model_name="paper",
            constraint=models.UniqueConstraint(
                condition=models.Q(("citation_key", ""), _negated=True),
                fields=("citation_key",),
                name="paper_citation_key_unique",
            ),
        ),
        migrations.RunPython(key_existing_papers, migrations.RunPython.noop, elidable=True),
    ]
