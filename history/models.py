"""Who changed a paper, when, and what; which import runs there were.

Our own two tables rather than a library (see the README, "History and
undo"): the importer writes papers with COPY and bulk statements, so a
library that hooks save() would miss them, and triggers (django-pghistory)
exist on PostgreSQL only. Each writer records its own revisions, in bulk.
"""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One run of the importer (listings, lookups) or one undo of a run."""

    class Kind(models.TextChoices):
        LISTINGS = "listings", "Listings import"
        LOOKUP = "lookup", "Identifier lookup"
        UNDO = "undo", "Undo"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LISTINGS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField()
    # [{"name", "size", "sha256"}] (size and hash when the caller had the bytes).
    files = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=40, blank=True)
    options = models.JSONField(default=dict, blank=True)
    # The report's numbers and lists (catalog.importer.report.ImportReport).
    report = models.JSONField(default=dict, blank=True)
    # What the run created besides papers, for undo: ids of people, venues,
    # awards; (owner id, name) of aliases; people it flagged, with their
    # review state before.
    created_rows = models.JSONField(default=dict, blank=True)
    # The run this one undid (kind "undo"), and for a run, its undo.
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        names = ", ".join(f["name"] for f in self.files) or self.get_kind_display().lower()
        return f"import run {self.pk}: {names}"

    @property
    def who(self) -> str:
        return self.user.get_username() if self.user_id else "command line"


class PaperRevision(models.Model):
    """One change of one paper: {field: [before, after]} of its curated state.

    The curated state is what staff see and edit (catalog.history.curated_state):
    the imported fields, the URL and the review fields; authors as
    [name, position, equal contribution, person id]. A paper's first import
    is one "created" revision without changes (its values are the next
    revision's "before", or the paper's current ones).
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        IMPORT = "import", "Import"
        ADMIN = "admin", "Edited in the admin"
        MERGE = "merge", "Merge"
        UNDO = "undo", "Undo of an import run"
        REVERT = "revert", "Revert"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Restored"

    # SET_NULL: the record of a removed paper stays, with its title.
    paper = models.ForeignKey(
        "catalog.Paper", null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    paper_title = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # An import's own bookkeeping columns before it wrote them (imported
    # values, review flag and note, title key, updated_at) and the sources it
    # added: what undo puts back besides the changes.
    undo_data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["paper", "-created_at", "-id"], name="revision_paper_idx")]

    def __str__(self):
        return (
            f"{self.get_kind_display()} of “{self.paper_title}” at {self.created_at:%Y-%m-%d %H:%M}"
        )

    @property
    def who(self) -> str:
        if self.run_id:
            return str(self.run)
        return self.user.get_username() if self.user_id else "command line"


class PaperDeletionManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=PaperRevision.Kind.REMOVED)


class PaperDeletion(PaperRevision):
    """The "removed" revisions, as the admin lists them: deleted papers,
    with who deleted them, and restore (history.removal)."""

    objects = PaperDeletionManager()

    class Meta:
        proxy = True
        ordering = ["-created_at", "-id"]
        verbose_name = "paper deletion"
