"""Old slugs keep working: a merged-away or renamed person's, venue's or
award's URLs answer 301 to the current ones.

Written by merges (`record_merge`) and by every save that changes a slug
(`slug_changed`, from SluggedModel.save, so the admin and any other writer
are covered). Read only where a URL names nothing: the 404 of a page, feed or
API resource (`SlugRedirectMiddleware`), and the paper list's, exports' and
API's `author`/`venue`/`award` values that name no one (`moved_list_url`).
A page that works never queries the table.

A live slug always wins: a new row may take a slug that once belonged to
another (slugs are suffixed only on a collision with a live row, CONTRACT.md),
and the old redirect then lies dormant, since it is only read on a 404.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

from django.apps import apps
from django.db.models import OuterRef, Subquery
from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse

from core.models import SlugRedirect

# The URL names whose `slug` names a row of these models.
REDIRECTED_VIEWS = {
    "people:detail": "people.person",
    "catalog:person-feed": "people.person",
    "api:person-detail": "people.person",
    "venues:detail": "venues.venue",
    "catalog:venue-feed": "venues.venue",
    "api:venue-detail": "venues.venue",
    "catalog:award-detail": "catalog.award",
    "catalog:award-feed": "catalog.award",
    "api:award-detail": "catalog.award",
}
# The paper list's parameters that name rows of these models (catalog/filters.py).
LIST_PARAMETERS = {
    "author": "people.person",
    "venue": "venues.venue",
    "award": "catalog.award",
}


def _label(model) -> str:
    return model._meta.label_lower


def slug_changed(instance, old_slug: str | None) -> None:
    """`instance` moved from `old_slug` to its current slug: the old one now
    leads to it. A slug it takes back stops redirecting (no loop)."""
    if not old_slug:
        return
    label = _label(type(instance))
    SlugRedirect.objects.filter(model=label, old_slug=instance.slug).delete()
    SlugRedirect.objects.update_or_create(
        model=label, old_slug=old_slug, defaults={"target_id": instance.pk}
    )


def record_merge(keep, others: Iterable) -> None:
    """`others` are being merged into `keep`: their slugs, and every old slug
    that led to them, now lead to `keep`. Call before deleting `others`."""
    others = list(others)
    label = _label(type(keep))
    other_ids = [other.pk for other in others]
    SlugRedirect.objects.filter(model=label, target_id__in=other_ids).update(target_id=keep.pk)
    for other in others:
        SlugRedirect.objects.update_or_create(
            model=label, old_slug=other.slug, defaults={"target_id": keep.pk}
        )


def current_slugs(label: str, slugs: Iterable[str]) -> dict[str, str]:
    """Old slug → current slug for those of `slugs` that moved. One query."""
    model = apps.get_model(label)
    slugs = set(slugs)
    if not slugs:
        return {}
    target_slug = model._default_manager.filter(pk=OuterRef("target_id")).values("slug")[:1]
    rows = (
        SlugRedirect.objects.filter(model=label, old_slug__in=slugs)
        .annotate(current=Subquery(target_slug))
        .values_list("old_slug", "current")
    )
    # A target deleted since has no slug; one equal to the old slug would loop.
    return {old: new for old, new in rows if new and new != old}


def moved_list_url(request, unknown: Mapping[str, Iterable[str]]) -> str | None:
    """The request's URL with every moved slug among `unknown` (parameter →
    slugs that named nothing) replaced by its current one, all other
    parameters kept in order; None when none of them moved."""
    replacements = {}
    for parameter, slugs in unknown.items():
        moved = current_slugs(LIST_PARAMETERS[parameter], slugs) if slugs else {}
        replacements.update({(parameter, old): new for old, new in moved.items()})
    if not replacements:
        return None
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    query = urlencode([(key, replacements.get((key, value), value)) for key, value in pairs])
    return f"{request.path}?{query}"


def moved_list_response(request, unknown: Mapping[str, Iterable[str]]):
    """A 301 to moved_list_url(), or None."""
    url = moved_list_url(request, unknown)
    return HttpResponsePermanentRedirect(url) if url else None


class SlugRedirectMiddleware:
    """Turns the 404 of a page, feed or API resource whose slug moved into a
    301 to the current URL (the query string kept). Only 404s are looked at,
    so the normal path costs nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        moved = self.redirect(request)
        if moved is None:
            return response
        # The API's answers carry CORS headers: a browser client must be
        # allowed to follow the redirect too.
        for header in ("Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
            if header in response:
                moved[header] = response[header]
        return moved

    @staticmethod
    def redirect(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        label = REDIRECTED_VIEWS.get(match.view_name)
        slug = match.kwargs.get("slug")
        if label is None or not slug:
            return None
        current = current_slugs(label, [slug]).get(slug)
        if current is None:
            return None
        url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "slug": current})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
