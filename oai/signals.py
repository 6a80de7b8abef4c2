from django.db.models.signals import pre_delete
from django.dispatch import receiver

from catalog.models import DeletedPaper, Paper
from oai.models import DeletedPaperSet
from venues.models import Venue


@receiver(pre_delete, sender=Paper)
def remember_deleted_paper_set(sender, instance, using, **kwargs):
    """Note the venue of a deleted paper beside its tombstone.

    Runs after catalog.signals.remember_deleted_paper (catalog comes before
    oai in INSTALLED_APPS, and receivers run in the order they connected),
    so the paper's tombstone is the newest one of its slug."""
    if instance.venue_id is None:
        return
    venues = Venue.objects.using(using).filter(pk=instance.venue_id)
    set_spec = venues.values_list("slug", flat=True).first()
    tombstone = DeletedPaper.objects.using(using).filter(slug=instance.slug).order_by("-id").first()
    if tombstone is not None and set_spec:
        DeletedPaperSet.objects.using(using).create(tombstone=tombstone, set_spec=set_spec)
