import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Lower

from catalog import author_rows, search
from catalog.citekeys import FreeKeys, citation_key_base
from catalog.paper_relations import PaperRelationsIterable
from catalog.paper_rows import PaperRowIterable, ends_in_et_al
from core.models import SluggedModel
from core.slugs import slug_url, unique_slug_for
from people.models import Person, PersonAlias
from venues.models import Venue

# The database refuses years outside this sanity range; the model's
# validator narrows the upper end to next year. Databases cannot check a
# moving bound portably (SQLite rejects non-deterministic CHECKs).
EARLIEST_YEAR = 1900
LATEST_STORABLE_YEAR = 2100


# `/papers/export.bib` is the filtered-list export, so no paper may be given
# the slug "export" (its own export would be `/papers/export.bib` too).
RESERVED_PAPER_SLUGS = frozenset({"export"})


# Paper fields an import sets, in the order import reports list them. Staff
# edits of these are remembered (the admin) and never overwritten (the
# importer): one list, so the two cannot drift apart.
IMPORTED_FIELDS = (
    "title",
    "abstract",
    "venue",
    "venue_detail",
    "year",
    "published_on",
    "arxiv_id",
    "doi",
    "other_identifier",
    "citation",
    "authors_complete",
    "author_count",
    "upvotes",
    "awards",
    "authors",
)


def next_year() -> int:
    return datetime.date.today().year + 1


class Award(SluggedModel):
    name = models.CharField(max_length=200, unique=True)

    detail_view = "catalog:award-detail"
    slug_fallback = "award"

    class Meta:
        ordering = ["name"]


def ordered_authorships():
    """Authorships in author order, unknown positions last, with their people."""
    return Authorship.objects.select_related("person").order_by("position", "id")


# Columns lists never show (see for_list()).
LIST_DEFERRED_FIELDS = (
    "search_vector",
    "head_vector",
    "author_names",
    "imported_values",
    "staff_edited_fields",
    "review_note",
)


# Newest first: the default order of every paper list, and relevance's tie-break.
NEWEST_ORDER = (
    F("published_on").desc(nulls_last=True),
    F("year").desc(nulls_last=True),
    F("id").desc(),
)


class PaperQuerySet(models.QuerySet):
    def with_relations(self):
        """Papers with their venue, authors in order and awards, in a fixed
        number of queries, without the columns no page shows (the search
        vector alone is as big as the abstract)."""
        return (
            self.select_related("venue")
            .defer(*LIST_DEFERRED_FIELDS)
            .prefetch_related(
                Prefetch("authorships", queryset=ordered_authorships()),
                "awards",
            )
        )

    def for_list(self):
        """Exactly what a row of a paper list shows, as PaperRow objects
        (catalog/paper_rows.py), not model instances: the page's papers with
        their venue, then their authors and awards, two queries.

        Building model instances and prefetching their relations was half of
        a list page's Python time at 100,000 papers. Filters, sorting,
        pagination and annotations work as on any queryset; `.values()`
        gives plain values again."""
        rows = self.all()
        rows._iterable_class = PaperRowIterable
        return rows

    def for_detail(self):
        """Papers as with_relations() gives them, plus their sources: the
        authors, awards and sources read in one query
        (catalog/paper_relations.py), not three prefetches."""
        papers = self.select_related("venue").defer(*LIST_DEFERRED_FIELDS)
        papers._iterable_class = PaperRelationsIterable
        return papers

    def for_export(self):
        """Everything a citation export writes (catalog/exports.py): two queries."""
        return self.select_related("venue").prefetch_related(
            Prefetch("authorships", queryset=ordered_authorships())
        )

    def years(self) -> dict[int, int]:
        """Papers per known year, in one grouped query: {2022: 5, 2023: 7}."""
        rows = (
            self.filter(year__isnull=False)
            .order_by()
            .values("year")
            .annotate(n=Count("pk", distinct=True))
            .values_list("year", "n")
        )
        return dict(sorted(rows))

    def assign_citation_keys(self) -> int:
        """Give each of these papers that has no citation key its key; return how many.

        A key, once given, is never recomputed (see catalog/citekeys.py). The
        importer keys the papers it creates itself (no extra writes); this is
        for every other writer (the admin, save(), the test factories), once
        the paper's authors are written. Three or four queries, whatever the
        count.
        """
        papers = list(
            self.filter(citation_key="").prefetch_related(
                Prefetch("authorships", queryset=ordered_authorships())
            )
        )
        if not papers:
            return 0
        db = self.db
        for attempt in range(2):
            taken = set(
                Paper.objects.using(db)
                .exclude(citation_key="")
                .values_list("citation_key", flat=True)
            )
            keys = FreeKeys(taken)
            for paper in papers:
                paper.citation_key = keys.next_free(paper.citation_key_base())
            try:
                with transaction.atomic(using=db):
                    Paper.objects.using(db).bulk_update(papers, ["citation_key"], batch_size=500)
                break
            except IntegrityError:
                # Another writer took one of these keys meanwhile: recompute once.
                if attempt:
                    raise
        return len(papers)

    def needing_review(self):
        return self.filter(needs_review=True)

    def by_person(self, person):
        # A semi-join, not a join: rows never repeat, and pagination can walk
        # the sort index instead (core/pagination.py).
        return self.filter(pk__in=Authorship.objects.filter(person=person).values("paper_id"))

    def in_venue(self, venue):
        return self.filter(venue=venue)

    def newest_first(self):
        return self.order_by(*NEWEST_ORDER)

    def oldest_first(self):
        return self.order_by(
            F("year").asc(nulls_last=True), F("published_on").asc(nulls_last=True), "id"
        )

    def search(self, q: str):
        """Papers matching every word of `q` in title, author names or abstract."""
        return search.filter_search(self, q)

    def with_rank(self, q: str, *, unsearched=None):
        """Annotate `rank` for `q` (catalog/search): order by it, then newest first.
        `unsearched`: these papers without the search filter, when known."""
        return search.annotate_rank(self, q, order_by=NEWEST_ORDER, unsearched=unsearched)

    def refresh_search_index(self) -> int:
        """Recompute the denormalised search fields of these papers; call after every write
        that changes a title, an abstract, an author list or a person's names."""
        count = search.refresh_search_index(
            self, authorship_model=Authorship, alias_model=PersonAlias
        )
        # And their list rows' authors: their triggers are set aside in a
        # bulk load, whose refresh of the papers it changed this is.
        author_rows.refresh(self)
        return count


class Paper(models.Model):
    title = models.CharField(max_length=500)
    # Stable across re-imports and title edits: it is part of public URLs.
    slug = models.SlugField(max_length=140, unique=True, blank=True)
    abstract = models.TextField(blank=True)
    venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="papers"
    )
    venue_detail = models.CharField(
        max_length=500, blank=True, help_text="The citation's fuller venue text."
    )
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        db_index=True,
        validators=[MinValueValidator(EARLIEST_YEAR), MaxValueValidator(next_year)],
    )
    published_on = models.DateField(null=True, blank=True)
    arxiv_id = models.CharField("arXiv id", max_length=40, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    other_identifier = models.CharField(
        max_length=200,
        blank=True,
        help_text='Another identifier, e.g. "bioRxiv 2022.11.20.517210".',
    )
    url = models.URLField("URL", max_length=500, blank=True)
    citation = models.TextField(blank=True, help_text="The citation text as listed.")
    awards = models.ManyToManyField(Award, blank=True, related_name="papers")
    authors = models.ManyToManyField(Person, through="Authorship", related_name="papers")
    authors_complete = models.BooleanField(
        default=True,
        help_text='False when the listing truncated the author list ("et al.", "and 37 others").',
    )
    author_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="The declared number of authors, when names are unknown."
    )
    upvotes = models.PositiveIntegerField(null=True, blank=True)
    needs_review = models.BooleanField(default=False, db_index=True)
    review_note = models.TextField(blank=True)
    # The title normalised for duplicate detection (case, punctuation, quote
    # and hyphen variants folded); kept by the importer.
    title_key = models.CharField(max_length=500, blank=True, db_index=True, editable=False)
    # Re-import bookkeeping: which fields staff changed by hand (never
    # overwritten by an import), and what the importer last wrote for each
    # field (to tell "the listing changed" from "staff changed it").
    staff_edited_fields = models.JSONField(default=list, blank=True, editable=False)
    # The BibTeX key ("biderman2023pythia"): people paste it into their
    # papers, so it is made once and never changes (catalog/citekeys.py).
    # Empty only until the paper is first keyed (assign_citation_keys(), by
    # whoever writes the paper: see save()).
    citation_key = models.CharField(max_length=80, blank=True, editable=False)
    imported_values = models.JSONField(default=dict, blank=True, editable=False)
    # Search (see catalog/search.py): the authors' names and name variants as
    # one text, and on PostgreSQL the weighted full-text vector (GIN-indexed
    # by migration 0003, PostgreSQL only). Kept by refresh_search_index().
    author_names = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The title (A) and author names (B) alone, a few hundred bytes where the
    # whole vector is ~1.7 KB: relevance ranks "every word in the title", then
    # "every word in the title or authors" ahead of abstract-only matches, and
    # telling those apart must not read every matching abstract (see
    # catalog/search.py). GIN-indexed by migration 0007, PostgreSQL only.
    head_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        # The paper list's sort orders are indexed column for column (NULLS
        # LAST included) by migration 0005 on PostgreSQL only: SQLite cannot
        # index NULLS LAST. These work everywhere.
        indexes = [
            # INCLUDE title: PostgreSQL only scans an expression index
            # index-only when the expression's column is in it too, and deep
            # title-sorted pages need that (core/pagination.py); and year, so
            # that a year filter is tested in the index too (migration 0021).
            models.Index(
                Lower("title"), F("id").asc(), name="paper_title_idx", include=["title", "year"]
            ),
            # A paper page's related papers: the newest of the same venue.
            models.Index(fields=["venue", "-year", "title"], name="paper_venue_year_title_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["arxiv_id"], condition=~Q(arxiv_id=""), name="paper_arxiv_id_unique"
            ),
            models.UniqueConstraint(
                fields=["citation_key"],
                condition=~Q(citation_key=""),
                name="paper_citation_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True)
                | Q(year__gte=EARLIEST_YEAR, year__lte=LATEST_STORABLE_YEAR),
                name="paper_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(author_count__isnull=True) | Q(author_count__gte=0),
                name="paper_author_count_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(upvotes__isnull=True) | Q(upvotes__gte=0),
                name="paper_upvotes_non_negative",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug_for(
                self, self.title, max_length=100, fallback="paper", reserved=RESERVED_PAPER_SLUGS
            )
        # A new paper has no authors yet: its writer keys it once they are
        # written (the importer, the admin). An existing paper without a key
        # is keyed by its next save, never by a page or an export reading it.
        keyable = not self._state.adding and "citation_key" not in self.get_deferred_fields()
        super().save(*args, **kwargs)
        if keyable and not self.citation_key:
            Paper.objects.filter(pk=self.pk).assign_citation_keys()
            self.refresh_from_db(fields=["citation_key"])

    def get_absolute_url(self):
        return slug_url("catalog:paper-detail", self.slug)

    # The author list as pages show it; these read the prefetched
    # authorships (see for_list()), so they cost no queries.
    def placed_authorships(self):
        """Authors with a known place, in order."""
        return [row for row in self.authorships.all() if row.position is not None]

    def unplaced_authorships(self):
        """Authors the listing named without a place ("(incl. Tow, Biderman)")."""
        return [row for row in self.authorships.all() if row.position is None]

    @property
    def author_list_truncated(self) -> bool:
        return not self.authors_complete or bool(self.unplaced_authorships())

    def et_al_after(self, shown: int) -> bool:
        """Whether a list naming the first `shown` authors ends in "et al."
        (the rule list rows follow too: catalog.paper_rows.ends_in_et_al)."""
        return ends_in_et_al(
            len(self.placed_authorships()),
            shown,
            complete=self.authors_complete,
            unplaced=bool(self.unplaced_authorships()),
        )

    def citation_key_base(self) -> str:
        """This paper's citation key before any collision suffix (reads prefetched authors)."""
        placed = self.placed_authorships()
        first = placed[0].person.name if placed else None
        return citation_key_base(first, self.year, self.title)


class AuthorshipQuerySet(models.QuerySet):
    def order_by(self, *fields):
        # The contract is that `paper.authorships.order_by("position")` lists
        # authors in order with unknown (NULL) positions last. PostgreSQL
        # sorts NULLs last by default but SQLite sorts them first, so say it
        # explicitly for both.
        rewritten = [
            F("position").asc(nulls_last=True)
            if field == "position"
            else F("position").desc(nulls_last=True)
            if field == "-position"
            else field
            for field in fields
        ]
        return super().order_by(*rewritten)


class Authorship(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="authorships")
    # 1-based; null when the listing names the author without a place,
    # as in "(incl. Tow, Biderman)".
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    equal_contribution = models.BooleanField(default=False)

    objects = AuthorshipQuerySet.as_manager()

    class Meta:
        ordering = [F("position").asc(nulls_last=True), "id"]
        # A person's papers (author filter, person pages, the author facet)
        # straight from the index, without visiting authorship rows.
        indexes = [models.Index(fields=["person", "paper"], name="authorship_person_paper_idx")]
        constraints = [
            models.UniqueConstraint(fields=["paper", "person"], name="authorship_one_per_person"),
            models.UniqueConstraint(
                fields=["paper", "position"], name="authorship_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(position__isnull=True) | Q(position__gte=1),
                name="authorship_position_from_one",
            ),
        ]

    def __str__(self):
        where = f"#{self.position}" if self.position else "(position unknown)"
        return f"{self.person} {where} on {self.paper}"


class SearchRowQuerySet(models.QuerySet):
    def search(self, q: str):
        """Rows whose paper matches every word of `q` (as PaperQuerySet.search())."""
        return search.filter_search(self, q)


class SearchRow(models.Model):
    """PostgreSQL only: a narrow copy of each paper's search vector and the
    keys a search's matches are counted, grouped and sorted by (migration
    0019 creates the table and the triggers that keep it in step with the
    papers, whoever writes them; never written by Django).

    Counting a search's matches and reading its newest ones visits every
    heap page holding a match (a GIN index has no visibility information):
    about 930 pages here, where the papers' table has 6,600 (each row
    carries the other columns and their out-of-line pointers)."""

    paper = models.OneToOneField(
        Paper,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_constraint=False,
        related_name="+",
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    year = models.PositiveSmallIntegerField(null=True)
    published_on = models.DateField(null=True)
    search_vector = SearchVectorField(null=True)

    objects = SearchRowQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "catalog_searchrow"

    def __str__(self):
        return f"search row of paper {self.pk}"


class PaperSource(models.Model):
    """Where a paper came from: one entry of one listing."""

    class Format(models.TextChoices):
        BLOG = "blog", "Blog listing"
        ABSTRACTS = "abstracts", "Abstracts listing"
        DAILY = "daily", "Daily papers listing"
        BIBTEX = "bibtex", "BibTeX file"
        LOOKUP = "lookup", "arXiv or DOI lookup"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sources")
    listing = models.CharField(max_length=255, help_text="The listing's file name.")
    format = models.CharField(max_length=20, choices=Format.choices)
    entry_index = models.PositiveIntegerField(help_text="1-based position in the listing.")
    line = models.PositiveIntegerField(help_text="Line where the entry starts.")

    class Meta:
        ordering = ["listing", "entry_index"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "entry_index"], name="source_unique_entry"),
        ]

    def __str__(self):
        return f"{self.listing} #{self.entry_index} (line {self.line})"


class DeletedPaper(models.Model):
    """A tombstone: a paper staff deleted, so a re-import does not bring it back silently."""

    title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=140)
    arxiv_id = models.CharField(max_length=40, blank=True)
    # "listing#entry_index" for each source the paper had.
    source_keys = models.JSONField(default=list)
    deleted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self):
        return self.title


class PendingImport(models.Model):
    """An import staff previewed in the admin and may apply.

    The uploaded texts are kept here, in the database, between the preview
    and the apply: never on disk under MEDIA or static, so never served. The
    apply form carries only `token`; `applied_at` is set by a conditional
    UPDATE, so a second apply (a double click) finds it set and shows the
    first one's report instead of importing again. Old rows are deleted when
    the next preview is made (catalog.admin_import).
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # [{"name", "kind" ("listing" | "identifiers"), "size", "sha256", "text"}]
    sources = models.JSONField(default=list)
    # The catalog version (core.cache) the preview was made against.
    catalog_version = models.BigIntegerField(null=True)
    # A digest of the previewed report: the apply must do exactly that.
    preview_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The report of the apply, shown again to a second apply.
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("import_papers", "Can import papers from the admin")]

    def __str__(self):
        return f"import previewed by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
