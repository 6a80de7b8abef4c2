"""A recorded-response HTTP server on loopback, standing in for arXiv's API
and the DOI resolver: the lookup tests never touch the network."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data" / "lookups"

CONTENT_TYPES = {".xml": "application/atom+xml", ".json": "application/vnd.citationstyles.csl+json"}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    # Seconds to wait before answering (a timeout test's slow server).
    delay: float = 0.0

    @classmethod
    def file(cls, name: str, status: int = 200, **options) -> Reply:
        content_type = CONTENT_TYPES.get(Path(name).suffix, "text/html; charset=utf-8")
        return cls(
            status,
            (DATA / name).read_bytes(),
            {"Content-Type": content_type, **options.pop("headers", {})},
            **options,
        )


@dataclass
class Seen:
    path: str
    headers: dict
    at: float


class LookupServer:
    """Routes are paths with their query ("/api/query?id_list=..."), or bare
    paths; each has a queue of replies, the last one repeated."""

    def __init__(self):
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(Seen(self.path, dict(self.headers), time.monotonic()))
                reply = server.reply_for(self.path)
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (timeout tests)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop's next poll.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def reply_for(self, path: str) -> Reply:
        queue = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
        if not queue:
            return Reply(404, b"<html><body>Not Found</body></html>", {"Content-Type": "text/html"})
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def lookup_server():
    server = LookupServer()
    yield server
    server.close()


def serve_recorded_batch(server: LookupServer, settings) -> LookupServer:
    """Point the app's lookups at `server` (no pause between calls), answering
    the recorded arXiv batch and one DOI: the identifiers that both the
    `import_identifiers` command's tests and the admin's import tests look up."""
    settings.ARXIV_API_URL = server.url + "/api/query"
    settings.DOI_RESOLVER_URL = server.url + "/doi/"
    settings.CONTACT_EMAIL = "lab@example.org"
    settings.ARXIV_REQUEST_INTERVAL = 0
    server.add("/api/query", Reply.file("arxiv_batch.xml"))
    server.add("/doi/10.1002/jcc.26768", Reply.file("csl_crossref_mpnerf.json"))
    return server
