"""Conditional GET: what the fetcher remembers of a page, and where.

The fetcher looks a URL up before a GET; when a copy is there it sends ``If-None-Match`` (the ETag) and
``If-Modified-Since`` (the Last-Modified date), and a ``304 Not Modified`` answer gives back the copy's
body. It stores every 200 answer that carries an ETag or a Last-Modified date.

Any object with ``get`` and ``put`` as below can serve. ``MemoryPageCache`` lasts one process; a
persistent one (a table keyed by URL holding the four fields, read and written in its own short
transaction, so a harvest on a later night can send the validators) is passed as
``Fetcher(cache=...)`` the same way. The calls are synchronous and quick; keep the body compressed or on
disk if memory matters.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CachedPage", "MemoryPageCache", "PageCache"]


@dataclass(frozen=True)
class CachedPage:
    """A page as fetched last time, with the validators the server gave."""

    etag: str | None
    last_modified: str | None
    content: bytes
    content_type: str | None
    """The full Content-Type header (with its charset), as received."""
    digest: bytes | None = None
    """SHA-256 of ``content`` when the cache kept it (a 304 then needs no hashing of the body), else None."""


class PageCache(Protocol):
    """Where the fetcher keeps pages for conditional GET, keyed by the requested URL (with its query)."""

    def get(self, url: str) -> CachedPage | None: ...

    def put(self, url: str, page: CachedPage) -> None: ...


class MemoryPageCache:
    """A ``PageCache`` in memory, holding at most ``max_bytes`` of bodies (least recently used go first)."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._size = 0

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, url: str) -> CachedPage | None:
        page = self._pages.get(url)
        if page is not None:
            self._pages.move_to_end(url)
        return page

    def put(self, url: str, page: CachedPage) -> None:
        old = self._pages.pop(url, None)
        if old is not None:
            self._size -= len(old.content)
        if len(page.content) > self.max_bytes:
            return
        self._pages[url] = page
        self._size += len(page.content)
        while self._size > self.max_bytes:
            _, evicted = self._pages.popitem(last=False)
            self._size -= len(evicted.content)
