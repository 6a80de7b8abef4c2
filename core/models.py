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
        old_slug = getattr(self, "_loaded_slug", None)
        update_fields = kwargs.get("update_fields")
        slug_saved = update_fields is None or "slug" in update_fields
        super().save(*args, **kwargs)
        if not slug_saved:
            return
        if old_slug and old_slug != self.slug:
            # Imported here: core.redirects imports this module's SlugRedirect.
            from core.redirects import slug_changed

            slug_changed(self, old_slug)
        self._loaded_slug = self.slug

    def get_absolute_url(self):
        return slug_url(self.detail_view, self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so that save() can tell a changed slug (its old URLs must
        # keep working); None when the slug was not loaded (.only()/.defer()).
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance


class SlugRedirect(models.Model):
    """An old slug of a person, venue or award, and the row it now belongs to.

    Filled when rows are merged away and when staff change a slug; read only
    when a URL names nothing (core/redirects.py), so pages that work pay
    nothing for it. It stores the target's id, not its slug: a later rename
    of the target needs no update here, and a chain A → B → C resolves A
    straight to C.
    """

    model = models.CharField(max_length=100)  # the target's label, "people.person"
    old_slug = models.SlugField(max_length=100)
    target_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "old_slug"], name="slug_redirect_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.old_slug} → #{self.target_id}"


class AliasedQuerySet(models.QuerySet):
    """For a model whose other names are rows related to it as `aliases`
    (people and venues): the importer and the admin find them by any name."""

    def matching_name(self, name: str):
        """Rows whose name or one of whose aliases is `name` (case-insensitive)."""
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct()
