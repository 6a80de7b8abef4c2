"""Template filters for listing text: LaTeX as MathML, search words marked."""

from django import template
from django.utils.safestring import mark_safe

from catalog.facet_html import facets_html
from catalog.list_html import list_body, list_head, list_title
from catalog.paper_rows import rows_html, shown_rows
from catalog.rendering import highlight_text, plain_text, render_rich_text, render_snippet

register = template.Library()


@register.filter
def rich_text(text, words=()):
    """Listing text as safe HTML with its LaTeX rendered (and `words` marked)."""
    return render_rich_text(text or "", words or ())


@register.filter
def snippet(text, words=()):
    """About one line of an abstract, around the first search match."""
    return render_snippet(text or "", words or ())


@register.filter
def highlight(text, words=()):
    """Plain text escaped, with `words` in <mark>."""
    # Safe: highlight_text escapes the text before adding <mark>.
    return mark_safe(highlight_text(str(text or ""), words or ()))


@register.filter
def plain(text):
    """Listing text without LaTeX markup (for <title>); autoescaped as usual."""
    return plain_text(text or "")


@register.simple_tag(takes_context=True)
def paper_rows(context, papers, heading=3):
    """Papers (from Paper.objects.for_list()) as list rows, with the page's
    search words marked: prepared once each and written in Python
    (catalog/paper_rows.py)."""
    return rows_html(shown_rows(papers, context.get("search_words") or ()), heading)


@register.simple_tag
def facets_sidebar(facets):
    """The list's facets (catalog.facets.facet_entries()) as the sidebar,
    written in Python (catalog/facet_html.py)."""
    return facets_html(facets)


@register.simple_tag(takes_context=True)
def paper_list_body(context):
    """The paper list's content block, written in Python (catalog/list_html.py)."""
    return list_body(context)


@register.simple_tag(takes_context=True)
def paper_list_title(context):
    """The paper list's title block (catalog/list_html.py)."""
    return list_title(context)


@register.simple_tag(takes_context=True)
def paper_list_head(context):
    """The paper list's head block: the facets' script, the description."""
    return list_head(context)
