"""Safe fetching: the SSRF guard, the size cap, redirects, errors; against a real loopback server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalog.exceptions import FeedError
from catalog.harvest.http import UnsafeURL, check_url, fetch

BODY = b'<https://a.example/d> <http://purl.org/dc/terms/title> "x" .\n'


class _Handler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        if self.path == "/feed.nt":
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path.startswith("/hop/"):
            n = int(self.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}" if n < 20 else "/feed.nt")
            self.end_headers()
        elif self.path == "/to-internal":
            self.send_response(302)
            self.send_header("Location", "http://10.1.2.3/feed.nt")
            self.end_headers()
        elif self.path == "/big":
            self.send_response(200)
            self.end_headers()  # no Content-Length: the cap must work on the stream
            self.wfile.write(b"x" * 50_000)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://[::1]/feed",
        "http://10.0.0.8/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/feed",
        "http://0.0.0.0/feed",
        "http://224.0.0.1/feed",
    ],
)
def test_internal_addresses_are_refused_without_a_request(url: str) -> None:
    with pytest.raises(UnsafeURL, match="internal address"):
        check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x", "/relative"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(UnsafeURL, match="only http and https"):
        check_url(url)


def test_loopback_is_refused_by_default_even_for_a_live_server(server: str) -> None:
    before = _Handler.hits
    with pytest.raises(UnsafeURL):
        fetch(f"{server}/feed.nt", max_bytes=1000)
    assert _Handler.hits == before


def test_fetch_when_private_networks_are_allowed(server: str) -> None:
    result = fetch(f"{server}/feed.nt", max_bytes=1000, allow_private_networks=True)
    assert result.content == BODY
    assert result.content_type == "application/n-triples"


def test_redirects_are_followed_and_limited(server: str) -> None:
    result = fetch(f"{server}/hop/18", max_bytes=1000, allow_private_networks=True)
    assert result.url.endswith("/feed.nt")
    with pytest.raises(FeedError, match="more than 5 redirects"):
        fetch(f"{server}/hop/0", max_bytes=1000, allow_private_networks=True)


def test_size_cap_applies_to_a_streamed_body(server: str) -> None:
    with pytest.raises(FeedError, match="larger than the limit of 10000 bytes"):
        fetch(f"{server}/big", max_bytes=10_000, allow_private_networks=True)
    with pytest.raises(FeedError, match="larger than the limit"):
        fetch(f"{server}/feed.nt", max_bytes=10, allow_private_networks=True)


def test_http_errors_and_unreachable_ports_are_feed_errors(server: str) -> None:
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch(f"{server}/missing", max_bytes=1000, allow_private_networks=True)
    with pytest.raises(FeedError, match="cannot fetch"):
        fetch("http://127.0.0.1:9/feed", max_bytes=1000, allow_private_networks=True, timeout=2)
