"""Helpers for plugin tests: the fetcher a plugin is given, a SourceInfo, and a way to drain records().

Until the engine's fetcher (``catalog.harvest.fetch``) lands, ``make_http`` returns a small test-only
adapter over httpx that talks to the loopback replay server only; the real harvest path never uses it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from catalog.exceptions import FeedError
from harvesters.base import HarvestedRecord, Harvester, Http, SourceInfo


@dataclass(frozen=True)
class _Page:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    content_type: str | None
    from_cache: bool = False

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise FeedError(f"{self.url}: not JSON: {exc}") from exc


@dataclass
class _Guard:
    urls: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)

    def check(self, url: str, body: bytes) -> None:
        digest = hashlib.sha256(body).hexdigest()
        if url in self.urls or digest in self.bodies:
            raise FeedError(f"paging loops: {url} was seen before")
        self.urls.add(url)
        self.bodies.add(digest)


class _LoopbackHttp:
    """Test-only: GET/POST over httpx to 127.0.0.1, errors as FeedError."""

    async def _send(self, method: str, url: str, **kwargs: Any) -> _Page:
        if urlsplit(url).hostname != "127.0.0.1":
            raise FeedError(f"test fetcher only reaches the loopback server, not {url}")
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise FeedError(f"{url}: {exc}") from exc
        if response.status_code >= 400:
            raise FeedError(f"{response.url}: HTTP {response.status_code}")
        ctype = response.headers.get("content-type")
        return _Page(
            url=str(response.url),
            status=response.status_code,
            headers=dict(response.headers),
            content=response.content,
            content_type=ctype.split(";")[0].strip().lower() if ctype else None,
        )

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> _Page:
        if params:  # httpx replaces the URL's own query with params, even an empty one
            url = str(httpx.URL(url).copy_merge_params(dict(params)))
        return await self._send("GET", url, headers=dict(headers or {}))

    async def post(
        self, url: str, *, content: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> _Page:
        all_headers = {**(headers or {}), "Content-Type": content_type}
        return await self._send("POST", url, content=content, headers=all_headers)

    def page_guard(self) -> _Guard:
        return _Guard()


def make_http() -> Http:
    """The fetcher a plugin is given in tests, with private networks allowed (loopback server)."""
    return _LoopbackHttp()


def source(url: str, *, state: dict[str, Any] | None = None, **kwargs: Any) -> SourceInfo:
    return SourceInfo(id=1, name="test", url=url, state=state or {}, **kwargs)


async def _drain(records: AsyncIterator[HarvestedRecord]) -> list[HarvestedRecord]:
    return [record async for record in records]


def collect(harvester: Harvester[Any]) -> list[HarvestedRecord]:
    """Run a harvester's ``records()`` to the end."""
    return asyncio.run(_drain(harvester.records()))
