"""What the API says about papers, people, venues and awards: plain dicts
of public fields. Nothing internal (review notes, staff-edit marks, import
provenance) is ever read here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def _or_none(value):
    return value or None


class Links:
    """Absolute URLs for one request's host and scheme."""

    def __init__(self, request):
        self.absolute = request.build_absolute_uri

    def api(self, name: str, slug: str | None = None, **query) -> str:
        path = reverse(f"api:{name}", args=[slug] if slug else [])
        suffix = f"?{urlencode(query, doseq=True)}" if query else ""
        return self.absolute(path + suffix)

    def page(self, obj) -> str:
        return self.absolute(obj.get_absolute_url())


def paper(obj, links: Links) -> dict:
    """A paper read through Paper.objects.with_relations() (no further queries)."""
    venue = obj.venue
    return {
        "slug": obj.slug,
        "title": obj.title,
        "abstract": obj.abstract,
        "year": obj.year,
        "date": obj.published_on.isoformat() if obj.published_on else None,
        "venue": {"name": venue.name, "slug": venue.slug} if venue else None,
        "authors": [
            {
                "name": row.person.name,
                "slug": row.person.slug,
                "equal_contribution": row.equal_contribution,
                "position": row.position,
            }
            for row in obj.authorships.all()
        ],
        "authors_complete": obj.authors_complete,
        "author_count": obj.author_count,
        "arxiv_id": _or_none(obj.arxiv_id),
        "doi": _or_none(obj.doi),
        "url": _or_none(obj.url),
        "awards": [{"name": award.name, "slug": award.slug} for award in obj.awards.all()],
        "upvotes": obj.upvotes,
        "page_url": links.page(obj),
        "bibtex_url": links.absolute(reverse("catalog:paper-export", args=[obj.slug, "bib"])),
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
