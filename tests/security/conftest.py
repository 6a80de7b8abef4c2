"""Shared pieces of the security tests (issue 6): the seed catalog, the public
URLs (discovered from the URLconf), and an HTML checker for the CSP rules."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Award, Paper
from people.models import Person
from venues.models import Venue

SEED = Path(settings.BASE_DIR) / "fixtures" / "catalog.json"


@pytest.fixture
def seed(db):
    call_command("load_catalog", fixture=str(SEED), verbosity=0)


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def public_routes() -> list[str]:
    """Every route of the URLconf outside the admin, as written (`papers/<slug:slug>/`)."""
    return sorted(
        route
        for route, _ in _routes(get_resolver())
        if not route.startswith("admin/") and "(?P" not in route and not route.startswith("^")
    )


# The object whose slug fills a route's <slug>, chosen by the collection in the route.
_SLUG_SOURCES = {"papers/": Paper, "people/": Person, "venues/": Venue, "awards/": Award}


def public_urls() -> list[str]:
    """Concrete URLs for every public route, slugs taken from the seed catalog."""
    urls = []
    for route in public_routes():
        if "<" not in route:
            urls.append("/" + route)
            continue
        names = [part.split(">")[0].split(":")[-1] for part in route.split("<")[1:]]
        if names != ["slug"]:
            raise AssertionError(f"teach tests/security/conftest.py to fill in {route}")
        # `papers/<slug>/`, `papers/<slug>.bib`, `feeds/people/<slug>/`: the
        # collection named last before the slug.
        head = route.split("<")[0]
        model = next(
            (m for prefix, m in _SLUG_SOURCES.items() if head.endswith(prefix)),
            None,
        )
        if model is None:
            raise AssertionError(f"teach tests/security/conftest.py which slug fits {route}")
        slug = model.objects.order_by("pk").values_list("slug", flat=True).first()
        urls.append("/" + route.replace("<slug:slug>", slug).replace("<slug>", slug))
    return urls


class InlineCodeFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        # Data blocks (JSON-LD) are never executed, so CSP leaves them alone.
        if (
            tag == "script"
            and not attributes.get("src")
            and attributes.get("type") not in ("application/ld+json", "application/json")
        ):
            self.problems.append("inline <script>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
