"""Page mixins every app's views share."""

from functools import cached_property

from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse

from core.cache import TIMEOUT, cache_key, catalog_version, consistent_snapshot, pages_cached


class CleanParametersMixin:
    """A NUL byte is never part of a real search or slug, and PostgreSQL
    refuses it in text: answer 400 rather than let it reach the database."""

    def dispatch(self, request, *args, **kwargs):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise BadRequest("NUL characters are not allowed in the query string.")
        return super().dispatch(request, *args, **kwargs)


class CachedPageMixin:
    """For pages that depend only on their URL and the catalog (the same for
    every visitor): served from the cache until the next write to the catalog
    (core/cache.py). Costs one query (the catalog version) when cached.

    `self.catalog_version` is set for the rest of the request, so a page can
    cache its parts by the same version (None: caching is off); templates
    get it too, with the timeout for fragments cached by it:
    `{% cache fragment_timeout name catalog_version … %}` (0, not cached,
    without a version).

    A page built from the database reads the version again, with its data,
    in one snapshot (core.cache.consistent_snapshot), the template's lazy
    querysets included: it is rendered inside. A cached page reads no data,
    so it needs no transaction."""

    catalog_version = None

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)
        looked = pages_cached()
        if looked:
            self.catalog_version = catalog_version()
            content = self.cached_page()
            if content is not None:
                return HttpResponse(content)
        with consistent_snapshot() as fresh:
            if fresh or not looked:
                self.catalog_version = catalog_version()
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        return response

    def head(self, request, *args, **kwargs):
        # A method, not what View.setup() sets without one: self.head =
        # self.get, a bound method in the view's own __dict__, made every
        # view a reference cycle (freed, with all it holds, by the collector).
        return self.get(request, *args, **kwargs)

    def cached_page(self) -> bytes | None:
        """This URL's page as cached for the catalog version (None: not cached)."""
        key = self.page_key()
        return cache.get(key) if key else None

    def page_key(self) -> str | None:
        if self.catalog_version is None or not pages_cached():
            return None
        # The whole URL: pages hold absolute links (canonical, metadata), so
        # one host's or scheme's page must not be served for another.
        return cache_key("page", self.catalog_version, self.absolute_uri)

    @cached_property
    def absolute_uri(self) -> str:
        # The page's key is asked for three times a request (a list page's
        # twice to look it up, once to store it): its URL built once.
        return self.request.build_absolute_uri()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        key = self.page_key()
        if key is not None:

            def store(rendered):
                if rendered.status_code == 200:
                    cache.set(key, rendered.content, TIMEOUT)

            response.add_post_render_callback(store)
        return response

    def get_context_data(self, **kwargs):
        timeout = TIMEOUT if self.catalog_version is not None else 0
        return super().get_context_data(
            catalog_version=self.catalog_version, fragment_timeout=timeout, **kwargs
        )


class IndexSortMixin:
    """An index of named things (people, venues, awards) sorted by `?sort=name`
    (the default) or `?sort=papers` (most papers first; the queryset must
    annotate `paper_count`). A bad value is ignored, and the page says so."""

    index_sorts = {"name": "Name", "papers": "Number of papers"}

    def sort_index(self, queryset):
        requested = self.request.GET.get("sort", "")
        self.sort_key = requested if requested in self.index_sorts else "name"
        self.sort_problem = (
            f"Ignored sort={requested[:40]!r}: use “name” or “papers”."
            if requested and requested not in self.index_sorts
            else ""
        )
        if self.sort_key == "papers":
            return queryset.order_by("-paper_count", "name")
        return queryset.order_by("name")

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        links = []
        for key, label in self.index_sorts.items():
            query["sort"] = key
            links.append((label, "?" + query.urlencode(), key == self.sort_key))
        problems = [self.sort_problem] if self.sort_problem else []
        return super().get_context_data(sort_links=links, problems=problems, **kwargs)
