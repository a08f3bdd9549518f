"""The fetcher's SSRF guard, address pinning, TLS by host name, and file URLs.

No traffic leaves the machine: internal addresses are IP literals refused before any connection, and host
names are resolved by a test resolver to 127.0.0.1, where a server counts the connections it accepts.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from catalog.exceptions import FeedError, InputError
from catalog.harvest.fetch import Fetcher, FetchError, NetworkPolicy, RetryPolicy, UnsafeURL
from catalog.harvest.http import fetch as fetch_sync
from catalog.settings import HarvestSection, Settings

ONCE = RetryPolicy(max_attempts=1)
LOOPBACK_ONLY = NetworkPolicy.allowing(["127.0.0.1/32"])


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.hosts.append(self.headers.get("Host", ""))
        if self.path.startswith("/to/"):
            target = self.path[len("/to/") :].replace("PORT", str(self.server.server_address[1]))
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.bodies.get(self.path, b"ok")
        self.send_response(200)
        for name, value in self.server.headers_for.get(self.path, {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections = 0
        self.hosts: list[str] = []
        self.bodies: dict[str, bytes] = {}
        self.headers_for: dict[str, dict[str, str]] = {}

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.connections += 1
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def _serve(httpd: _Server) -> Iterator[_Server]:
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _serve(_Server())


def names(table: dict[str, Sequence[str]]) -> Callable[[str, int], Any]:
    """A resolver answering from ``table`` (and counting its lookups), so no query leaves the machine."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        resolve.calls.append(host)  # type: ignore[attr-defined]
        return table[host]

    resolve.calls = []  # type: ignore[attr-defined]
    return resolve


def get(url: str, **options: Any) -> Any:
    options.setdefault("retry", ONCE)

    async def scenario() -> Any:
        async with Fetcher(**options) as http:
            return await http.get(url)

    return asyncio.run(scenario())


# -- internal addresses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/feed",
        "http://[fd00::1]/feed",
        "http://224.0.0.1/feed",
        "http://127.0.0.1:PORT/feed",
        "http://[::1]:PORT/feed",
        "http://[::ffff:127.0.0.1]:PORT/feed",
        "http://0.0.0.0:PORT/feed",
    ],
)
def test_internal_addresses_are_refused_before_connecting(server: _Server, url: str) -> None:
    url = url.replace("PORT", str(server.port))
    with pytest.raises(UnsafeURL, match=r"refusing to fetch .*resolves to an internal address") as caught:
        get(url)
    assert isinstance(caught.value, InputError) and url in str(caught.value)
    assert server.connections == 0


def test_private_networks_are_reached_only_when_allowed(server: _Server) -> None:
    assert get(f"http://127.0.0.1:{server.port}/x", allow_private_networks=True).content == b"ok"
    assert get(f"http://127.0.0.1:{server.port}/x", policy=LOOPBACK_ONLY).content == b"ok"
    assert server.connections == 2


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/feed", "http://169.254.169.254/latest/", "http://[::1]:PORT/x", "file:///etc/passwd"],
)
def test_a_redirect_to_an_internal_address_is_refused(server: _Server, target: str) -> None:
    async def scenario() -> Fetcher:
        async with Fetcher(policy=LOOPBACK_ONLY, retry=ONCE) as http:
            with pytest.raises(UnsafeURL, match=r"refusing to fetch|only http and https"):
                await http.get(f"http://127.0.0.1:{server.port}/to/{target}")
            return http

    http = asyncio.run(scenario())
    assert server.connections == 1  # the allowed first hop only
    assert http.log[0].error is not None and http.log[0].redirects == 1


def test_host_names_are_checked_where_the_connection_is_made(server: _Server) -> None:
    resolver = names({"portal.test": ["127.0.0.1"], "mixed.test": ["127.0.0.1", "10.9.9.9"]})
    page = get(f"http://portal.test:{server.port}/feed", policy=LOOPBACK_ONLY, resolver=resolver)
    assert page.content == b"ok" and server.hosts == [f"portal.test:{server.port}"]
    with pytest.raises(UnsafeURL, match=r"portal\.test resolves to an internal address \(127\.0\.0\.1\)"):
        get(f"http://portal.test:{server.port}/feed", resolver=resolver)
    with pytest.raises(UnsafeURL, match=r"mixed\.test resolves to an internal address \(10\.9\.9\.9\)"):
        get(f"http://mixed.test:{server.port}/feed", policy=LOOPBACK_ONLY, resolver=resolver)
    assert server.connections == 1


def test_a_name_that_rebinds_to_an_internal_address_is_refused_on_the_next_connection(
    server: _Server,
) -> None:
    answers = iter([["127.0.0.1"], ["127.0.0.2"]])

    async def rebinding(host: str, port: int) -> Sequence[str]:
        return next(answers)

    async def scenario() -> None:
        async with Fetcher(policy=LOOPBACK_ONLY, resolver=rebinding, retry=ONCE) as http:
            assert (await http.get(f"http://rebind.test:{server.port}/a")).content == b"ok"
            with pytest.raises(
                UnsafeURL, match=r"rebind\.test resolves to an internal address \(127\.0\.0\.2\)"
            ):
                await http.get(f"http://rebind.test:{server.port}/b")

    asyncio.run(scenario())
    assert server.connections == 1


def test_only_http_and_https_urls() -> None:
    for url in ("ftp://example.org/feed", "gopher://example.org/", "/relative/feed"):
        with pytest.raises(UnsafeURL, match=f"refusing to fetch {url}: only http and https"):
            get(url)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[broken/feed", "not a valid URL"),
        ("http://a.example:99999/", "not a valid URL"),
        ("http://a.example/\x00", "non-printable ASCII character"),
    ],
)
def test_a_malformed_url_is_refused_with_the_url(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as caught:
        get(url)
    assert url[:16] in str(caught.value)


def test_the_harvest_settings_configure_the_fetcher() -> None:
    harvest = HarvestSection(
        allow_private_networks=True,
        allow_file_urls=True,
        max_response_bytes=1,
        connect_timeout=2,
        request_timeout=9,
        retries=0,
        retry_max_wait=5,
        per_host_concurrency=7,
        max_redirects=1,
    )
    fetcher = Fetcher.from_settings(Settings(harvest=harvest), max_redirects=2)
    assert fetcher.policy.allow_private_networks and fetcher.allow_file_urls
    assert (fetcher.max_response_bytes, fetcher.total_timeout, fetcher.per_host_limit) == (1, 9, 7)
    assert fetcher.retry.max_attempts == 1 and fetcher.retry.max_retry_after == 5
    assert fetcher.max_redirects == 2  # a keyword given wins over the setting
    asyncio.run(fetcher.aclose())
    default = Fetcher.from_settings(Settings(harvest=HarvestSection()))
    assert not default.policy.allow_private_networks and not default.allow_file_urls
    asyncio.run(default.aclose())


# -- TLS on a pinned address --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=portal.test",
         "-addext", "subjectAltName=DNS:portal.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[_Server, list[str | None]]]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    seen_sni: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)  # type: ignore[assignment,func-returns-value]
    httpd = _Server()
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    for running in _serve(httpd):
        yield running, seen_sni


def test_https_on_a_pinned_address_still_verifies_the_host_name(
    tls_server: tuple[_Server, list[str | None]], certificate: tuple[Path, Path]
) -> None:
    server, seen_sni = tls_server
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    resolver = names({"portal.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    options: dict[str, Any] = {"policy": LOOPBACK_ONLY, "resolver": resolver, "verify": trust}
    page = get(f"https://portal.test:{server.port}/feed", **options)
    assert page.content == b"ok" and seen_sni == ["portal.test"]
    with pytest.raises(FetchError, match=r"Hostname mismatch|certificate verify failed"):
        get(f"https://other.test:{server.port}/feed", **options)
    with pytest.raises(FetchError, match="certificate verify failed"):
        get(f"https://portal.test:{server.port}/feed", policy=LOOPBACK_ONLY, resolver=resolver)
    assert seen_sni == ["portal.test", "other.test", "portal.test"]


# -- file URLs ----------------------------------------------------------------------------------------


def test_file_urls_are_refused_by_default_and_read_when_allowed(tmp_path: Path) -> None:
    feed = tmp_path / "catalogus.ttl"
    feed.write_bytes(b'<https://a.example/d> <http://purl.org/dc/terms/title> "Gent" .\n')
    url = feed.as_uri()
    with pytest.raises(UnsafeURL, match=r"file URLs are off \(setting harvest\.allow_file_urls\)"):
        get(url)
    page = get(url, allow_file_urls=True)
    assert page.content == feed.read_bytes() and page.content_type == "text/turtle" and page.status == 200
    assert "Gent" in page.text()


def test_file_urls_keep_the_size_cap_and_fail_clearly(tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(FetchError, match="larger than the limit of 1000 bytes"):
        get(big.as_uri(), allow_file_urls=True, max_response_bytes=1000)
    with pytest.raises(FetchError, match="no such file"):
        get((tmp_path / "missing.ttl").as_uri(), allow_file_urls=True)
    with pytest.raises(FetchError, match="is a directory"):
        get(tmp_path.as_uri(), allow_file_urls=True)
    with pytest.raises(FetchError, match="only local file URLs"):
        get("file://fileserver.example/share/feed.ttl", allow_file_urls=True)


# -- the synchronous fetch shares the guard and the bounded decoder -----------------------------------


def test_sync_fetch_refuses_a_redirect_to_an_internal_address(server: _Server) -> None:
    url = f"http://127.0.0.1:{server.port}/to/http://10.0.0.1/feed"
    with pytest.raises(UnsafeURL, match=r"refusing to fetch http://10\.0\.0\.1/feed"):
        fetch_sync(url, max_bytes=1000, policy=LOOPBACK_ONLY)
    assert server.connections == 1
    with pytest.raises(UnsafeURL, match=r"127\.0\.0\.1 resolves to an internal address"):
        fetch_sync(url, max_bytes=1000)
    assert server.connections == 1  # without the setting the loopback server itself is refused


def test_sync_fetch_stops_a_gzip_bomb_at_the_cap(server: _Server) -> None:
    server.bodies["/bomb"] = gzip.compress(b"\0" * (16 * 1024 * 1024), compresslevel=9)
    server.headers_for["/bomb"] = {"Content-Encoding": "gzip"}
    with pytest.raises(FeedError, match="larger than the limit of 100000 bytes"):
        fetch_sync(f"http://127.0.0.1:{server.port}/bomb", max_bytes=100_000, allow_private_networks=True)
