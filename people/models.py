from django.db import models
from django.db.models import Count, Q

from core.models import AliasedQuerySet, SluggedModel


class PersonQuerySet(AliasedQuerySet):
    def with_paper_count(self):
        return self.annotate(paper_count=Count("authorships", distinct=True))


class Person(SluggedModel):
    # `name` as written: "Stella Biderman"; a person known only by surname has just that.
    orcid = models.CharField(
        "ORCID", max_length=19, blank=True, help_text="e.g. 0000-0002-1825-0097"
    )
    needs_review = models.BooleanField(default=False, db_index=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    detail_view = "people:detail"
    slug_fallback = "person"

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~Q(orcid=""), name="person_orcid_unique"
            ),
            models.CheckConstraint(
                condition=Q(orcid="")
                | Q(orcid__regex=r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$"),
                name="person_orcid_format",
            ),
        ]


class PersonAlias(models.Model):
    """A variant of a person's name as listings write it ("Biderman", "S. Biderman")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "person aliases"
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="person_alias_unique"),
        ]

    def __str__(self):
        return self.name
