"""What the catalog already holds that an import is checked against, read
up front in a few queries (whatever the number of entries), so that the
planning after it (catalog.importer.planning) needs none."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import BooleanField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from catalog.importer import bibliographic
from catalog.importer.identifiers import doi_key
from catalog.importer.merge import PaperDraft
from catalog.importer.planning import Tombstones, match_drafts
from catalog.importer.writing import chunks, is_postgres
from catalog.models import RESERVED_PAPER_SLUGS, Authorship, DeletedPaper, Paper, PaperSource


@dataclass
class Existing:
    """The catalog as the drafts meet it; drafts are keyed by id(draft)."""

    # Catalog papers the drafts match, with their venue, sources, awards and authors.
    papers: dict[int, Paper]
    # Drafts that are not in the catalog because staff deleted them.
    deleted: dict[int, DeletedPaper]
    # (listing, entry index) -> paper id, for the listings of this run.
    source_owner: dict[tuple[str, int], int]
    taken_slugs: set[str]
    # Bibliographic drafts that may be a catalog paper but could not be
    # matched for sure: (that paper, the doubt). They are neither merged nor
    # created; the paper is flagged.
    doubtful: dict[int, tuple[Paper, str]] = field(default_factory=dict)
    # (listing, entry index) -> [source id, format, line]: what undo needs to
    # give an entry this run moves to another paper back to its owner.
    source_rows: dict[tuple[str, int], list] = field(default_factory=dict)

    def doubtful_drafts(self, drafts: list[PaperDraft]) -> list[PaperDraft]:
        return [d for d in drafts if id(d) in self.doubtful]

    def new_drafts(self, drafts: list[PaperDraft]) -> list[PaperDraft]:
        """The drafts that become new papers."""
        return [
            d
            for d in drafts
            if id(d) not in self.papers and id(d) not in self.deleted and id(d) not in self.doubtful
        ]


def read_existing(drafts: list[PaperDraft], using: str) -> Existing:
    """Match `drafts` to the catalog's papers (flagging those that match
    several) and to staff's tombstones; read the slugs taken."""
    listings = {e.source_file for d in drafts for e in d.entries}
    rows = (
        PaperSource.objects.using(using)
        .filter(listing__in=listings)
        .values_list("listing", "entry_index", "paper_id", "pk", "format", "line")
    )
    source_owner, source_rows = {}, {}
    for listing, index, paper_id, pk, fmt, line in rows:
        source_owner[(listing, index)] = paper_id
        source_rows[(listing, index)] = [pk, fmt, line]
    by_arxiv = paper_ids_by("arxiv_id", {d.arxiv_id for d in drafts if d.arxiv_id}, using)
    by_title = paper_ids_by("title_key", {d.title_key for d in drafts if d.title_key}, using)
    by_doi = paper_ids_by_doi({doi_key(d.doi) for d in drafts if d.doi}, using)
    wanted = match_drafts(drafts, source_owner, by_arxiv, by_title, by_doi)
    unmatched = [
        d for d in drafts if id(d) not in wanted and bibliographic.is_bibliographic(d.formats)
    ]
    found, doubts = _match_bibliography(unmatched, using)
    wanted.update(found)
    papers = {}
    for ids in chunks(set(wanted.values()) | {pk for pk, _ in doubts.values()}):
        papers.update((p.pk, p) for p in catalog_papers(ids, using))
    matched = {key: papers[pk] for key, pk in wanted.items()}
    doubtful = {key: (papers[pk], doubt) for key, (pk, doubt) in doubts.items()}

    tombstones = Tombstones(DeletedPaper.objects.using(using))
    deleted = {}
    for draft in drafts:
        if id(draft) not in matched and (tombstone := tombstones.match(draft)):
            deleted[id(draft)] = tombstone
    taken_slugs = set(Paper.objects.using(using).values_list("slug", flat=True))
    return Existing(
        matched, deleted, source_owner, taken_slugs | RESERVED_PAPER_SLUGS, doubtful, source_rows
    )


# Paper columns the import never reads from a catalog paper: the search
# fields, ~2 KB a paper, rebuilt by the database whenever the paper changes.
_UNREAD = ("search_vector", "head_vector", "author_names")


def catalog_papers(ids, using: str):
    """Catalog papers as the import reads them: with their venue, and their
    sources, awards and authorships (with people) as plain lists in
    import_sources, import_awards and import_authorships.

    Lists (Prefetch to_attr), not related managers, and only the columns the
    import reads: a prefetch into managers builds a QuerySet per paper and
    relation, and whole rows (people's timestamps, papers' search vectors)
    cost as much again; at a re-import of 100,000 papers that was most of
    its time and memory.
    """
    return (
        Paper.objects.using(using)
        .filter(pk__in=ids)
        .defer(*_UNREAD)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "sources",
                queryset=PaperSource.objects.using(using).only("paper", "listing", "entry_index"),
                to_attr="import_sources",
            ),
            Prefetch("awards", to_attr="import_awards"),
            Prefetch(
                "authorships",
                queryset=Authorship.objects.using(using)
                .select_related("person")
                .only("paper", "position", "equal_contribution", "person__name"),
                to_attr="import_authorships",
            ),
        )
    )


def paper_ids_by_doi(keys: set[str], using: str) -> dict[str, int]:
    """{DOI key: paper id}: DOIs are case-insensitive (doi_key), whatever
    case each source wrote them in."""
    found: dict[str, int] = {}
    papers = Paper.objects.using(using).exclude(doi="").annotate(doi_key=Lower("doi"))
    for chunk in chunks(keys):
        found.update(papers.filter(doi_key__in=chunk).values_list("doi_key", "id"))
    return found


def _match_bibliography(drafts: list[PaperDraft], using: str):
    """bibliographic.match_bibliography() over the few catalog papers that
    could be these drafts: those with a provisional title, and those whose
    title key is a shortened or full form of a draft's. Two queries, plus
    one for their first authors; none without bibliographic drafts."""
    if not drafts:
        return {}, {}
    papers = Paper.objects.using(using).only(
        "id", "title", "title_key", "abstract", "imported_values", "staff_edited_fields"
    )
    provisional = [
        p
        for p in papers.filter(
            imported_values__review_note__icontains=bibliographic.PROVISIONAL_TITLE_REASON
        )
        if bibliographic.title_is_provisional(p.title, p.imported_values, p.staff_edited_fields)
    ]
    keys = [d.title_key for d in drafts if d.title_key]
    titled: list[Paper] = []
    if keys:
        prefixes = {p for key in keys for p in bibliographic.word_prefixes(key)}
        longer = Q()
        for key in keys:
            longer |= Q(title_key__startswith=key + " ")
        titled = list(papers.filter(Q(title_key__in=prefixes) | longer))
    firsts = dict(
        Authorship.objects.using(using)
        .filter(paper_id__in=[p.pk for p in [*provisional, *titled]], position=1)
        .values_list("paper_id", "person__name")
    )

    def candidate(paper: Paper) -> bibliographic.Candidate:
        return bibliographic.Candidate(
            paper.pk, paper.title, paper.title_key, paper.abstract, firsts.get(paper.pk, "")
        )

    return bibliographic.match_bibliography(
        drafts, [candidate(p) for p in provisional], [candidate(p) for p in titled]
    )


def taken_citation_keys(using: str) -> set[str]:
    return set(
        Paper.objects.using(using).exclude(citation_key="").values_list("citation_key", flat=True)
    )


def paper_ids_by(field_name: str, values: set[str], using: str) -> dict[str, int]:
    """{value: paper id} for the papers whose `field_name` is one of
    `values`: on PostgreSQL in one query, the values as one array (a
    2,000-value IN list is slow to build and to parse, and at 100,000
    entries there were 50 of them per field); elsewhere in chunks, under
    SQLite's limit on variables."""
    if not values:
        return {}
    papers = Paper.objects.using(using)
    if is_postgres(using):
        column = connections[using].ops.quote_name(Paper._meta.get_field(field_name).column)
        matching = RawSQL(f"{column} = ANY(%s)", [list(values)], output_field=BooleanField())
        return dict(papers.filter(matching).values_list(field_name, "id"))
    found = {}
    for chunk in chunks(values):
        found.update(papers.filter(**{f"{field_name}__in": chunk}).values_list(field_name, "id"))
    return found
