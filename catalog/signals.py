from django.db.models.signals import pre_delete
from django.dispatch import receiver

from catalog.models import DeletedPaper, Paper


@receiver(pre_delete, sender=Paper)
def remember_deleted_paper(sender, instance, **kwargs):
    DeletedPaper.objects.create(
        title=instance.title,
        slug=instance.slug,
        arxiv_id=instance.arxiv_id,
        source_keys=[f"{s.listing}#{s.entry_index}" for s in instance.sources.all()],
    )
