"""Shared pieces of the security tests: the public URLs (discovered from the
URLconf) and an HTML checker for the CSP rules (the seed catalog, `seed`, is
in tests/conftest.py)."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Award, Paper
from people.models import Person
from venues.models import Venue


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def public_routes() -> list[str]:
    """Every route of the URLconf outside the admin, as written (`papers/<slug:slug>/`,
    `^papers/export\\.(?P<extension>bib|ris|json)$`)."""
    routes = [route.replace("^", "").replace("$", "") for route, _ in _routes(get_resolver())]
    return sorted(route for route in routes if not route.startswith("admin/"))


# The object whose slug fills a route's slug, chosen by the collection in the route.
_SLUG_SOURCES = {"papers/": Paper, "people/": Person, "venues/": Venue, "awards/": Award}
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")


def public_urls(slugs: dict | None = None) -> list[str]:
    """Concrete URLs for every public route: slugs from `slugs` ({Paper: [slug, ...]})
    or else the catalog's first paper, person, venue, award; regex alternatives
    (`bib|ris|json`) expanded."""
    slugs = slugs or {}
    urls = []
    for route in public_routes():
        if route.endswith("<path:rest>"):
            continue  # a catch-all that answers 404 (the API's unknown paths): no page to fill
        choices: dict[str, list[str]] = {}

        def placeholder(match, choices=choices):
            if re.fullmatch(r"\w+(\|\w+)*", match["body"]):
                choices[match["name"]] = match["body"].split("|")
            return "{" + match["name"] + "}"

        template = _REGEX_GROUP.sub(placeholder, route).replace("\\.", ".")
        template = _CONVERTER.sub(lambda match: "{" + match["name"] + "}", template)
        names = re.findall(r"\{(\w+)\}", template)
        for name in names:
            if name == "slug":
                # `papers/{slug}/`, `papers/{slug}.bib`, `feeds/people/{slug}/`: the
                # collection named last before the slug.
                head = template.split("{slug}")[0]
                model = next((m for pre, m in _SLUG_SOURCES.items() if head.endswith(pre)), None)
                slug = model and (
                    slugs.get(model)
                    or model.objects.order_by("pk").values_list("slug", flat=True)[:1]
                )
                if not slug:
                    raise AssertionError(f"tests/security/conftest.py: no slug for {route}")
                choices["slug"] = list(slug)
            elif name not in choices:
                raise AssertionError(f"teach tests/security/conftest.py to fill in {route}")
        for values in itertools.product(*(choices[name] for name in names)):
            urls.append("/" + template.format(**dict(zip(names, values, strict=True))))
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
