"""What the API says about papers, people, venues and awards: plain dicts
of public fields. Nothing internal (review notes, staff-edit marks, import
provenance) is ever read here."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models.query import BaseIterable, ValuesListIterable
from django.urls import reverse

from catalog.models import Paper
from catalog.paper_relations import authors_and_awards
from core.slugs import slug_url, slug_urls


def _or_none(value):
    return value or None


class Links:
    """Absolute URLs for one request's host and scheme.

    A page of 100 papers has 400 links: the host is checked once (not by
    build_absolute_uri() for each) and paths come from core.slugs.slug_urls(),
    once per route for the request: slug_url() for each link read the script
    prefix and URL configuration (context-local variables, a lock each) 200
    times a page."""

    _MARK = "papershelf-api-mark"

    def __init__(self, request):
        self.origin = request.build_absolute_uri("/")[:-1]
        bibtex = reverse("catalog:paper-export", kwargs={"slug": self._MARK, "extension": "bib"})
        self._bibtex = bibtex.rsplit(self._MARK, 1)
        self._slug_urls = {}

    def _slug_url(self, viewname: str, slug: str) -> str:
        urls = self._slug_urls.get(viewname)
        if urls is None:
            urls = self._slug_urls[viewname] = slug_urls(viewname)
        return urls(slug)

    def api(self, name: str, slug: str | None = None, **query) -> str:
        path = self._slug_url(f"api:{name}", slug) if slug else reverse(f"api:{name}")
        suffix = f"?{urlencode(query, doseq=True)}" if query else ""
        return self.origin + path + suffix

    def page(self, obj) -> str:
        return self.origin + obj.get_absolute_url()

    def paper_page(self, slug: str) -> str:
        """page() of a paper, by its slug."""
        return self.origin + self._slug_url("catalog:paper-detail", slug)

    def bibtex(self, slug: str) -> str:
        before, after = self._bibtex
        return self.origin + before + slug + after


# The columns a paper's answer reads: nothing else is loaded.
PAPER_FIELDS = (
    "slug",
    "title",
    "abstract",
    "year",
    "published_on",
    "venue__name",
    "venue__slug",
    "authors_complete",
    "author_count",
    "arxiv_id",
    "doi",
    "url",
    "upvotes",
)


@dataclass(frozen=True, slots=True)
class ApiVenue:
    name: str
    slug: str


@dataclass(slots=True)
class ApiPaper:
    """A paper as papers_for_api() reads it: PAPER_FIELDS as plain values,
    the queryset's annotations (the cursors' sort keys, a search's rank) as
    attributes too; add_relations() fills in `api_authors` and `api_awards`."""

    pk: int
    slug: str
    title: str
    abstract: str
    year: int | None
    published_on: object
    venue: ApiVenue | None
    authors_complete: bool
    author_count: int | None
    arxiv_id: str
    doi: str
    url: str
    upvotes: int | None
    db: str
    extra: dict
    api_authors: list = field(default_factory=list)
    api_awards: list = field(default_factory=list)

    def __getattr__(self, name):
        # Only for names that are not fields: the annotations.
        try:
            return self.extra[name]
        except KeyError:
            raise AttributeError(name) from None

    def get_absolute_url(self) -> str:
        return slug_url("catalog:paper-detail", self.slug)


# Where a row of ("pk", *PAPER_FIELDS, *annotations) holds the venue's two
# columns; ApiPaper's fields are the others in the same order.
_VENUE = 1 + PAPER_FIELDS.index("venue__name")
_AFTER_VENUE = _VENUE + 2
_ANNOTATIONS = 1 + len(PAPER_FIELDS)


class ApiPaperIterable(BaseIterable):
    """Yields an ApiPaper per paper of a queryset: its PAPER_FIELDS and
    annotations read as values. Model instances (a paper and a venue each,
    with the deferred-field bookkeeping of only()) were an eighth of a page
    of 100 papers; rows as tuples, not dicts taken apart key by key, cost
    half as much again (1.1 -> 0.5 ms for 100)."""

    def __iter__(self):
        queryset = self.queryset
        names = (*queryset.query.annotation_select, *queryset.query.extra_select)
        values = queryset.values_list("pk", *PAPER_FIELDS, *names)
        db = queryset.db
        for row in ValuesListIterable(values):
            venue_name, venue_slug = row[_VENUE], row[_VENUE + 1]
            yield ApiPaper(
                *row[:_VENUE],
                None if venue_slug is None else ApiVenue(venue_name, venue_slug),
                *row[_AFTER_VENUE:_ANNOTATIONS],
                db,
                dict(zip(names, row[_ANNOTATIONS:], strict=True)),
            )


def papers_for_api():
    """Papers with the columns paper() reads, as ApiPaper rows;
    add_relations() adds the rest."""
    papers = Paper.objects.all()
    papers._iterable_class = ApiPaperIterable
    return papers


def add_relations(papers) -> None:
    """Each paper's authors (in order) and awards, in one query of plain
    rows: building Authorship, Person and Award instances for a page of 100
    papers was most of its time, and building two ORM queries (one with two
    subqueries) half of one paper's answer (~4 ms of 9)."""
    by_id = {paper.pk: paper for paper in papers}
    for paper in papers:
        paper.api_authors, paper.api_awards = [], []
    db = papers[0].db if papers else None
    authors, awards = authors_and_awards(Paper, by_id, db)
    for paper_id, name, slug, equal, position in authors:
        by_id[paper_id].api_authors.append(
            {"name": name, "slug": slug, "equal_contribution": equal, "position": position}
        )
    for paper_id, name, slug in awards:
        by_id[paper_id].api_awards.append({"name": name, "slug": slug})


def paper(obj, links: Links) -> dict:
    """A paper read through papers_for_api() and add_relations()."""
    venue = obj.venue
    return {
        "slug": obj.slug,
        "title": obj.title,
        "abstract": obj.abstract,
        "year": obj.year,
        "date": obj.published_on.isoformat() if obj.published_on else None,
        "venue": {"name": venue.name, "slug": venue.slug} if venue else None,
        "authors": obj.api_authors,
        "authors_complete": obj.authors_complete,
        "author_count": obj.author_count,
        "arxiv_id": _or_none(obj.arxiv_id),
        "doi": _or_none(obj.doi),
        "url": _or_none(obj.url),
        "awards": obj.api_awards,
        "upvotes": obj.upvotes,
        "page_url": links.paper_page(obj.slug),
        "bibtex_url": links.bibtex(obj.slug),
        "api_url": links.api("paper-detail", obj.slug),
    }


def person(obj, links: Links) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "orcid": _or_none(obj.orcid),
        "paper_count": obj.paper_count,
        "page_url": links.page(obj),
        "api_url": links.api("person-detail", obj.slug),
        "papers_url": links.api("paper-list", author=obj.slug),
    }


def person_detail(obj, links: Links) -> dict:
    return {**person(obj, links), "aliases": sorted(alias.name for alias in obj.aliases.all())}


def venue(obj, links: Links) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "full_name": _or_none(obj.full_name),
        "kind": obj.kind,
        "url": _or_none(obj.url),
        "paper_count": obj.paper_count,
        "page_url": links.page(obj),
        "api_url": links.api("venue-detail", obj.slug),
        "papers_url": links.api("paper-list", venue=obj.slug),
    }


def venue_detail(obj, links: Links) -> dict:
    return {**venue(obj, links), "aliases": sorted(alias.name for alias in obj.aliases.all())}


def award(obj, links: Links) -> dict:
    return {
        "slug": obj.slug,
        "name": obj.name,
        "paper_count": obj.paper_count,
        "page_url": links.page(obj),
        "api_url": links.api("award-detail", obj.slug),
        "papers_url": links.api("paper-list", award=obj.slug),
    }
