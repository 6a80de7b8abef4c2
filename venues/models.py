from django.db import models
from django.db.models import Count, Q

from catalog.slugs import slug_url, unique_slug_for


class VenueQuerySet(models.QuerySet):
    def with_paper_count(self):
        return self.annotate(paper_count=Count("papers", distinct=True))

    def matching_name(self, name: str):
        """Venues whose name or one of whose aliases is `name` (case-insensitive)."""
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()


class Venue(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", "Conference"
        WORKSHOP = "workshop", "Workshop"
        JOURNAL = "journal", "Journal"
        PREPRINT = "preprint", "Preprint server"
        FORUM = "forum", "Forum or blog"
        OTHER = "other", "Other"

    # As listings name it: "ICLR", "NeurIPS Workshop (Math-AI)", "arXiv".
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    full_name = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug_for(self, self.name, fallback="venue")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("venues:detail", self.slug)


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
