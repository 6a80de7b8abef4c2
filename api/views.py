"""The public read-only JSON API, `/api/v1/…`.

Plain Django views rather than a framework: the API is eight read-only
endpoints whose list must be the paper list's own FilterSet and whose
pagination, caching and errors are specific (keyset cursors over the list's
sort, validators from the catalog version, problem+json); a framework's
serializers, paginators and content negotiation would each need overriding
to get there, for no code saved. The OpenAPI document (api/openapi.py) is
written by hand and kept true by the tests (openapi-spec-validator and
schemathesis, tests/api).
"""

from __future__ import annotations

import json

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from api import cursors, serializers
from api.adapter import LIST_PARAMETERS, check_parameters, filtered_papers
from api.freshness import REPRESENTATION, catalog_state
from api.openapi import document
from api.problems import Problem, bad_parameters
from catalog.models import Award
from catalog.selectors import relevance_page_rows_for, result_count
from core.cache import TIMEOUT as CACHE_TIMEOUT
from core.cache import cache_key, consistent_snapshot, get_or_compute, pages_cached
from core.pagination import WALK_MIN_MATCHES
from core.redirects import moved_list_response
from people.models import Person
from venues.models import Venue

PER_PAGE = 25
MAX_PER_PAGE = 100
# Short: clients and shared caches may reuse an answer this long without
# asking; after that the ETag makes asking cheap (a 304 is one query).
MAX_AGE = 60
PAGE_PARAMETERS = ("cursor", "per_page")


def cors(response: HttpResponse) -> HttpResponse:
    """Any origin may read the API (it is public and takes no credentials)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
    return response


def preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = "GET, HEAD"
    response["Access-Control-Allow-Headers"] = "Accept, If-None-Match, If-Modified-Since"
    response["Access-Control-Max-Age"] = "86400"
    return response


def json_text(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def json_response(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")


class Moved(Exception):
    """Raised in a view when the parameters name old slugs: the view answers
    with the 301, before anything is cached."""

    def __init__(self, response: HttpResponse):
        super().__init__(response["Location"])
        self.response = response


# Nothing in the API changes state, and a refused POST must be the API's own
# 405 problem, not the CSRF failure page.
@method_decorator(csrf_exempt, name="dispatch")
class ApiView(View):
    """One API resource: parameters checked, validators from the catalog's
    version (a 304 costs that one query), errors as problem+json, CORS."""

    http_method_names = ["get", "head", "options"]
    parameters: tuple[str, ...] = ()
    # Answers that depend on the catalog carry its validators.
    validated = True
    state = None

    def dispatch(self, request, *args, **kwargs):
        try:
            response = self.answer(request, **kwargs)
        except Problem as problem:
            response = problem.response()
        except Moved as moved:
            response = moved.response
        return cors(response)

    def answer(self, request, **kwargs) -> HttpResponse:
        if request.method == "OPTIONS":
            return preflight()
        if request.method not in ("GET", "HEAD"):
            problem = Problem(405, f"{request.method[:20]} is not allowed: the API is read-only.")
            response = problem.response()
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        check_parameters(request.GET, self.parameters)
        state = catalog_state() if self.looks_up(request) else None
        if state is not None and state.not_modified(request):
            response = HttpResponseNotModified()
        else:
            text = self.cached(request, state)
            if text is None:
                state, text = self.fresh(request, state, **kwargs)
            response = json_response(text)
        if state is not None:
            response["ETag"] = state.etag
            response["Last-Modified"] = state.last_modified
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    def looks_up(self, request) -> bool:
        """Whether the version is read before the answer is built: for a
        conditional request (a 304 needs nothing else) or a cached answer.
        Otherwise the answer's snapshot reads it (fresh()), as pages do
        (core.views.CachedPageMixin): with the cache off, a read apart was
        one round trip more for nothing."""
        if not self.validated:
            return False
        conditional = "if-none-match" in request.headers or "if-modified-since" in request.headers
        return conditional or pages_cached()

    def answer_key(self, request, state) -> str | None:
        """Answers are cached whole until the catalog changes: they depend only
        on the URL (host included: they hold absolute links) and the catalog,
        like the HTML pages cached by core.views.CachedPageMixin."""
        if state is None or not pages_cached():
            return None
        return cache_key("api", state.version, REPRESENTATION, request.build_absolute_uri())

    def cached(self, request, state) -> str | None:
        key = self.answer_key(request, state)
        return cache.get(key) if key else None

    def fresh(self, request, state, **kwargs) -> tuple:
        """The state and the answer built from the database: the version
        read again, with the data, in one snapshot (core.cache)."""
        if not self.validated:
            return state, self.content(request, state, **kwargs)
        with consistent_snapshot() as started:
            if started or state is None:
                state = catalog_state()
            self.state = state
            text = self.content(request, state, **kwargs)
        key = self.answer_key(request, state)
        if key:
            cache.set(key, text, CACHE_TIMEOUT)
        return state, text

    def content(self, request, state, **kwargs) -> str:
        """The answer's JSON text."""
        return json_text(self.data(request, serializers.Links(request), **kwargs))

    def data(self, request, links, **kwargs):
        raise NotImplementedError

    def count(self, kind: str, parts: tuple[str, ...], compute) -> int:
        """A list's total, cached until the catalog changes."""
        version = self.state.version if self.state else None
        return get_or_compute(f"api-count-{kind}", version, parts, compute)


def per_page(params) -> int:
    raw = params.get("per_page")
    if raw is None:
        return PER_PAGE
    # isascii(): str.isdigit() also accepts "³", which int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PER_PAGE:
        raise bad_parameters({"per_page": [f"A whole number from 1 to {MAX_PER_PAGE}."]})
    return int(raw)


def list_answer(
    request, queryset, count: int, serialize, prepare=None, rows_for=None, **ids_first
) -> dict:
    """{"count", "next", "results"} for the page after `?cursor=`;
    `prepare(rows)` runs before the rows are serialized. `rows_for(bottom,
    top)`: the rows by position, for an order cursors cannot key.
    `ids_first`: `ids_from` and `rows_from` (api.cursors.page())."""
    paging = {
        "cursor": request.GET.get("cursor") or None,
        "per_page": per_page(request.GET),
        "bound_to": cursors.binding(request.GET),
    }
    if rows_for is not None:
        rows, cursor = cursors.offset_page(rows_for, **paging)
    else:
        rows, cursor = cursors.page(queryset, **paging, **ids_first)
    next_url = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    if prepare is not None:
        prepare(rows)
    return {"count": count, "next": next_url, "results": [serialize(row) for row in rows]}


class PaperListView(ApiView):
    parameters = LIST_PARAMETERS + PAGE_PARAMETERS

    def data(self, request, links):
        filterset = filtered_papers(request.GET)
        count = self.count("papers", filterset.cache_parts(), lambda: result_count(filterset))
        # Slugs that may name no one: all of them when nothing matched (authors
        # and the award are all-of); venues are any-of, so several are checked
        # even then.
        named = filterset.active().named()
        maybe_unknown = named if count == 0 else {"venue": named["venue"][1:] and named["venue"]}
        moved = moved_list_response(request, maybe_unknown)
        if moved:
            raise Moved(moved)
        # Relevance on PostgreSQL: read by position, as the list page reads it.
        by_relevance = relevance_page_rows_for(filterset, count, serializers.papers_for_api())
        return list_answer(
            request,
            filterset.qs,
            count,
            lambda p: serializers.paper(p, links),
            prepare=serializers.add_relations,
            rows_for=by_relevance and (lambda bottom, top: by_relevance(filterset.qs, bottom, top)),
            **ids_first(filterset, count),
        )


def ids_first(filterset, count: int) -> dict:
    """api.cursors.page()'s ids-first arguments for a big author or award
    result (as the list's paginator walks them, catalog.selectors), else
    none: a small one is cheaper joined than walked for."""
    active = filterset.active()
    if active.search or not (active.authors or active.award) or count < WALK_MIN_MATCHES:
        return {}
    return {"ids_from": filterset.walk_queryset(), "rows_from": serializers.papers_for_api()}


class PaperDetailView(ApiView):
    def data(self, request, links, slug):
        paper = serializers.papers_for_api().filter(slug=slug).first()
        if paper is None:
            raise Problem(404, f"There is no paper {slug!r}.")
        serializers.add_relations([paper])
        return serializers.paper(paper, links)


class IndexListView(ApiView):
    """People, venues or awards, by name, with their numbers of papers."""

    parameters = PAGE_PARAMETERS
    kind = ""

    def queryset(self):
        raise NotImplementedError

    def serialize(self, obj, links):
        raise NotImplementedError

    def data(self, request, links):
        # Case-insensitively ("arXiv" among the As), then by id for ties.
        queryset = self.queryset().order_by(Lower("name"), "id")
        count = self.count(self.kind, (), lambda: queryset.model.objects.count())
        return list_answer(request, queryset, count, lambda obj: self.serialize(obj, links))


class PersonListView(IndexListView):
    kind = "people"

    def queryset(self):
        return Person.objects.with_paper_count().only("name", "slug", "orcid")

    def serialize(self, obj, links):
        return serializers.person(obj, links)


class VenueListView(IndexListView):
    kind = "venues"

    def queryset(self):
        return Venue.objects.with_paper_count().only("name", "slug", "full_name", "kind", "url")

    def serialize(self, obj, links):
        return serializers.venue(obj, links)


class AwardListView(IndexListView):
    kind = "awards"

    def queryset(self):
        return Award.objects.annotate(paper_count=Count("papers"))

    def serialize(self, obj, links):
        return serializers.award(obj, links)


class SlugDetailView(ApiView):
    noun = ""

    def queryset(self):
        raise NotImplementedError

    def serialize(self, obj, links):
        raise NotImplementedError

    def data(self, request, links, slug):
        obj = self.queryset().filter(slug=slug).first()
        if obj is None:
            raise Problem(404, f"There is no {self.noun} {slug!r}.")
        return self.serialize(obj, links)


class PersonDetailView(SlugDetailView):
    noun = "person"

    def queryset(self):
        return Person.objects.with_paper_count().prefetch_related("aliases")

    def serialize(self, obj, links):
        return serializers.person_detail(obj, links)


class VenueDetailView(SlugDetailView):
    noun = "venue"

    def queryset(self):
        return Venue.objects.with_paper_count().prefetch_related("aliases")

    def serialize(self, obj, links):
        return serializers.venue_detail(obj, links)


class AwardDetailView(SlugDetailView):
    noun = "award"

    def queryset(self):
        return Award.objects.annotate(paper_count=Count("papers"))

    def serialize(self, obj, links):
        return serializers.award(obj, links)


class OpenAPIView(ApiView):
    """The OpenAPI 3.1 document; it changes with the code, not the catalog."""

    validated = False

    def content(self, request, state, **kwargs) -> str:
        return json_text(document())


class NotFoundView(ApiView):
    """Any other path under /api/v1/: a problem, not the site's HTML 404."""

    validated = False

    def answer(self, request, **kwargs) -> HttpResponse:
        # Not found whatever the query string: its parameters belong to no endpoint.
        if request.method in ("GET", "HEAD"):
            raise Problem(404, not_found_detail(kwargs["rest"]))
        return super().answer(request, **kwargs)

    def content(self, request, state, rest):
        raise Problem(404, not_found_detail(rest))


def not_found_detail(rest: str) -> str:
    """The 404's message; a known endpoint written with a trailing slash is named."""
    detail = f"There is no API endpoint /api/v1/{rest[:100]}."
    if rest.endswith("/") and rest.count("/") <= 2:
        bare = rest.rstrip("/")
        try:
            match = resolve(f"/api/v1/{bare}")
        except Resolver404:
            return detail
        if match.url_name == "not-found":
            return detail
        detail += f" Did you mean /api/v1/{bare[:100]} (no trailing slash)?"
    return detail


class ApiHomeView(TemplateView):
    """`/api/`: what the API and OAI-PMH offer, with examples (HTML)."""

    template_name = "api/index.html"
