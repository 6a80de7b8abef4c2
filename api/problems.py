"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API gives (a bad parameter, an unknown slug or path, a
method it does not allow) is one of these, so a client never has to parse
an HTML error page.
"""

from __future__ import annotations

import json

from django.http import HttpResponse

TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
}


class Problem(Exception):
    """Raised anywhere in a view; the view answers with it."""

    def __init__(self, status: int, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}

    def response(self) -> HttpResponse:
        body = {
            "type": "about:blank",
            "title": TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=self.status,
            content_type="application/problem+json",
        )


def bad_parameters(errors: dict[str, list[str]]) -> Problem:
    detail = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return Problem(400, f"Bad parameters. {detail}", errors=errors)
