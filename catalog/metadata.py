"""Machine-readable metadata for a paper page: Google Scholar's Highwire
`citation_*` tags, schema.org ScholarlyArticle JSON-LD and OpenGraph tags.

Values are plain text here; the template escapes them as attribute values.
The JSON-LD goes into a `<script type="application/ld+json">` data block, so
it is serialised with <, > and & as \\u escapes (as Django's json_script does):
a title containing `</script>` cannot end the block.
"""

from __future__ import annotations

import json

from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

from catalog.exports import KIND_CONFERENCE, KIND_JOURNAL, author_names, venue_title
from catalog.rendering import plain_text

DESCRIPTION_LENGTH = 300
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_text(data) -> str:
    """`data` as JSON safe to place between <script> tags (and marked safe for templates)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_JSON_SCRIPT_ESCAPES))  # escaped just above


def short_description(text: str) -> str:
    text = " ".join(plain_text(text).split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0] + "…"


def highwire_tags(paper, page_url: str) -> list[tuple[str, str]]:
    """(name, content) pairs for <meta name=… content=…>, in Google Scholar's order."""
    tags = [("citation_title", plain_text(paper.title))]
    tags += [("citation_author", name) for name in author_names(paper)]
    if paper.published_on:
        tags.append(("citation_publication_date", paper.published_on.strftime("%Y/%m/%d")))
    elif paper.year:
        tags.append(("citation_publication_date", str(paper.year)))
    if paper.year:
        tags.append(("citation_year", str(paper.year)))
    venue = venue_title(paper)
    kind = paper.venue.kind if paper.venue else ""
    if venue and kind in KIND_CONFERENCE:
        tags.append(("citation_conference_title", venue))
    elif venue and kind in KIND_JOURNAL:
        tags.append(("citation_journal_title", venue))
    if paper.arxiv_id:
        tags.append(("citation_arxiv_id", paper.arxiv_id))
    if paper.doi:
        tags.append(("citation_doi", paper.doi))
    tags.append(("citation_abstract_html_url", page_url))
    return tags


def scholarly_article(paper, page_url: str, absolute) -> dict:
    """schema.org ScholarlyArticle; `absolute(path)` makes a URL absolute."""
    data = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": page_url,
        "url": page_url,
        "name": plain_text(paper.title),
        "headline": plain_text(paper.title),
    }
    authors = [
        {"@type": "Person", "name": row.person.name, "url": absolute(row.person.get_absolute_url())}
        for row in paper.placed_authorships()
    ]
    if authors:
        data["author"] = authors
    if paper.published_on:
        data["datePublished"] = paper.published_on.isoformat()
    elif paper.year:
        data["datePublished"] = str(paper.year)
    if paper.abstract:
        data["abstract"] = plain_text(paper.abstract)
    venue = venue_title(paper)
    if venue:
        kind = paper.venue.kind if paper.venue else ""
        data["isPartOf"] = {
            "@type": "Periodical" if kind in KIND_JOURNAL else "CreativeWork",
            "name": venue,
        }
    same_as = []
    if paper.doi:
        same_as.append("https://doi.org/" + paper.doi)
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi}
    if paper.arxiv_id:
        same_as.append("https://arxiv.org/abs/" + paper.arxiv_id)
    if paper.url:
        same_as.append(paper.url)
    if same_as:
        data["sameAs"] = same_as
    awards = [award.name for award in paper.awards.all()]
    if awards:
        data["award"] = awards
    return data


def opengraph_tags(paper, page_url: str) -> list[tuple[str, str]]:
    tags = [
        ("og:type", "article"),
        ("og:site_name", "Papershelf"),
        ("og:title", plain_text(paper.title)),
        ("og:url", page_url),
    ]
    if paper.abstract:
        tags.append(("og:description", short_description(paper.abstract)))
    if paper.published_on:
        tags.append(("article:published_time", paper.published_on.isoformat()))
    return tags


def meta_tags_html(highwire, opengraph) -> SafeString:
    """The Highwire and OpenGraph tags as the page's <head> lines, written in
    Python (a template loop with two escaped lookups per tag cost as much as
    the rest of the head)."""
    lines = [
        f'<meta name="{escape(name)}" content="{escape(content)}">' for name, content in highwire
    ]
    lines += [
        f'<meta property="{escape(name)}" content="{escape(content)}">'
        for name, content in opengraph
    ]
    return mark_safe("".join(line + "\n  " for line in lines))  # every value escaped above


def paper_metadata(request, paper) -> dict:
    page_url = request.build_absolute_uri(paper.get_absolute_url())
    return {
        "canonical_url": page_url,
        "meta_tags": meta_tags_html(
            highwire_tags(paper, page_url), opengraph_tags(paper, page_url)
        ),
        "description": short_description(paper.abstract) if paper.abstract else "",
        "json_ld": json_ld_text(
            scholarly_article(paper, page_url, absolute=request.build_absolute_uri)
        ),
    }
