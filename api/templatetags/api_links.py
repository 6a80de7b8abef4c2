"""`{% api_alternate %}`: the page's JSON twin in the API, as a <link rel="alternate">.

In base.html, so pages need no view changes: the twin follows from the page
(the paper list's parameters, or the slug of a detail page's object), which
also keeps cached pages right (they are cached by URL). Error pages (a 404
for an unknown slug) have no object, and so no twin.
"""

from django import template
from django.http import QueryDict
from django.utils.html import format_html

from api.adapter import LIST_PARAMETERS
from core.slugs import fixed_url, slug_url

register = template.Library()

# Page (view name) -> the API endpoint for the same thing.
DETAIL_TWINS = {
    "catalog:paper-detail": "api:paper-detail",
    "people:detail": "api:person-detail",
    "venues:detail": "api:venue-detail",
    "catalog:award-detail": "api:award-detail",
}


def twin_url(request, context) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.view_name == "catalog:paper-list" and context.get("page_obj") is not None:
        # Built from the API's parameters rather than a copy of GET with the
        # rest deleted: copy() deep-copies every value (a third of the tag).
        query = QueryDict(mutable=True)
        for key, values in request.GET.lists():
            if key in LIST_PARAMETERS:
                query.setlist(key, values)
        suffix = f"?{query.urlencode()}" if query else ""
        return fixed_url("api:paper-list") + suffix
    shown = context.get("object")
    if match.view_name in DETAIL_TWINS and getattr(shown, "slug", None):
        return slug_url(DETAIL_TWINS[match.view_name], shown.slug)
    return None


@register.simple_tag(takes_context=True)
def api_alternate(context):
    request = context.get("request")
    url = twin_url(request, context) if request is not None else None
    if url is None:
        return ""
    return format_html(
        '<link rel="alternate" type="application/json" title="This page in the API" href="{}">',
        url,
    )
