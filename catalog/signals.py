from django.db import connections
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from catalog.models import DeletedPaper, Paper
from catalog.search import search_fields_update


@receiver(pre_delete, sender=Paper)
def remember_deleted_paper(sender, instance, **kwargs):
    DeletedPaper.objects.using(instance._state.db).create(
        title=instance.title,
        slug=instance.slug,
        arxiv_id=instance.arxiv_id,
        source_keys=[f"{s.listing}#{s.entry_index}" for s in instance.sources.all()],
    )


@receiver(post_save, sender=Paper)
def index_loaded_paper(sender, instance, raw, using, **kwargs):
    """Give a paper loaded from a fixture its PostgreSQL search vector.

    `loaddata` saves raw rows and the fixture carries no vector (it is
    PostgreSQL-specific); the row's own columns, `author_names` included,
    are all the vector needs.
    """
    if raw and connections[using].vendor == "postgresql":
        Paper.objects.using(using).filter(pk=instance.pk).update(**search_fields_update(Paper))
