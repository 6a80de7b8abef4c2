from django.db import models

from catalog.models import DeletedPaper


class DeletedPaperSet(models.Model):
    """The set (venue slug) a deleted paper was in, next to its tombstone.

    catalog.DeletedPaper does not remember the venue, but OAI-PMH reports a
    deleted record in the sets the item was in: a harvester that harvests
    one venue's set must learn of that venue's deletions too. Recorded when
    the paper is deleted (oai/signals.py)."""

    tombstone = models.OneToOneField(DeletedPaper, on_delete=models.CASCADE, related_name="oai_set")
    set_spec = models.CharField(max_length=100, db_index=True)

    def __str__(self):
        return f"{self.tombstone} in {self.set_spec}"
