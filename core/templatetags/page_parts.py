"""`{% pagination_nav %}` and `{% exports_and_feed %}`: the pagination and the
export links under a list, written in Python (includes/pagination.html and
includes/exports_and_feed.html call them).

Every list page shows both; through the template language they were two
includes of a dozen nodes, two {% querystring %} copies of the request's
parameters and as many lookups, about as much as the site's header. Here
each is one function, the same HTML; the page links are encoded without
copying the parameters (core.querystrings.with_page()).

The include files end in the newline their templates ended in.

Every value is escaped: URLs (a visitor's parameters) and names with
conditional_escape(), as the templates' autoescaping did; numbers are
integers.
"""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from core.querystrings import with_page

register = template.Library()

PREVIOUS = '<span class="visually-hidden"> page</span>'


@register.simple_tag(takes_context=True)
def pagination_nav(context):
    page = context.get("page_obj")
    if not page or not page.has_other_pages():
        return SafeString("")
    parts = ['\n<nav class="pagination" aria-label="Pagination">\n  <ul>\n    ']
    if page.has_previous():
        url = conditional_escape(with_page(context.request.GET, page.previous_page_number()))
        parts.append(f'\n    <li><a href="{url}" rel="prev">← Previous{PREVIOUS}</a></li>\n    ')
    about = "about " if getattr(page.paginator, "estimated", False) else ""
    parts.append(
        f'\n    <li aria-current="page">Page {int(page.number):d} of {about}'
        f"{int(page.paginator.num_pages):,d}</li>\n    "
    )
    if page.has_next():
        url = conditional_escape(with_page(context.request.GET, page.next_page_number()))
        parts.append(f'\n    <li><a href="{url}" rel="next">Next{PREVIOUS} →</a></li>\n    ')
    parts.append("\n  </ul>\n</nav>\n")  # and the include's own last newline
    # Safe: the URLs are escaped above, the rest are integers and constants.
    return SafeString("".join(parts))


@register.simple_tag(takes_context=True)
def exports_and_feed(context):
    subject, total = context.get("subject"), context.get("total")
    if subject:
        what = f"{conditional_escape(subject)}'s papers"
    elif total and context.get("total_estimated"):
        what = f"all matching papers (about {int(total):,d})"
    elif total:
        what = f"all {int(total):,d} matching paper{pluralize(total)}"
    else:
        what = "these papers"
    links = " · ".join(
        f'<a href="{conditional_escape(url)}" download>{conditional_escape(label)}</a>'
        for label, url in context.get("exports") or ()
    )
    feed_url = context.get("feed_url")
    feed = ""
    if feed_url:
        feed = (
            f'\n  · <a href="{conditional_escape(feed_url)}" '
            'type="application/atom+xml">Atom feed</a>'
        )
    # Safe: every value is escaped above, or an integer or a constant.
    return SafeString(f'<p class="feed-links">Export {what}:\n  {links}{feed}</p>')
