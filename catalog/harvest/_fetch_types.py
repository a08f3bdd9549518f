"""What the fetcher gives back: responses, their diagnostics, its errors, and the paging-loop guard."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from catalog.exceptions import FeedError
from catalog.harvest._fetch_body import decode_text

__all__ = ["FetchError", "PageLoopGuard", "PagingLoop", "RequestLog", "Response", "page_digest"]


class FetchError(FeedError):
    """A URL could not be fetched; the message names the URL and the reason."""

    def __init__(self, message: str, *, url: str, status: int | None = None, transient: bool = False) -> None:
        super().__init__(message)
        self.url = url
        """The URL that failed (the redirect hop, when it was one)."""
        self.status = status
        """The HTTP status that made it fail, if there was one."""
        self.transient = transient
        """The portal was unreachable, slow or overloaded (retries ran out): trying later may succeed."""


class PagingLoop(FeedError):
    """A paged listing came back to a page (URL or body) it had already read."""


@dataclass(frozen=True)
class RequestLog:
    """Diagnostics of one ``get``/``post``, kept in ``Fetcher.log`` (for a steward's test of a source)."""

    method: str
    url: str
    """As requested, query included."""
    final_url: str | None
    status: int | None
    content_type: str | None
    bytes: int
    """Body size after decompression (0 on failure)."""
    elapsed: float
    """Seconds, retries and redirects included."""
    attempts: int
    """Tries of the last URL in the redirect chain (1 when the first succeeded)."""
    redirects: int
    from_cache: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Response:
    """A fetched page (the ``FetchedPage`` of ``harvesters.base``), with its diagnostics."""

    url: str
    """The final URL, after redirects."""
    status: int
    """200 and so on; 304 when ``from_cache`` (the body is then the cached copy)."""
    headers: Mapping[str, str]
    """Case-insensitive (``httpx.Headers``)."""
    content: bytes
    content_type: str | None
    """The media type without parameters, lower case."""
    from_cache: bool = False
    elapsed: float = 0.0
    attempts: int = 1
    redirects: tuple[str, ...] = ()
    """The URLs redirected from, in order."""
    known_digest: bytes | None = None
    """The body's SHA-256 when it came with the body (a cached page's), else None."""

    @cached_property
    def digest(self) -> bytes:
        """SHA-256 of the body, worked out once (or the one the page cache kept with it): the paging-loop
        guard and the page memory both need it (a 4 MB page costs 10-25 ms to hash)."""
        if self.known_digest is not None:
            return self.known_digest
        return hashlib.sha256(self.content).digest()

    def text(self) -> str:
        """The body decoded: byte order mark, else header charset, else XML declaration, else UTF-8."""
        return decode_text(self.content, self.headers.get("content-type"))

    def json(self) -> Any:
        """The body parsed as JSON; ``FetchError`` when it is not JSON."""
        try:
            return json.loads(self.text())
        except ValueError as exc:
            raise FetchError(f"{self.url} is not JSON: {exc}", url=self.url, status=self.status) from exc


class PageLoopGuard:
    """The ``PageGuard`` of one paged listing: a page URL or page body seen twice raises ``PagingLoop``.

    The error names the page whose next link closed the loop (the last page read before the repeat), so a
    steward knows which page of their portal links back.
    """

    def __init__(self) -> None:
        self._urls: set[str] = set()
        self._bodies: dict[bytes, str] = {}
        self._last: str | None = None

    def _after(self) -> str:
        return f" (the next page after {self._last})" if self._last is not None else ""

    def check(self, url: str, page: Any) -> None:
        """Raise ``PagingLoop`` when ``url`` or ``page``'s body was seen before (compared by
        ``page_digest``, which a fetched ``Response`` works out once)."""
        if url in self._urls:
            raise PagingLoop(f"paging loop: page {url}{self._after()} was read before")
        digest = page_digest(page)
        first = self._bodies.get(digest)
        if first is not None:
            raise PagingLoop(
                f"paging loop: page {url}{self._after()} has the same content as {first}, read before"
            )
        self._urls.add(url)
        self._bodies[digest] = url
        self._last = url


def page_digest(page: Any) -> bytes:
    """SHA-256 of a fetched page's body: the fetcher's ``Response`` works it out once and keeps it; any
    other page (a test's, a file's) is hashed here."""
    digest = getattr(page, "digest", None)
    if isinstance(digest, bytes):
        return digest
    content: bytes = page.content
    return hashlib.sha256(content).digest()
