"""A loopback HTTP server that replays captured portal responses and records what it was asked.

    server.sample("/catalog.rdf", "ods-capatlantique-catalog-exports-dcat.rdf")
    server.route("/api", body=b"...", status=500, headers={"Retry-After": "1"})
    server.route("/api", query={"start": "100"}, body=b"...")    # more specific query wins
    server.route("/slow", body=b"...", delay=2.0)
    server.route("/dyn", handler=lambda request: Reply(body=...))
    server.url("/catalog.rdf")                                   # http://127.0.0.1:PORT/catalog.rdf
    server.requests                                              # every request, in order

Samples are read from ``../shared/reference/samples/`` at serve time and never copied into the repository;
``rewrite`` replaces byte strings in a body as it is served (e.g. a sample's next-page link, so that it
points at this server). Only 127.0.0.1 is ever bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_ROOT.parent / "shared" / "reference" / "samples"

_CONTENT_TYPES = {
    ".rdf": "application/rdf+xml",
    ".xml": "application/rdf+xml",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """Header names lower-cased."""
    body: bytes

    def param(self, name: str) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """What the server answers to one request."""

    body: bytes = b""
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""


Handler = Callable[[RecordedRequest], Reply]


@dataclass
class _Route:
    path: str
    query: Mapping[str, str]
    replies: list[Reply | Handler]
    served: int = 0

    def matches(self, request: RecordedRequest) -> bool:
        return request.path == self.path and all(
            request.param(name) == value for name, value in self.query.items()
        )

    def next_reply(self, request: RecordedRequest) -> Reply:
        """The replies in turn; the last one is repeated once the others are used up."""
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply(request) if callable(reply) else reply


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 with routes chosen by each test."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self.requests: list[RecordedRequest] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(
        self,
        path: str,
        *,
        body: bytes = b"",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        delay: float = 0.0,
        query: Mapping[str, str] | None = None,
        handler: Handler | None = None,
        replies: Sequence[Reply | Handler] | None = None,
    ) -> None:
        """Serve ``body`` (or ``handler``'s reply, or ``replies`` in turn) at ``path``.

        ``query`` restricts the route to requests carrying those parameters; the route that names the most
        parameters wins, and a later route replaces an earlier one with the same path and query.
        """
        all_headers = dict(headers or {})
        if content_type is not None:
            all_headers["Content-Type"] = content_type
        if replies is None:
            replies = [handler] if handler is not None else [Reply(body, status, all_headers, delay)]
        new = _Route(path, dict(query or {}), list(replies))
        with self._lock:
            self._routes = [r for r in self._routes if (r.path, r.query) != (new.path, new.query)]
            self._routes.append(new)

    def sample(
        self,
        path: str,
        name: str,
        *,
        content_type: str | None = None,
        rewrite: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> None:
        """Serve the reference sample ``name`` at ``path``, read when each request comes in."""
        file = SAMPLES_DIR / name
        if content_type is None:
            content_type = _CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        replacements = {old.encode(): new.encode() for old, new in (rewrite or {}).items()}

        def serve(request: RecordedRequest) -> Reply:
            data = file.read_bytes()
            for old, new in replacements.items():
                data = data.replace(old, new)
            return Reply(data, status, {"Content-Type": content_type})

        self.route(path, query=query, handler=serve)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def _reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            candidates = [r for r in self._routes if r.matches(request)]
            if not candidates:
                return Reply(b"not found", 404, {"Content-Type": "text/plain"})
            route = max(candidates, key=lambda r: len(r.query))
            return route.next_reply(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = RecordedRequest(
                    method=method,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                reply = server._reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if not any(name.lower() == "content-length" for name in reply.headers):
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(reply.body)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_HEAD(self) -> None:
                self._serve("HEAD")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler
