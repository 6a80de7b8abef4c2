from django.db import models
from django.db.models import Count

from core.models import AliasedQuerySet, SluggedModel


class VenueQuerySet(AliasedQuerySet):
    def with_paper_count(self):
        return self.annotate(paper_count=Count("papers", distinct=True))


class Venue(SluggedModel):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Conference"
        WORKSHOP = "workshop", "Workshop"
        JOURNAL = "journal", "Journal"
        PREPRINT = "preprint", "Preprint server"
        FORUM = "forum", "Forum or blog"
        OTHER = "other", "Other"

    # As listings name it: "ICLR", "NeurIPS Workshop (Math-AI)", "arXiv".
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    full_name = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    detail_view = "venues:detail"
    slug_fallback = "venue"

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]


class VenueAlias(models.Model):
    """Another name a listing uses for a venue ("bioXriv" for bioRxiv)."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="aliases")
    # Unique across venues: an alias must point at exactly one venue.
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "venue aliases"

    def __str__(self):
        return self.name
