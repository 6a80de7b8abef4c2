"""A paper as a row of a list: the paper list, the front page and the person,
venue and award pages all show papers this way.

Built in Python rather than with a template include, as the admin builds its
changelist rows (django.contrib.admin.templatetags.admin_list): a page shows
up to 50 rows of about ten links each, and through the template engine the
rows alone took ~12 ms of the list page's 25 ms budget at 100,000 papers;
built here they take ~2 ms (bench/RESULTS.md). Every value is
escaped: names and URLs with escape(), titles, abstracts and highlighted
names by catalog.rendering, which escapes text before adding markup.

This is the one place that builds a row, reached from templates only
(`{% paper_row paper %}`, catalog/templatetags/papershelf.py): views hand
templates papers, never HTML, and a change to a row's markup is made here.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalog.rendering import highlight_text, render_rich_text, render_snippet

# Authors a row names before "et al.".
AUTHORS_SHOWN = 8


def _author_links(authorships, words) -> str:
    return ", ".join(
        f'<a href="{escape(row.person.get_absolute_url())}">'
        f"{highlight_text(row.person.name, words)}</a>"
        for row in authorships
    )


def paper_row(paper, words=(), heading: int = 3) -> SafeString:
    """One <li class="paper-row">: title, authors, venue, year, awards, snippet.
    Reads the authorships, venue and awards prefetched by Paper.objects.for_list()."""
    words = words or ()
    tag = f"h{int(heading)}"
    out = [
        '<li class="paper-row">\n',
        f'  <{tag} class="paper-title"><a href="{escape(paper.get_absolute_url())}">'
        f"{render_rich_text(paper.title, words)}</a></{tag}>\n",
    ]
    placed, unplaced = paper.placed_authorships(), paper.unplaced_authorships()
    if placed or unplaced:
        if placed:
            authors = _author_links(placed[:AUTHORS_SHOWN], words)
        else:
            authors = "Including " + _author_links(unplaced, words)
        if len(placed) > AUTHORS_SHOWN or paper.author_list_truncated:
            authors += " et al."
        out.append(f'  <p class="authors">{authors}</p>\n')
    meta = []
    if paper.venue_id:
        venue = paper.venue
        meta.append(f'<a href="{escape(venue.get_absolute_url())}">{escape(venue.name)}</a>')
    if paper.year:
        meta.append(f'<span class="year">{paper.year}</span>')
    meta.extend(
        f'<a class="badge" href="{escape(award.get_absolute_url())}">{escape(award.name)}</a>'
        for award in paper.awards.all()
    )
    out.append(f'  <p class="meta">{" ".join(meta)}</p>\n')
    if paper.abstract:
        out.append(f'  <p class="snippet">{render_snippet(paper.abstract, words)}</p>\n')
    out.append("</li>\n")
    # Safe: see the module docstring; `paper.year` is an integer.
    return mark_safe("".join(out))
