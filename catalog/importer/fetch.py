"""A small, polite HTTP client for the identifier lookups.

GET only, with what arXiv and the DOI resolver ask of clients: a User-Agent
that says who is calling, one request at a time with a minimum interval,
Retry-After honoured on 429 and 503, and a few retries with backoff on
timeouts and server errors. The standard library's urllib does all of it; a
third-party client would add nothing these two endpoints need.

sleep and clock are parameters so that tests can record the waits instead
of waiting.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A metadata record is kilobytes; anything near this is not one.
MAX_RESPONSE_BYTES = 10_000_000


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


class FetchError(Exception):
    """A request that failed for good (after any retries); the message says why
    in words staff can act on."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


def user_agent(contact_email: str) -> str:
    """ "Papershelf/0.1 (mailto:lab@example.org)": who calls, and how to reach them."""
    contact = f"mailto:{contact_email}" if contact_email else "no contact configured"
    return f"Papershelf/0.1 (publication catalog; {contact})"


class HttpClient:
    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        retries: int = 3,
        backoff: float = 2.0,
        min_interval: float = 0.0,
        max_wait: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.min_interval = min_interval
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._last_request: float | None = None

    def get(self, url: str, *, accept: str) -> Response:
        """The response to GET url; FetchError when there is none worth reading."""
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": accept}
        )
        attempt = 0
        while True:
            self._wait_turn()
            try:
                return self._fetch(request)
            except urllib.error.HTTPError as error:
                wait = self._retry_wait(error, attempt)
                if wait is None:
                    raise _http_failure(error) from None
            except (OSError, http.client.HTTPException) as error:
                if attempt >= self.retries:
                    raise _network_failure(error, self.timeout) from None
                wait = self.backoff * 2**attempt
            attempt += 1
            self.sleep(wait)

    def _wait_turn(self) -> None:
        """Keep min_interval between the starts of two requests."""
        if self._last_request is not None:
            wait = self._last_request + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request = self.clock()

    def _fetch(self, request: urllib.request.Request) -> Response:
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            body = answer.read(MAX_RESPONSE_BYTES + 1)
            if len(body) > MAX_RESPONSE_BYTES:
                raise FetchError(
                    f"the answer is larger than {MAX_RESPONSE_BYTES // 1_000_000} MB; "
                    "not a metadata record"
                )
            return Response(answer.geturl(), answer.status, answer.headers.get_content_type(), body)

    def _retry_wait(self, error: urllib.error.HTTPError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or None when not to retry."""
        if error.code not in RETRY_STATUSES or attempt >= self.retries:
            return None
        asked = retry_after_seconds(error.headers.get("Retry-After"))
        wait = asked if asked is not None else self.backoff * 2**attempt
        if wait > self.max_wait:
            raise FetchError(
                f"the server is busy (HTTP {error.code}) and asks to wait {wait:.0f} s; "
                "try again later",
                status=error.code,
            )
        return wait


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _http_failure(error: urllib.error.HTTPError) -> FetchError:
    if error.code == 404:
        return FetchError("not found (HTTP 404)", status=404)
    if error.code in RETRY_STATUSES:
        return FetchError(f"the server kept failing (HTTP {error.code})", status=error.code)
    return FetchError(f"refused (HTTP {error.code} {error.reason})", status=error.code)


def _network_failure(error: Exception, timeout: float) -> FetchError:
    reason = getattr(error, "reason", error)
    if isinstance(reason, TimeoutError | socket.timeout):
        return FetchError(f"no answer within {timeout:g} s (timed out, retried)")
    return FetchError(f"cannot connect ({reason})")
