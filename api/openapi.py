"""The OpenAPI 3.1 document of the API, written by hand.

Kept true by the tests: openapi-spec-validator checks it is a valid
document, and schemathesis calls every operation with generated parameters
and checks status codes, content types, headers and bodies against it.
"""

from __future__ import annotations

from api.adapter import LIST_PARAMETERS
from catalog.filters import MAX_SLUGS, SORTS
from catalog.models import EARLIEST_YEAR, LATEST_STORABLE_YEAR
from catalog.search import MAX_QUERY_LENGTH

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"], "minimum": 0}
URL = {"type": "string", "format": "uri"}
# Text parameters: anything but a NUL byte (which the API refuses).
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}
NAMED = {
    "type": "object",
    "required": ["name", "slug"],
    "properties": {"name": {"type": "string"}, "slug": {"type": "string"}},
    "additionalProperties": False,
}


def _object(properties: dict, **extra) -> dict:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


PAPER = _object(
    {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "abstract": {"type": "string"},
        "year": NULLABLE_INTEGER,
        "date": {"type": ["string", "null"], "format": "date"},
        "venue": {"oneOf": [NAMED, {"type": "null"}]},
        "authors": {
            "type": "array",
            "description": "In author order; authors whose place is unknown come last.",
            "items": _object(
                {
                    "name": {"type": "string"},
                    "slug": {"type": "string"},
                    "equal_contribution": {"type": "boolean"},
                    "position": {"type": ["integer", "null"], "minimum": 1},
                }
            ),
        },
        "authors_complete": {"type": "boolean"},
        "author_count": NULLABLE_INTEGER,
        "arxiv_id": NULLABLE_STRING,
        "doi": NULLABLE_STRING,
        "url": NULLABLE_STRING,
        "awards": {"type": "array", "items": NAMED},
        "upvotes": NULLABLE_INTEGER,
        "page_url": URL,
        "bibtex_url": URL,
        "api_url": URL,
    }
)

INDEX_LINKS = {"page_url": URL, "api_url": URL, "papers_url": URL}
PERSON = _object(
    {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "orcid": NULLABLE_STRING,
        "paper_count": {"type": "integer", "minimum": 0},
        **INDEX_LINKS,
    }
)
VENUE = _object(
    {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "full_name": NULLABLE_STRING,
        "kind": {"type": "string"},
        "url": NULLABLE_STRING,
        "paper_count": {"type": "integer", "minimum": 0},
        **INDEX_LINKS,
    }
)
AWARD = _object(
    {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "paper_count": {"type": "integer", "minimum": 0},
        **INDEX_LINKS,
    }
)
ALIASES = {"aliases": {"type": "array", "items": {"type": "string"}}}

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "For each bad parameter, what was wrong with it.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def _page_of(item: str) -> dict:
    return _object(
        {
            "count": {"type": "integer", "minimum": 0},
            "next": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The next page's URL (with its cursor), null on the last page.",
            },
            "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        }
    )


def _query(name: str, schema: dict, description: str) -> dict:
    parameter = {"name": name, "in": "query", "schema": schema, "description": description}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    return parameter


YEAR = {"type": "integer", "minimum": EARLIEST_YEAR, "maximum": LATEST_STORABLE_YEAR}
SLUGS = {"type": "array", "items": TEXT, "maxItems": MAX_SLUGS}
LIST_QUERY = [
    _query(
        "q",
        {**TEXT, "maxLength": MAX_QUERY_LENGTH},
        "Search: papers with every word in the title, author names or abstract.",
    ),
    _query("venue", SLUGS, "Venue slugs (repeatable): papers in any of them."),
    _query("year", YEAR, "Papers of this year."),
    _query("year_from", YEAR, "Papers of this year or later."),
    _query("year_to", YEAR, "Papers of this year or earlier."),
    _query("author", SLUGS, "Person slugs (repeatable): papers by all of them."),
    _query("award", TEXT, "An award slug."),
    _query(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        "The order: newest (default), oldest, title, upvotes, or relevance (the default "
        "with `q`; without `q` it is newest).",
    ),
]
PAGE_QUERY = [
    _query(
        "cursor",
        {"type": "string"},
        "Opaque: where the previous page ended. Take it from `next`; it is only valid "
        "with the parameters it was made with. Sorted by relevance, it is a position: "
        "a paper added meanwhile may make the next page repeat one.",
    ),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Default 25."),
]
assert [p["name"] for p in LIST_QUERY] == list(LIST_PARAMETERS)

CACHE_HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "The catalog's version."},
    "Last-Modified": {"schema": {"type": "string"}, "description": "When the catalog changed."},
}


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "headers": CACHE_HEADERS,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


NOT_MODIFIED = {"description": "Not modified since the ETag or date the client sent."}


def _list(tag: str, summary: str, item: str, query: list) -> dict:
    return {
        "get": {
            "tags": [tag],
            "summary": summary,
            "operationId": f"list_{tag}",
            "parameters": query + PAGE_QUERY,
            "responses": {
                "200": _json(f"{item}Page", "A page of results."),
                "304": NOT_MODIFIED,
                "400": _problem("A bad parameter; `errors` says which and why."),
            },
        }
    }


def _detail(tag: str, noun: str, item: str) -> dict:
    return {
        "get": {
            "tags": [tag],
            "summary": f"One {noun}, by slug",
            "operationId": f"get_{noun}",
            "parameters": [
                {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": _json(item, f"The {noun}."),
                "304": NOT_MODIFIED,
                "400": _problem("A bad parameter."),
                "404": _problem(f"No {noun} has this slug."),
            },
        }
    }


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Papershelf API",
            "version": "1.0.0",
            "description": (
                "Read-only, public. Lists take the paper list's parameters and page by "
                "cursor (`next`). Answers carry an ETag and Last-Modified from the "
                "catalog's version (send If-None-Match for a 304) and may be cached for a "
                "minute. Any origin may call it (CORS). Errors are problem+json. "
                "Harvesters: OAI-PMH 2.0 at /oai."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/papers": _list("papers", "Papers, as the paper list", "Paper", LIST_QUERY),
            "/api/v1/papers/{slug}": _detail("papers", "paper", "Paper"),
            "/api/v1/people": _list("people", "People, by name", "Person", []),
            "/api/v1/people/{slug}": _detail("people", "person", "PersonDetail"),
            "/api/v1/venues": _list("venues", "Venues, by name", "Venue", []),
            "/api/v1/venues/{slug}": _detail("venues", "venue", "VenueDetail"),
            "/api/v1/awards": _list("awards", "Awards, by name", "Award", []),
            "/api/v1/awards/{slug}": _detail("awards", "award", "Award"),
        },
        "components": {
            "schemas": {
                "Paper": PAPER,
                "PaperPage": _page_of("Paper"),
                "Person": PERSON,
                "PersonDetail": {
                    **PERSON,
                    "required": [*PERSON["required"], "aliases"],
                    "properties": {**PERSON["properties"], **ALIASES},
                },
                "PersonPage": _page_of("Person"),
                "Venue": VENUE,
                "VenueDetail": {
                    **VENUE,
                    "required": [*VENUE["required"], "aliases"],
                    "properties": {**VENUE["properties"], **ALIASES},
                },
                "VenuePage": _page_of("Venue"),
                "Award": AWARD,
                "AwardPage": _page_of("Award"),
                "Problem": PROBLEM,
            }
        },
    }
