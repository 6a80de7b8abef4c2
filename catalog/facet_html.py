"""The paper list's facets sidebar as HTML, written in Python.

A list of distinct filters renders its facets once (the fragment is cached
per catalog version and parameters, but a combination asked once gains
nothing from that): about a hundred entries, each a link with a label, a
count and its state. Through two templates (an include per facet, a dozen
nodes per entry) that cost about as much as the page's rows; strung
together here it is a string join per entry.

Every value is escaped: labels (names from the catalog) and URLs with
html.escape, which is what the templates' autoescaping calls (without its
lazy-string wrapper); counts and sample sizes are integers.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

# (facet key, heading, id), in the order the sidebar shows them.
FACETS = (
    ("venues", "Venues", "facet-venues"),
    ("years", "Years", "facet-years"),
    ("awards", "Awards", "facet-awards"),
    ("authors", "Top authors", "facet-authors"),
)
ACTIVE = ' class="active" aria-current="true"'
SELECTED = '<span class="visually-hidden"> (selected; select to remove)</span>'
ABOUT = '<abbr title="estimated">about</abbr> '


def _entry(entry) -> str:
    """One entry (catalog.facets.FacetEntry) as a list item."""
    active = entry.active
    return (
        f'    <li><a href="{escape(entry.url)}"{ACTIVE if active else ""}>'
        f'<span class="label">{escape(entry.label)}</span> '
        f'<span class="count">{ABOUT if entry.estimated else ""}{int(entry.count):,d}</span>'
        f"{SELECTED if active else ''}</a></li>\n"
    )


def _facet(entries, title: str, html_id: str, sample) -> str:
    if not entries:
        return ""
    note = ""
    if sample:
        newest = f"Estimated from the newest {int(sample):,d} of these papers."
        note = f'  <p class="facet-note">{newest}</p>\n'
    return (
        f'<section class="facet" aria-labelledby="{html_id}">\n'
        f'  <h3 id="{html_id}">{title}</h3>\n{note}  <ul>\n'
        f"{''.join(_entry(entry) for entry in entries)}  </ul>\n</section>\n"
    )


def facets_html(facets: dict) -> SafeString:
    """The sidebar for facet_entries()'s result (`facets`): a section per
    facet that has entries, with the note of an estimated one."""
    samples = facets.get("samples") or {}
    sections = "".join(
        _facet(facets[key], title, html_id, samples.get(key)) for key, title, html_id in FACETS
    )
    # Safe: every value in it was escaped above, or is an integer or a constant.
    return mark_safe(
        '<aside class="facets" aria-labelledby="facets-heading">\n'
        '  <h2 id="facets-heading">Narrow down</h2>\n'
        f"{sections}</aside>"
    )
