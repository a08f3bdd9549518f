"""Helpers for the engine tests: a scripted fetcher and plugin, a paged Turtle feed server, store checks."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.db.tables import DatasetKeyword, DatasetRow, RawRecord, SourceRecord
from catalog.exceptions import FeedError
from catalog.model import Dataset
from catalog.settings import Settings
from harvesters.base import FetchedPage, HarvestedRecord, Harvester, PageGuard

BASE = "https://portal.example.org/api"


def page_url(n: int) -> str:
    return f"{BASE}?page={n}"


def item(n: int, *, title: str = "Dataset", **extra: Any) -> dict[str, Any]:
    """One record as the scripted portal lists it."""
    return {"id": f"ds-{n}", "title": f"{title} {n}", **extra}


def page(*items: dict[str, Any]) -> bytes:
    return json.dumps(list(items)).encode()


@dataclass(frozen=True)
class FakePage:
    url: str
    content: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"
    from_cache: bool = False

    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise FeedError(f"{self.url}: not JSON ({exc})") from exc


class _Guard:
    def check(self, url: str, page: Any) -> None:
        return None


class FakeHttp:
    """Serves scripted pages by URL: bytes, or an exception to raise; records every URL asked for."""

    def __init__(self, pages: Mapping[str, bytes | BaseException], *, delay: float = 0.0) -> None:
        self.pages = dict(pages)
        self.delay = delay
        self.requests: list[str] = []

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        import asyncio

        self.requests.append(url)
        if self.delay:
            await asyncio.sleep(self.delay)
        found = self.pages.get(url)
        if found is None:
            raise FeedError(f"{url} answered HTTP 404")
        if isinstance(found, BaseException):
            raise found
        return FakePage(url, found)

    async def post(
        self, url: str, *, content: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> FetchedPage:
        raise AssertionError("not used")

    def page_guard(self) -> PageGuard:
        return _Guard()


def paged(*pages: bytes | BaseException) -> FakeHttp:
    """A portal whose listing is ``pages`` (page 1 links to page 2 ... by the plugin's convention)."""
    return FakeHttp({page_url(i + 1): body for i, body in enumerate(pages)})


class ListOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pages: int = 1
    """How many pages the listing has."""
    incremental: bool = False


class ListHarvester(Harvester[ListOptions]):
    """A test plugin: reads ``pages`` JSON pages of ``{"id", "title", ...}`` items through ``self.http``.

    An item with ``"error"`` is yielded as failed, with ``"skip"`` as skipped; ``"raise"`` raises
    ``RuntimeError`` at that point; ``"wait"`` awaits ``ListHarvester.gate`` first; ``"block"`` sleeps
    that many seconds without awaiting.
    """

    name = "test-list"
    display_name = "Test list"
    Options = ListOptions
    gate: ClassVar[Any] = None
    on_record: ClassVar[Callable[[HarvestedRecord], None] | None] = None

    async def records(self) -> AsyncIterator[HarvestedRecord]:
        self.state["runs"] = int(self.state.get("runs", 0)) + 1
        for n in range(1, self.options.pages + 1):
            url = page_url(n)
            listing = (await self.http.get(url)).json()
            for entry in listing:
                if entry.get("raise"):
                    raise RuntimeError("the plugin broke")
                if entry.get("wait") and ListHarvester.gate is not None:
                    await ListHarvester.gate.wait()
                if entry.get("block"):
                    time.sleep(entry["block"])  # CPU-bound work that never gives the event loop a turn
                yield to_harvested(entry, url)
        if self.options.incremental:
            self.complete = False


def to_harvested(entry: dict[str, Any], url: str) -> HarvestedRecord:
    raw = json.dumps(entry, sort_keys=True).encode()
    remote_id = entry["id"]
    if entry.get("error"):
        return HarvestedRecord(remote_id, raw, "application/json", None, url=url, error=entry["error"])
    if entry.get("skip"):
        return HarvestedRecord(remote_id, raw, "application/json", None, url=url, skipped=entry["skip"])
    record = Dataset.model_validate(
        {
            "uri": f"https://portal.example.org/dataset/{remote_id}",
            "identifier": [remote_id],
            "title": {"nl": entry["title"]},
            "description": {"nl": "Een beschrijving."},
            "keyword": {"nl": ["test", entry["title"].split()[0].lower()]},
        }
    )
    return HarvestedRecord(remote_id, raw, "application/json", record, url=f"{url}#{remote_id}")


def assert_store_consistent(session: Session) -> None:
    """No half-written dataset: every live dataset has a source record, its raw payload and its facets."""
    live = list(session.scalars(select(DatasetRow.id).where(DatasetRow.withdrawn_at.is_(None))))
    with_link = set(
        session.scalars(select(SourceRecord.dataset_id).where(SourceRecord.withdrawn_at.is_(None)))
    )
    assert set(live) <= with_link, "a live dataset without an active source record"
    links = session.execute(select(func.count()).select_from(SourceRecord)).scalar_one()
    raws = session.execute(select(func.count()).select_from(RawRecord)).scalar_one()
    assert links == raws, "a source record without its raw payload"
    with_keywords = set(session.scalars(select(DatasetKeyword.dataset_id)))
    assert set(live) <= with_keywords, "a live dataset without its facet rows"
    owners = session.execute(
        select(SourceRecord.dataset_id, func.count())
        .where(SourceRecord.is_owner)
        .group_by(SourceRecord.dataset_id)
    ).all()
    assert all(count == 1 for _, count in owners)
    assert {d for d, _ in owners} >= set(live), "a live dataset without an owner"


# A paged DCAT feed in Turtle over loopback HTTP, for end-to-end runs with the real fetcher and plugin.

TURTLE_PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
"""


def turtle_page(numbers: range, *, next_url: str | None, title: str = "Dataset") -> bytes:
    parts = [TURTLE_PREFIXES]
    if next_url:
        parts.append(f"<{next_url}#view> a hydra:PagedCollection ; hydra:nextPage <{next_url}> .\n")
    for n in numbers:
        parts.append(
            f"""<https://data.example.be/dataset/{n}> a dcat:Dataset ;
  dct:identifier "{n}" ; dct:title "{title} {n}"@nl ; dct:description "Beschrijving {n}"@nl ;
  dcat:keyword "test"@nl ;
  dct:spatial <https://data.vlaanderen.be/id/gemeente/44021> .
"""
        )
    return "\n".join(parts).encode()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client killed mid-response (the SIGKILL test) is expected


class FeedServer:
    """Serves ``/feed.ttl?page=N``: ``pages`` pages of ``per_page`` datasets, optionally slowly.

    ``broken`` maps a page number to a body served instead (malformed Turtle, say).
    """

    def __init__(
        self,
        *,
        pages: int,
        per_page: int,
        delay: float = 0.0,
        title: str = "Dataset",
        broken: Mapping[int, bytes] | None = None,
        etag: bool = False,
        first: int = 0,
    ) -> None:
        self.pages, self.per_page, self.delay, self.title = pages, per_page, delay, title
        self.first = first
        """The number of the first dataset (URIs ``https://data.example.be/dataset/{n}``)."""
        self.broken = dict(broken or {})
        self.etag = etag
        self.requests: list[str] = []
        self.statuses: list[int] = []
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                body, status = owner._answer(self.path)
                if owner.delay:
                    time.sleep(owner.delay)
                tag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
                if owner.etag and status == 200 and self.headers.get("If-None-Match") == tag:
                    status, body = 304, b""
                owner.statuses.append(status)
                self.send_response(status)
                self.send_header("Content-Type", "text/turtle; charset=utf-8")
                if owner.etag:
                    self.send_header("ETag", tag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/feed.ttl"

    def _answer(self, path: str) -> tuple[bytes, int]:
        parts = urlsplit(path)
        if parts.path != "/feed.ttl":
            return b"not found", 404
        number = int(parse_qs(parts.query).get("page", ["1"])[0])
        if number in self.broken:
            return self.broken[number], 200
        if not 1 <= number <= self.pages:
            return b"not found", 404
        first = self.first + (number - 1) * self.per_page
        next_url = f"{self.url}?page={number + 1}" if number < self.pages else None
        return turtle_page(range(first, first + self.per_page), next_url=next_url, title=self.title), 200

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def reader_settings(url: str, workers: int, **harvest: Any) -> Settings:
    """Settings for a harvest with ``workers`` page readers into the store at ``url``: batches of 7 (so a
    page of 10 or 25 records is written in several), loopback sources allowed, no retries."""
    return Settings(
        database={"url": url},
        harvest={"batch_size": 7, "allow_private_networks": True, "retries": 0, "parse_workers": workers,
                 **harvest},
        catalog={"base_uri": "https://catalog.example/"},
    )  # fmt: skip
