"""The harvest engine's safe fetcher: the ``Http`` a harvester plugin is given.

``Fetcher`` (on ``httpx.AsyncClient``) does, for every ``get``/``post``:

- the SSRF guard on every connection, redirect hops included, with the checked address pinned for the
  connection (``_fetch_transport``); only http(s), and ``file://`` when ``allow_file_urls``;
- at most ``per_host_limit`` requests at once to one host;
- timeouts: connect, read (between bytes) and a total deadline per attempt, body included;
- bounded retries with exponential backoff and jitter on 408/429/500/502/503/504, connection failures,
  timeouts and cut-off bodies, honouring ``Retry-After`` (``RetryPolicy``);
- at most ``max_redirects`` redirects, and none back to a URL of the same chain;
- the size cap, counted on decoded bytes as they arrive (a gzip bomb stops at the cap), after a look at
  Content-Length;
- conditional GET through a ``PageCache``: 304 gives back the cached body with ``from_cache=True``.

Every failure is a ``FetchError`` (a ``FeedError``) naming the URL and the reason, except a refused
address, which stays ``UnsafeURL`` (an ``InputError``). Each call leaves a ``RequestLog`` in
``Fetcher.log``. One ``Fetcher`` serves one harvest run::

    async with Fetcher.from_settings(get_settings(), cache=cache) as http:
        harvester = Kind(source, options, http)
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.harvest._fetch_body import ACCEPT_ENCODING, media_type
from catalog.harvest._fetch_cache import CachedPage, MemoryPageCache, PageCache
from catalog.harvest._fetch_collect import CappedBody
from catalog.harvest._fetch_file import file_media_type, read_file_url
from catalog.harvest._fetch_guard import NetworkPolicy, Resolver, UnsafeURL, check_scheme, resolve
from catalog.harvest._fetch_retry import RetryPolicy, parse_retry_after
from catalog.harvest._fetch_transport import PinnedAsyncTransport
from catalog.harvest._fetch_types import FetchError, PageLoopGuard, PagingLoop, RequestLog, Response
from catalog.settings import Settings

__all__ = [
    "DEFAULT_ACCEPT",
    "USER_AGENT",
    "CachedPage",
    "FetchError",
    "Fetcher",
    "MemoryPageCache",
    "NetworkPolicy",
    "PageCache",
    "PageLoopGuard",
    "PagingLoop",
    "RequestLog",
    "Response",
    "RetryPolicy",
    "UnsafeURL",
]


def _version() -> str:
    try:
        return version("municipal-catalog")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


USER_AGENT = f"municipal-catalog/{_version()}"
DEFAULT_ACCEPT = (
    "text/turtle, application/ld+json;q=0.95, application/rdf+xml;q=0.9, application/n-triples;q=0.9, "
    "application/json;q=0.8, application/xml;q=0.5, */*;q=0.1"
)
_log = logging.getLogger(__name__)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _Transient(Exception):
    """A failure worth another attempt (connection, timeout, body cut off)."""


@dataclass(frozen=True)
class _Exchange:
    status: int
    headers: httpx.Headers
    body: bytes | None
    """None for answers whose body is not read (redirects, errors, retryable statuses, 304)."""
    said: str = ""
    """For a 4xx/5xx answer: the start of what the server said (tags dropped), to name in the error."""


_ERROR_BYTES = 2048
_TAGS = re.compile(rb"<[^>]*>")


async def _error_words(response: httpx.Response) -> str:
    """The first words of an error answer's body (an OGC exception report's text, an API's message)."""
    taken = b""
    try:
        async for chunk in response.aiter_raw():
            taken += chunk
            if len(taken) >= _ERROR_BYTES:
                break
    except httpx.HTTPError:
        return ""
    if response.headers.get("content-encoding", "identity") not in ("identity", ""):
        return ""  # compressed: a cut-off gzip stream says nothing readable
    text = _TAGS.sub(b" ", taken[:_ERROR_BYTES]).decode("utf-8", "replace")
    words = " ".join(text.split())
    return words[:300] + ("..." if len(words) > 300 else "")


@dataclass
class _Call:
    """The progress of one ``get``/``post`` (a fetcher serves many at once)."""

    url: str
    started: float
    attempts: int = 0
    chain: list[str] = field(default_factory=list)


class Fetcher:
    """Async, guarded HTTP for harvests (implements ``harvesters.base.Http``); see the module docstring."""

    def __init__(
        self,
        *,
        max_response_bytes: int = 200 * 1024 * 1024,
        allow_private_networks: bool = False,
        policy: NetworkPolicy | None = None,
        allow_file_urls: bool = False,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        total_timeout: float = 600.0,
        retry: RetryPolicy | None = None,
        max_redirects: int = 5,
        per_host_limit: int = 4,
        cache: PageCache | None = None,
        user_agent: str = USER_AGENT,
        accept: str = DEFAULT_ACCEPT,
        resolver: Resolver = resolve,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """``policy`` overrides ``allow_private_networks``; ``resolver`` and ``verify`` exist for tests."""
        self.max_response_bytes = max_response_bytes
        self.policy = policy or NetworkPolicy(allow_private_networks=allow_private_networks)
        self.allow_file_urls = allow_file_urls
        self.total_timeout = total_timeout
        self.retry = retry or RetryPolicy()
        self.max_redirects = max_redirects
        self.per_host_limit = per_host_limit
        self.cache = cache
        self.log: list[RequestLog] = []
        """One entry per ``get``/``post``, failures included, in the order they finished."""
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            transport=PinnedAsyncTransport(self.policy, resolver=resolver, verify=verify),
            follow_redirects=False,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=total_timeout),
            headers={"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING},
            trust_env=False,
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, cache: PageCache | None = None, **options: Any) -> Fetcher:
        """A fetcher with the ``[harvest]`` settings; keyword ``options`` override them."""
        harvest = settings.harvest
        defaults: dict[str, Any] = {
            "max_response_bytes": harvest.max_response_bytes,
            "allow_private_networks": harvest.allow_private_networks,
            "allow_file_urls": harvest.allow_file_urls,
            "connect_timeout": harvest.connect_timeout,
            "read_timeout": harvest.read_timeout,
            "total_timeout": harvest.request_timeout,
            "retry": RetryPolicy(
                max_attempts=harvest.retries + 1,
                max_backoff=harvest.retry_max_wait,
                max_retry_after=harvest.retry_max_wait,
            ),
            "max_redirects": harvest.max_redirects,
            "per_host_limit": harvest.per_host_concurrency,
        }
        return cls(cache=cache, **{**defaults, **options})

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def page_guard(self) -> PageLoopGuard:
        """A fresh guard for one paged listing."""
        return PageLoopGuard()

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET ``url`` (with ``params`` added to its query); conditional when the cache holds a copy."""
        if params:
            try:
                url = str(httpx.URL(url).copy_merge_params(dict(params)))
            except httpx.InvalidURL as exc:
                raise FetchError(f"cannot fetch {url!r}: {exc}", url=url) from exc
        return await self._logged("GET", url, headers, None)

    async def post(
        self,
        url: str,
        *,
        content: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST ``content`` (never cached; retried like a GET, so only for requests safe to repeat)."""
        return await self._logged("POST", url, {**(headers or {}), "Content-Type": content_type}, content)

    async def _logged(
        self, method: str, url: str, headers: Mapping[str, str] | None, content: bytes | None
    ) -> Response:
        call = _Call(url, time.monotonic(), chain=[url])
        try:
            response = await self._request(call, method, headers, content)
        except (FetchError, UnsafeURL, PagingLoop) as exc:
            self.log.append(
                RequestLog(
                    method, url, None, getattr(exc, "status", None), None, 0,
                    time.monotonic() - call.started, call.attempts, len(call.chain) - 1, error=str(exc),
                )
            )  # fmt: skip
            raise
        self.log.append(
            RequestLog(
                method, url, response.url, response.status, response.content_type, len(response.content),
                response.elapsed, response.attempts, len(response.redirects), from_cache=response.from_cache,
            )
        )  # fmt: skip
        return response

    async def _request(
        self, call: _Call, method: str, headers: Mapping[str, str] | None, content: bytes | None
    ) -> Response:
        url = call.url
        if url.lower().startswith("file:"):
            return await self._read_file(url, call.started)
        request_headers = httpx.Headers(headers or {})
        cached = self.cache.get(url) if self.cache is not None and method == "GET" else None
        if cached is not None:
            if cached.etag and "if-none-match" not in request_headers:
                request_headers["If-None-Match"] = cached.etag
            if cached.last_modified and "if-modified-since" not in request_headers:
                request_headers["If-Modified-Since"] = cached.last_modified
        current = url
        for _ in range(self.max_redirects + 1):
            check_scheme(current)
            answer = await self._with_retries(call, method, current, request_headers, content)
            location = answer.headers.get("location")
            if answer.status in _REDIRECTS and location:
                target = urljoin(current, location)
                if target in call.chain:
                    raise FetchError(f"redirect loop: {current} redirects to {target}, seen before", url=url)
                call.chain.append(target)
                if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                    method, content = "GET", None
                current = target
                continue
            elapsed = time.monotonic() - call.started
            redirects = tuple(call.chain[:-1])
            if answer.status == 304 and cached is not None:
                merged = httpx.Headers(answer.headers)
                merged.pop("content-length", None)
                if cached.content_type:
                    merged["Content-Type"] = cached.content_type
                return Response(
                    current, 304, merged, cached.content, media_type(cached.content_type), True,
                    elapsed, call.attempts, redirects, cached.digest,
                )  # fmt: skip
            if answer.body is None or not 200 <= answer.status < 300:
                status = answer.status
                missing = " without a Location header" if status in _REDIRECTS else ""
                said = f": {answer.said}" if answer.said else ""
                raise FetchError(
                    f"{current} answered HTTP {status}{missing}{said}", url=current, status=status
                )
            response = Response(
                current, answer.status, answer.headers, answer.body,
                media_type(answer.headers.get("content-type")), False, elapsed, call.attempts, redirects,
            )  # fmt: skip
            await self._remember(method, url, response)
            return response
        raise FetchError(f"{url}: more than {self.max_redirects} redirects", url=url)

    async def _remember(self, method: str, url: str, response: Response) -> None:
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        if self.cache is None or method != "GET" or not (etag or last_modified):
            return
        if "no-store" in response.headers.get("cache-control", "").lower():
            return
        page = CachedPage(
            etag, last_modified, response.content, response.headers.get("content-type"), response.digest
        )
        if getattr(self.cache, "put_in_thread", False):
            # Storing the page waits for the store's write lock, which a page reader storing its page
            # holds for a while: in a thread, the event loop goes on meanwhile.
            await asyncio.to_thread(self.cache.put, url, page)
        else:
            self.cache.put(url, page)

    async def _with_retries(
        self, call: _Call, method: str, url: str, headers: httpx.Headers, content: bytes | None
    ) -> _Exchange:
        retry = self.retry
        for attempt in range(1, retry.max_attempts + 1):
            call.attempts = attempt
            try:
                answer = await self._exchange(method, url, headers, content)
            except _Transient as exc:
                if attempt == retry.max_attempts:
                    reason = f"cannot fetch {url}: {exc} (after {attempt} attempts)"
                    raise FetchError(reason, url=url, transient=True) from exc
                await self._pause(method, url, str(exc), attempt, retry.delay(attempt))
                continue
            if answer.status not in retry.statuses:
                return answer
            if attempt == retry.max_attempts:
                raise FetchError(
                    f"{url} answered HTTP {answer.status} (after {attempt} attempts)",
                    url=url,
                    status=answer.status,
                    transient=True,
                )
            wait = parse_retry_after(answer.headers.get("retry-after"))
            if wait is not None and wait > retry.max_retry_after:
                raise FetchError(
                    f"{url} answered HTTP {answer.status} and asks to retry after {wait:.0f} s,"
                    f" more than the {retry.max_retry_after:.0f} s a harvest waits",
                    url=url,
                    status=answer.status,
                    transient=True,
                )
            await self._pause(method, url, f"HTTP {answer.status}", attempt, retry.delay(attempt, wait))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pause(self, method: str, url: str, reason: str, attempt: int, seconds: float) -> None:
        _log.info(
            "%s %s failed (%s), attempt %d of %d; retrying in %.1f s",
            method, url, reason, attempt, self.retry.max_attempts, seconds,
        )  # fmt: skip
        await asyncio.sleep(seconds)

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.per_host_limit)
        return slot

    async def _exchange(
        self, method: str, url: str, headers: httpx.Headers, content: bytes | None
    ) -> _Exchange:
        async with self._host_slot(url):
            try:
                async with asyncio.timeout(self.total_timeout):
                    request = self._client.build_request(method, url, headers=headers, content=content)
                    response = await self._client.send(request, stream=True)
                    try:
                        status = response.status_code
                        if status >= 400:
                            return _Exchange(status, response.headers, None, await _error_words(response))
                        if status in _REDIRECTS or status == 304 or not 200 <= status < 300:
                            return _Exchange(status, response.headers, None)
                        body = await self._read_body(url, response)
                        return _Exchange(status, response.headers, body)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                raise FetchError(
                    f"{url} took longer than the deadline of {self.total_timeout:g} s",
                    url=url,
                    transient=True,
                ) from exc
            except UnsafeURL as exc:
                raise UnsafeURL(f"refusing to fetch {url}: {exc}") from exc
            except httpx.TimeoutException as exc:
                raise _Transient(f"timed out ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                if isinstance(exc, httpx.UnsupportedProtocol | httpx.ProxyError):
                    raise FetchError(f"cannot fetch {url}: {exc}", url=url) from exc
                raise _Transient(str(exc) or type(exc).__name__) from exc
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"cannot fetch {url}: {exc}", url=url) from exc

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        headers = response.headers
        body = CappedBody(
            url,
            self.max_response_bytes,
            status=response.status_code,
            content_length=headers.get("content-length"),
            encoding=headers.get("content-encoding"),
        )
        async for chunk in response.aiter_raw():
            body.feed(chunk)
        return body.finish()

    async def _read_file(self, url: str, started: float) -> Response:
        if not self.allow_file_urls:
            raise UnsafeURL(f"refusing to fetch {url}: file URLs are off (setting harvest.allow_file_urls)")
        path, content = await asyncio.to_thread(read_file_url, url, self.max_response_bytes)
        kind = file_media_type(path)
        headers = httpx.Headers({"Content-Type": kind} if kind else {})
        return Response(url, 200, headers, content, kind, False, time.monotonic() - started)
