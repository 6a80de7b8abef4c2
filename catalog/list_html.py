"""The paper list's page body, title and head, written in Python:
`{% paper_list_body %}`, `{% paper_list_title %}`, `{% paper_list_head %}`.

Every list of distinct filters renders its page once, and the rows and the
facets sidebar were already strings built here (catalog/paper_rows.py,
catalog/facet_html.py); what the template still did around them (the
filter form, the chips, the count and sort links, pagination, exports and
the cached facets fragment) was some eighty nodes, their lookups and
autoescaping: a tenth of a filter page's Python time. The title and the
head's description (a loop over the chips, a dozen nodes) cost a fifth of
a millisecond more. This is the same HTML, byte for byte
(tests/browsing/test_list_body.py renders both).

Every value is escaped as the templates' autoescaping escapes it
(conditional_escape(): safe strings as they are, anything else escaped);
numbers are integers, the rest constants.
"""

from __future__ import annotations

import functools

from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.utils import make_template_fragment_key
from django.template.defaultfilters import pluralize
from django.templatetags.static import static
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from catalog.facet_html import facets_html
from catalog.paper_rows import rows_html, shown_rows
from core.slugs import fixed_url
from core.templatetags.page_parts import exports_and_feed, pagination_nav

CURRENT = ' aria-current="true"'
REMOVE = (
    ' <span aria-hidden="true">\u00d7</span>'
    '<span class="visually-hidden"> (remove this filter)</span>'
)


def _e(value) -> str:
    """`value` as `{{ value }}` shows it."""
    return conditional_escape("" if value is None else value)


def _year_input(name: str, label: str, value) -> str:
    shown = "" if value is None else _e(value)
    return (
        f'        <label for="id_{name}">{label}</label>\n'
        f'        <input type="number" id="id_{name}" name="{name}" inputmode="numeric" '
        f'min="1900" max="2100" value="{shown}">\n'
    )


def _form(context, list_url: str) -> str:
    cleaned = getattr(context["filter"].form, "cleaned_data", {})
    hidden = "".join(
        f'<input type="hidden" name="{_e(key)}" value="{_e(value)}">'
        for key, value in context.get("hidden_filters") or ()
    )
    return (
        f'    <form class="filter-form" method="get" action="{list_url}">\n'
        '      <div class="field">\n'
        '        <label for="id_q">Search titles, authors and abstracts</label>\n'
        '        <input type="search" id="id_q" name="q" '
        f'value="{_e(context.get("search", ""))}" maxlength="200">\n'
        "      </div>\n"
        '      <div class="field year-range">\n'
        f"{_year_input('year_from', 'From year', cleaned.get('year_from'))}"
        f"{_year_input('year_to', 'To year', cleaned.get('year_to'))}"
        "      </div>\n"
        f"      {hidden}\n"
        '      <button type="submit">Search</button>\n'
        "    </form>\n"
    )


def _chips(chips, list_url: str) -> str:
    if not chips:
        return ""
    items = "".join(
        f'<li><a href="{_e(chip.url)}">{_e(chip.label)}{REMOVE}</a></li>' for chip in chips
    )
    return (
        '\n    <div class="chips">\n'
        '      <h3 class="visually-hidden">Active filters</h3>\n'
        "      <ul>\n"
        f"        {items}\n"
        f'        <li><a class="clear" href="{list_url}">Clear all</a></li>\n'
        "      </ul>\n"
        "    </div>\n    "
    )


def _result_bar(context) -> str:
    total = context.get("total")
    if total:
        page = context["page_obj"]
        count = (
            f"{int(page.start_index()):,d}\u2013{int(page.end_index()):,d} of "
            f"{_e(context['total_shown'])} paper{pluralize(total)}"
        )
    else:
        count = "No papers found"
    sorts = "".join(
        f'<li><a href="{_e(url)}"{CURRENT if current else ""}>{_e(label)}</a></li>'
        for label, url, current in context.get("sort_links") or ()
    )
    return (
        '    <div class="result-bar">\n'
        f'      <p class="result-count" role="status">{count}</p>\n'
        '      <nav class="sort" aria-label="Sort">\n'
        "        <span>Sort:</span>\n"
        f"        <ul>{sorts}</ul>\n"
        "      </nav>\n"
        "    </div>\n"
    )


def _rows_or_empty(context, list_url: str) -> str:
    papers = context.get("object_list")
    if papers:
        page = context["page_obj"]
        rows = rows_html(shown_rows(papers, context.get("search_words") or ()), 3)
        exports = exports_and_feed(
            {
                "exports": context.get("export_links"),
                "total": context.get("total"),
                "total_estimated": context.get("total_estimated"),
                "subject": context.get("subject"),
                "feed_url": context.get("feed_url"),
            }
        )
        # The two includes' own newlines, then the template's.
        return (
            f'\n    <ol class="paper-list" start="{int(page.start_index()):d}">\n'
            f"      {rows}\n"
            "    </ol>\n"
            f"    {pagination_nav(context)}\n\n"
            f"    {exports}\n\n    "
        )
    chips = context.get("chips")
    what = "all of these filters" if chips else "this request"
    removals = ""
    if chips:
        items = "".join(
            f'<li><a href="{_e(chip.url)}">Remove {_e(chip.label)}</a></li>' for chip in chips
        )
        removals = (
            "<p>Try removing one of them:</p>\n"
            f"      <ul>{items}</ul>\n"
            f'      <p>Or <a href="{list_url}">show all papers</a>.</p>'
        )
    return (
        '\n    <div class="empty">\n'
        f"      <p>No papers match {what}.</p>\n"
        f"      {removals}\n"
        "    </div>\n    "
    )


def _facets(context) -> str:
    urls = context.get("facets_urls")
    if urls:
        return (
            '\n  <aside class="facets" aria-labelledby="facets-heading" '
            f'data-facets-fragment="{_e(urls["fragment"])}">\n'
            '    <h2 id="facets-heading">Narrow down</h2>\n'
            f'    <p class="facet-note"><a href="{_e(urls["page"])}" rel="nofollow">'
            "Venues, years, awards and top authors of these papers</a></p>\n"
            "  </aside>\n  "
        )
    sidebar = cached_fragment(context, "paper-list-facets", lambda: facets_html(context["facets"]))
    return f"\n  {sidebar}\n  "


def cached_fragment(context, name: str, render) -> str:
    """What `{% cache fragment_timeout NAME catalog_version link_parts %}`
    around `render()`'s HTML gives: the same cache, key and timeout."""
    try:
        cache = caches["template_fragments"]
    except InvalidCacheBackendError:
        cache = caches["default"]
    key = make_template_fragment_key(
        name, [context.get("catalog_version"), context.get("link_parts")]
    )
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, context.get("fragment_timeout"))
    return value


def list_body(context) -> SafeString:
    """The list page's content block for the view's template `context`."""
    list_url = fixed_url("catalog:paper-list")
    parts = [
        "\n<h1>Papers</h1>\n"
        '<div class="browse">\n'
        '  <section class="results" aria-labelledby="results-heading">\n'
        '    <h2 id="results-heading" class="visually-hidden">Results</h2>\n',
        _form(context, list_url),
        "\n    ",
        _chips(context.get("chips"), list_url),
        "\n\n",
        _result_bar(context),
        "\n    ",
        _rows_or_empty(context, list_url),
        "\n  </section>\n\n  ",
        _facets(context),
        "\n</div>\n",
    ]
    # Safe: every value above is escaped, or is an integer, a constant, or
    # HTML built (and escaped) by paper_rows, facet_html and page_parts.
    return SafeString("".join(parts))


def list_title(context) -> SafeString:
    """The list page's title block: the search, then the page past the first."""
    search, page = context.get("search"), context.get("page_obj")
    title = f"\u201c{_e(search)}\u201d \u2014 Papers" if search else "Papers"
    if page is not None and page.number > 1:
        title += f" (page {int(page.number):d})"
    # Safe: the search is escaped, the rest constants and an integer.
    return SafeString(title)


def list_head(context) -> SafeString:
    """The list page's head block: the facets' script when they are deferred,
    and the description (the number of results and the active filters)."""
    total, chips = context.get("total"), context.get("chips")
    described = f"{_e(context['total_shown'])} paper{pluralize(total)}" if total else "No papers"
    if chips:
        described += ": " + "; ".join(_e(chip.label) for chip in chips)
    script = _facets_script() if context.get("facets_urls") else ""
    # Safe: the values are escaped, the rest constants.
    return SafeString(
        f'{script}<meta name="description" content="{described}. Search and filter the '
        'Papershelf catalog by venue, year, author and award, and export citations.">'
    )


@functools.cache
def _facets_script() -> str:
    # The static files' URLs are set once for the process's life.
    return f'<script src="{_e(static("js/facets.js"))}" defer></script>\n'
