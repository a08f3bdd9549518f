"""The harvest fetcher against a real loopback server: retries, timeouts, size cap, gzip, charsets,
redirects, per-host concurrency, conditional GET and the paging-loop guard."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from catalog.exceptions import FeedError
from catalog.harvest._fetch_retry import parse_retry_after
from catalog.harvest.fetch import (
    USER_AGENT,
    CachedPage,
    Fetcher,
    FetchError,
    MemoryPageCache,
    NetworkPolicy,
    PagingLoop,
    RetryPolicy,
)

FAST = RetryPolicy(max_attempts=3, backoff=0.01, max_backoff=0.02)
TURTLE = b'<https://a.example/d> <http://purl.org/dc/terms/title> "x" .\n'


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.record(self)
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.reply(404, b"not found")
        else:
            route(self)

    def do_POST(self) -> None:
        self.do_GET()

    def reply(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Callable[[_Handler], None]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def record(self, handler: _Handler) -> None:
        with self.lock:
            self.requests.append((handler.command, handler.path, dict(handler.headers.items())))

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p.split("?", 1)[0] == path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) breaks the pipe: expected


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def fetcher(**options: Any) -> Fetcher:
    options.setdefault("policy", NetworkPolicy.allowing(["127.0.0.1/32"]))
    options.setdefault("retry", FAST)
    return Fetcher(**options)


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def get(url: str, **options: Any) -> Any:
    async with fetcher(**options) as http:
        return await http.get(url)


def sequence(*replies: Callable[[_Handler], None]) -> Callable[[_Handler], None]:
    """A route answering with each reply in turn, the last one for ever after."""
    count = iter(range(1_000_000))

    def route(handler: _Handler) -> None:
        replies[min(next(count), len(replies) - 1)](handler)

    return route


def ok(body: bytes = TURTLE, content_type: str = "text/turtle", **headers: str) -> Callable[[_Handler], None]:
    return lambda h: h.reply(200, body, Content_Type=content_type, **headers)


# -- the basics ---------------------------------------------------------------------------------------


def test_get_returns_body_media_type_and_diagnostics(server: _Server) -> None:
    server.routes["/feed"] = ok(content_type="text/turtle; charset=utf-8")

    async def scenario() -> Fetcher:
        async with fetcher() as http:
            page = await http.get(server.url("/feed"), params={"page": 2, "q": "a b"})
            assert page.content == TURTLE
            assert page.content_type == "text/turtle"
            assert page.status == 200 and page.attempts == 1 and not page.from_cache
            assert page.url == server.url("/feed?page=2&q=a+b")
            return http

    http = run(scenario())
    (entry,) = http.log
    assert (entry.status, entry.bytes, entry.attempts, entry.error) == (200, len(TURTLE), 1, None)
    assert entry.content_type == "text/turtle" and entry.elapsed > 0
    _, path, headers = server.requests[0]
    assert path == "/feed?page=2&q=a+b"
    assert headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("municipal-catalog/")
    assert "text/turtle" in headers["Accept"] and "application/ld+json" in headers["Accept"]
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_caller_headers_override_the_defaults_and_post_sends_a_body(server: _Server) -> None:
    server.routes["/csw"] = ok(b"<ok/>", "application/xml")

    async def scenario() -> None:
        async with fetcher() as http:
            await http.get(server.url("/csw"), headers={"Accept": "application/json"})
            page = await http.post(
                server.url("/csw"), content=b"<GetRecords/>", content_type="application/xml"
            )
            assert page.content == b"<ok/>"

    run(scenario())
    assert server.requests[0][2]["Accept"] == "application/json"
    method, _, headers = server.requests[1]
    assert method == "POST" and headers["Content-Type"] == "application/xml"


# -- retries ------------------------------------------------------------------------------------------


def test_500_then_200_is_retried(server: _Server) -> None:
    server.routes["/flaky"] = sequence(lambda h: h.reply(500, b"oops"), ok())
    page = run(get(server.url("/flaky")))
    assert page.content == TURTLE and page.attempts == 2
    assert server.hits("/flaky") == 2


def test_429_with_retry_after_waits_that_long(server: _Server) -> None:
    server.routes["/busy"] = sequence(lambda h: h.reply(429, Retry_After="1"), ok())
    started = time.monotonic()
    page = run(get(server.url("/busy")))
    waited = time.monotonic() - started
    assert page.attempts == 2
    assert 0.95 <= waited < 2.0


def test_a_retry_after_beyond_the_cap_fails_at_once(server: _Server) -> None:
    server.routes["/maintenance"] = lambda h: h.reply(503, Retry_After="3600")
    started = time.monotonic()
    with pytest.raises(FetchError, match="asks to retry after 3600 s") as caught:
        run(get(server.url("/maintenance")))
    assert time.monotonic() - started < 1
    assert caught.value.status == 503 and server.hits("/maintenance") == 1


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("7") == 7
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_backoff_grows_and_stays_bounded() -> None:
    policy = RetryPolicy(backoff=1, max_backoff=5)
    assert 0.5 <= policy.delay(1) <= 1 and 2 <= policy.delay(3) <= 4
    assert all(2.5 <= policy.delay(10) <= 5 for _ in range(20))
    assert policy.delay(1, retry_after=3) == 3


def test_retries_exhausted_name_the_status_and_url(server: _Server, caplog: pytest.LogCaptureFixture) -> None:
    server.routes["/down"] = lambda h: h.reply(503)
    url = server.url("/down")
    caplog.set_level("INFO", logger="catalog.harvest.fetch")
    with pytest.raises(FetchError, match=r"answered HTTP 503 \(after 3 attempts\)") as caught:
        run(get(url))
    assert caught.value.url == url and caught.value.status == 503 and url in str(caught.value)
    assert server.hits("/down") == 3
    ours = [r for r in caplog.records if r.name == "catalog.harvest.fetch"]  # not httpx's own lines
    assert [r.getMessage().split("; ")[0] for r in ours] == [
        f"GET {url} failed (HTTP 503), attempt {n} of 3" for n in (1, 2)
    ]


def test_client_errors_are_not_retried(server: _Server) -> None:
    with pytest.raises(FetchError, match="answered HTTP 404") as caught:
        run(get(server.url("/missing")))
    assert caught.value.status == 404 and server.hits("/missing") == 1


def test_an_error_answer_names_what_the_server_said(server: _Server) -> None:
    report = (
        b'<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows">'
        b'<ows:Exception exceptionCode="InvalidParameterValue" locator="outputSchema">'
        b"<ows:ExceptionText>Unknown output schema: gmd</ows:ExceptionText></ows:Exception>"
        b"</ows:ExceptionReport>" + b" " * 10_000
    )
    server.routes["/csw"] = lambda h: h.reply(400, report, Content_Type="application/xml")
    with pytest.raises(FetchError, match=r"answered HTTP 400: Unknown output schema: gmd$") as caught:
        run(get(server.url("/csw")))
    assert caught.value.status == 400 and not caught.value.transient


def test_a_failure_is_logged_with_its_reason(server: _Server) -> None:
    async def scenario() -> Fetcher:
        async with fetcher() as http:
            with pytest.raises(FetchError):
                await http.get(server.url("/missing"))
            return http

    (entry,) = run(scenario()).log
    assert entry.status == 404 and entry.error is not None and "HTTP 404" in entry.error


# -- timeouts and broken bodies -----------------------------------------------------------------------


def test_a_read_timeout_is_retried_then_fails(server: _Server) -> None:
    def slow(h: _Handler) -> None:
        time.sleep(1.5)
        h.reply(200, TURTLE)

    server.routes["/slow"] = slow
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out \(ReadTimeout\) \(after 2 attempts\)"):
        run(get(server.url("/slow"), read_timeout=0.3, retry=RetryPolicy(max_attempts=2, backoff=0.01)))
    assert time.monotonic() - started < 1.5
    assert server.hits("/slow") == 2


def test_the_total_deadline_stops_a_body_that_trickles(server: _Server) -> None:
    def trickle(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)  # each byte well inside the read timeout; the whole far beyond the deadline

    server.routes["/trickle"] = trickle
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than the deadline of 0\.5 s"):
        run(get(server.url("/trickle"), read_timeout=1, total_timeout=0.5))
    assert time.monotonic() - started < 1.5
    assert server.hits("/trickle") == 1


def test_a_body_cut_off_halfway_fails(server: _Server) -> None:
    def cut(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(b"x" * 500)
        h.close_connection = True

    server.routes["/cut"] = cut
    with pytest.raises(FetchError, match=r"cannot fetch .*/cut: .*after 3 attempts"):
        run(get(server.url("/cut")))
    assert server.hits("/cut") == 3


def test_a_closed_port_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match=r"cannot fetch http://127\.0\.0\.1:9/"):
        run(get("http://127.0.0.1:9/feed", connect_timeout=1))


# -- size cap and compression -------------------------------------------------------------------------


def test_the_size_cap_refuses_a_declared_length_before_reading(server: _Server) -> None:
    server.routes["/big"] = ok(b"x" * 5000)
    with pytest.raises(FetchError, match="larger than the limit of 1000 bytes"):
        run(get(server.url("/big"), max_response_bytes=1000))
    assert run(get(server.url("/big"), max_response_bytes=5000)).content == b"x" * 5000


def test_the_size_cap_applies_to_a_stream_without_length(server: _Server) -> None:
    def unbounded(h: _Handler) -> None:
        h.send_response(200)
        h.end_headers()  # HTTP/1.0, no Content-Length: the body ends when the connection closes
        for _ in range(200):
            h.wfile.write(b"x" * 10_000)

    server.routes["/stream"] = unbounded
    with pytest.raises(FetchError, match="larger than the limit of 50000 bytes"):
        run(get(server.url("/stream"), max_response_bytes=50_000))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),  # raw deflate, as some servers do
        ("gzip", lambda b: gzip.compress(b[:10]) + gzip.compress(b[10:])),  # two gzip members
    ],
)
def test_compressed_bodies_are_decoded(
    server: _Server, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    server.routes["/z"] = ok(encode(TURTLE * 100), Content_Encoding=encoding)
    assert run(get(server.url("/z"))).content == TURTLE * 100


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it(server: _Server) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000  # ~64 KB on the wire that inflate to 64 MB
    server.routes["/bomb"] = ok(bomb, "text/turtle", Content_Encoding="gzip")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than the limit of 1000000 bytes"):
            run(get(server.url("/bomb"), max_response_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # 64 MB inflated would be far above


def test_a_compressed_body_that_ends_early_is_a_fetch_error(server: _Server) -> None:
    truncated = gzip.compress(TURTLE * 1000)[:200]

    def close_delimited(h: _Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Encoding", "gzip")
        h.end_headers()  # no Content-Length: only the gzip stream can tell that it was cut
        h.wfile.write(truncated)

    server.routes["/short"] = close_delimited
    with pytest.raises(FetchError, match="not valid gzip: the compressed stream ended early"):
        run(get(server.url("/short")))


def test_a_corrupt_compressed_body_is_a_fetch_error(server: _Server) -> None:
    server.routes["/broken"] = ok(b"not gzip at all", Content_Encoding="gzip")
    with pytest.raises(FetchError, match="not valid gzip"):
        run(get(server.url("/broken")))
    server.routes["/br"] = ok(b"...", Content_Encoding="br")
    with pytest.raises(FetchError, match="unsupported Content-Encoding br"):
        run(get(server.url("/br")))


# -- charsets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ("Brasschaat café".encode("latin-1"), "text/plain; charset=ISO-8859-1", "Brasschaat café"),
        ("\ufeffGent – café".encode("utf-16-le"), "text/turtle", "Gent – café"),
        ("\ufeffGent café".encode(), "text/turtle; charset=iso-8859-1", "Gent café"),
        (
            '<?xml version="1.0" encoding="ISO-8859-1"?><t>Liège</t>'.encode("latin-1"),
            "application/rdf+xml",
            '<?xml version="1.0" encoding="ISO-8859-1"?><t>Liège</t>',
        ),
        ('{"titel": "Sint-Niklaas €"}'.encode(), "application/json", '{"titel": "Sint-Niklaas €"}'),
        (b"caf\xe9 zonder charset", "text/plain", "caf\ufffd zonder charset"),
        (b"Leuven", "text/plain; charset=no-such-charset", "Leuven"),
    ],
    ids=[
        "latin1-header",
        "utf16-bom",
        "bom-beats-header",
        "xml-declaration",
        "json",
        "fallback",
        "bad-label",
    ],
)
def test_text_uses_the_declared_or_detected_charset(
    server: _Server, body: bytes, content_type: str, text: str
) -> None:
    server.routes["/t"] = ok(body, content_type)
    assert run(get(server.url("/t"))).text() == text


def test_json_parses_and_refuses_what_is_not_json(server: _Server) -> None:
    server.routes["/j"] = ok(b'{"result": {"count": 7}}', "application/json")
    server.routes["/html"] = ok(b"<html>maintenance</html>", "text/html")
    assert run(get(server.url("/j"))).json() == {"result": {"count": 7}}
    page = run(get(server.url("/html")))
    with pytest.raises(FeedError, match="/html is not JSON"):
        page.json()


# -- redirects ----------------------------------------------------------------------------------------


def hop(target: str, status: int = 302) -> Callable[[_Handler], None]:
    return lambda h: h.reply(status, Location=target)


def test_redirects_are_followed_and_reported(server: _Server) -> None:
    server.routes["/old"] = hop("/moved", 301)
    server.routes["/moved"] = hop(server.url("/feed"), 307)
    server.routes["/feed"] = ok()
    page = run(get(server.url("/old")))
    assert page.url == server.url("/feed") and page.content == TURTLE
    assert page.redirects == (server.url("/old"), server.url("/moved"))


def test_a_redirect_without_location_is_a_fetch_error(server: _Server) -> None:
    server.routes["/nowhere"] = lambda h: h.reply(302)
    with pytest.raises(FetchError, match="answered HTTP 302 without a Location header"):
        run(get(server.url("/nowhere")))


def test_redirects_are_limited(server: _Server) -> None:
    for n in range(10):
        server.routes[f"/r{n}"] = hop(f"/r{n + 1}")
    server.routes["/r10"] = ok()
    assert run(get(server.url("/r7"), max_redirects=3)).content == TURTLE
    with pytest.raises(FetchError, match="more than 3 redirects"):
        run(get(server.url("/r0"), max_redirects=3))
    assert server.hits("/r4") == 0


def test_a_redirect_loop_is_caught_at_once(server: _Server) -> None:
    server.routes["/a"] = hop("/b")
    server.routes["/b"] = hop("/a")
    with pytest.raises(FetchError, match=r"redirect loop: .*/b redirects to .*/a, seen before"):
        run(get(server.url("/a"), max_redirects=20))
    assert server.hits("/a") == 1 and server.hits("/b") == 1


# -- per-host concurrency -----------------------------------------------------------------------------


def test_concurrent_gets_to_one_host_never_exceed_the_limit(server: _Server) -> None:
    def slow(h: _Handler) -> None:
        with h.server.lock:
            h.server.active += 1
            h.server.peak = max(h.server.peak, h.server.active)
        time.sleep(0.15)
        with h.server.lock:
            h.server.active -= 1
        h.reply(200, h.path.encode())

    server.routes["/slow"] = slow

    async def scenario() -> list[bytes]:
        async with fetcher(per_host_limit=3) as http:
            pages = await asyncio.gather(*(http.get(server.url("/slow"), params={"n": n}) for n in range(12)))
            return [p.content for p in pages]

    bodies = run(scenario())
    assert bodies == [f"/slow?n={n}".encode() for n in range(12)]
    assert server.peak == 3


# -- conditional GET ----------------------------------------------------------------------------------


def validated(etag: str | None, last_modified: str | None) -> Callable[[_Handler], None]:
    def route(h: _Handler) -> None:
        if (etag and h.headers.get("If-None-Match") == etag) or (
            last_modified and h.headers.get("If-Modified-Since") == last_modified
        ):
            h.reply(304, ETag=etag or "", Content_Length="0")
            return
        headers = {"ETag": etag} if etag else {"Last_Modified": last_modified or ""}
        h.reply(200, "Gent café".encode("latin-1"), Content_Type="text/plain; charset=latin-1", **headers)

    return route


@pytest.mark.parametrize(
    ("etag", "last_modified"), [('"v1"', None), (None, "Wed, 21 Oct 2026 07:28:00 GMT")], ids=["etag", "date"]
)
def test_conditional_get_gives_the_cached_body_on_304(
    server: _Server, etag: str | None, last_modified: str | None
) -> None:
    server.routes["/page"] = validated(etag, last_modified)
    cache = MemoryPageCache()

    async def scenario() -> tuple[Any, Any, Fetcher]:
        async with fetcher(cache=cache) as http:
            first = await http.get(server.url("/page"), params={"start": 0})
            second = await http.get(server.url("/page"), params={"start": 0})
            return first, second, http

    first, second, http = run(scenario())
    assert not first.from_cache and first.status == 200
    assert second.from_cache and second.status == 304
    assert second.content == first.content and second.text() == "Gent café"
    assert second.content_type == "text/plain" and "content-length" not in second.headers
    kept = cache.get(server.url("/page") + "?start=0")
    assert kept is not None and kept.digest == hashlib.sha256(first.content).digest()
    assert second.digest == first.digest, "the replayed page is known by the digest kept with it"
    assert [entry.from_cache for entry in http.log] == [False, True]
    conditional = server.requests[1][2]
    assert conditional.get("If-None-Match") == etag and conditional.get("If-Modified-Since") == last_modified


def test_a_replayed_page_takes_the_digest_the_cache_kept_instead_of_hashing_again(server: _Server) -> None:
    server.routes["/page"] = validated('"v1"', None)
    cache = MemoryPageCache()
    url = server.url("/page")
    kept = b"\x01" * 32  # not the body's hash: shows which one the replayed page carries
    cache.put(url, CachedPage('"v1"', None, b"cached body", "text/turtle", kept))
    page = run(get(url, cache=cache))
    assert page.from_cache and page.content == b"cached body" and page.digest == kept
    cache.put(url, CachedPage('"v1"', None, b"cached body", "text/turtle"))  # kept by an older version
    page = run(get(url, cache=cache))
    assert page.from_cache and page.digest == hashlib.sha256(b"cached body").digest()


def test_pages_without_validators_or_marked_no_store_are_not_cached(server: _Server) -> None:
    server.routes["/plain"] = ok()
    server.routes["/private"] = ok(ETag='"p"', Cache_Control="private, no-store")
    cache = MemoryPageCache()
    run(get(server.url("/plain"), cache=cache))
    run(get(server.url("/private"), cache=cache))
    assert len(cache) == 0


def test_the_memory_cache_keeps_within_its_budget() -> None:
    cache = MemoryPageCache(max_bytes=10)
    for n in range(4):
        cache.put(f"u{n}", CachedPage('"e"', None, b"1234", None))
    assert len(cache) == 2 and cache.get("u0") is None and cache.get("u3") is not None


# -- the paging-loop guard ----------------------------------------------------------------------------


def _body(content: bytes) -> SimpleNamespace:
    """A page as the guard reads it: only its body."""
    return SimpleNamespace(content=content)


def test_page_guard_stops_a_listing_that_comes_back_to_a_page() -> None:
    async def pages() -> None:
        async with fetcher() as http:
            guard = http.page_guard()
            guard.check("https://p.example/?page=1", _body(b"one"))
            guard.check("https://p.example/?page=2", _body(b"two"))
            with pytest.raises(
                PagingLoop,
                match=r"paging loop: page https://p.example/\?page=1 \(the next page after "
                r"https://p.example/\?page=2\) was read before",
            ):
                guard.check("https://p.example/?page=1", _body(b"one, changed"))
            with pytest.raises(
                FeedError,
                match=r"page=3 \(the next page after .*page=2\) has the same content as .*page=2, read",
            ):
                guard.check("https://p.example/?page=3", _body(b"two"))
            fresh = http.page_guard()
            fresh.check("https://p.example/?page=1", _body(b"one"))

    run(pages())


def test_a_page_body_is_hashed_once_and_the_guard_takes_that_digest(server: _Server) -> None:
    """The loop guard and the page memory both need a page's SHA-256: the response works it out once."""
    import hashlib

    from catalog.harvest._fetch_types import page_digest
    from catalog.harvest.pagememory import body_hash

    server.routes["/p1"] = ok(b"<a> <b> <c> .\n")
    server.routes["/p2"] = ok(b"<a> <b> <c> .\n")

    async def pages() -> None:
        async with fetcher() as http:
            first = await http.get(server.url("/p1"))
            second = await http.get(server.url("/p2"))
            digest = page_digest(first)
            assert digest == hashlib.sha256(first.content).digest()
            assert page_digest(first) is digest  # kept, not worked out again
            assert body_hash(first) == hashlib.sha256(first.content).hexdigest()
            guard = http.page_guard()
            guard.check(first.url, first)
            with pytest.raises(PagingLoop, match=r"/p2 .*has the same content as .*/p1"):
                guard.check(second.url, second)

    run(pages())


def test_a_page_without_a_kept_digest_is_hashed_when_asked() -> None:
    import hashlib

    from catalog.harvest._fetch_types import page_digest

    page = SimpleNamespace(url="file:///feed.ttl", content=b"<a> <b> <c> .\n")
    assert page_digest(page) == hashlib.sha256(page.content).digest()
