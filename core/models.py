"""The abstract model behind every named thing with a public page, and the
QuerySet of those that listings also know by other names."""

from django.db import models
from django.db.models import Q

from core.slugs import slug_url, unique_slug_for


class SluggedModel(models.Model):
    """A name, and a slug made from it once (suffixed only on a collision) that
    its public URL is built from: people, venues and awards.

    Subclasses set `detail_view` (a URL name taking `slug`) and
    `slug_fallback` (the slug of a name with no letters or digits); a
    subclass whose names are unique redeclares `name` with unique=True.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, blank=True)

    detail_view = ""
    slug_fallback = "item"

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug_for(self, self.name, fallback=self.slug_fallback)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url(self.detail_view, self.slug)


class AliasedQuerySet(models.QuerySet):
    """For a model whose other names are rows related to it as `aliases`
    (people and venues): the importer and the admin find them by any name."""

    def matching_name(self, name: str):
        """Rows whose name or one of whose aliases is `name` (case-insensitive)."""
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()
