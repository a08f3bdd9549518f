"""DCAT feeds: any DCAT-AP / DCAT-AP-VL document in Turtle, RDF/XML, JSON-LD or N-Triples.

Covers Opendatasoft (``/api/explore/v2.1/catalog/exports/dcat`` and ``.../dcat_ap_vl``), ArcGIS Hub
DCAT-AP feeds, GeoNetwork's DCAT output and plain DCAT files. Paged feeds are followed through Hydra
(``PagedCollection`` / ``nextPage`` and ``PartialCollectionView`` / ``next``). Each dataset, data service
and dataset series becomes one record keyed by its IRI (or, for a blank node, its first ``dct:identifier``);
its raw form is its own triples as N-Triples.

A page answered 304 that the engine's page memory knows is not parsed: the harvester yields
``UnchangedPage`` and follows the remembered next link (see ``harvesters.base``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from catalog.db.upsert import prepare
from catalog.exceptions import FeedError
from catalog.harvest.aside import AsideRequest, AsideStore, store_page
from catalog.harvest.readers import PageReaders, PreparedRecord, Ticket, paused_gc
from catalog.normalise import municipality_of
from catalog.rdf.parse import FeedReader, ParsedRecord, detect_format, parse_feed
from harvesters.base import (
    FetchedPage,
    HarvestedItem,
    HarvestedRecord,
    Harvester,
    KnownPage,
    PageGuard,
    PageRead,
    StoredAside,
    UnchangedPage,
)

__all__ = [
    "ACCEPT",
    "DUPLICATE",
    "DcatHarvester",
    "DcatOptions",
    "PageRequest",
    "PageResult",
    "check_not_plain_json",
    "harvested_from_parsed",
    "page_records",
    "read_page",
]

_CHUNK = 256
"""Records built per step off the event loop (parsing is CPU-bound)."""
_HEAD = 64 * 1024
_YIELD_EVERY = 16
"""Records stored between two turns of the event loop while page readers work: storing is synchronous,
and the fetching of the pages ahead (and giving them to the readers) only moves on in those turns."""
ACCEPT = (
    "text/turtle, application/ld+json;q=0.95, application/rdf+xml;q=0.9, application/n-triples;q=0.9, "
    "application/json;q=0.5, application/xml;q=0.5, */*;q=0.1"
)
"""The RDF syntaxes the harvester reads, Turtle first (the most compact for large feeds)."""
DUPLICATE = "listed again: a record with this remote id was read earlier in this run"


class DcatOptions(BaseModel):
    """Options of a DCAT source."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["turtle", "rdfxml", "jsonld", "ntriples"] | None = None
    """The feed's RDF syntax when its Content-Type and content do not tell (detected by default)."""
    max_pages: int | None = Field(default=None, ge=1)
    """Stop after this many pages; a listing cut off this way is not complete (nothing is withdrawn)."""
    page_size_param: str | None = None
    """Query parameter that sets the page size on the first request (e.g. ``limit``); none by default."""
    page_size: int = Field(default=1000, ge=1)
    """Value sent in ``page_size_param``."""


def check_not_plain_json(head: bytes, url: str) -> None:
    """Refuse a JSON document that is not JSON-LD (a DCAT-US data.json, a CKAN API answer ...)."""
    if b"project-open-data.cio.gov" in head or re.search(rb'"conformsTo"\s*:\s*"https?://project-open', head):
        raise FeedError(f"{url}: not DCAT RDF: looks like a DCAT-US data.json (use the arcgis harvester)")
    if re.search(rb'"help"\s*:', head) and re.search(rb'"result"\s*:', head):
        raise FeedError(f"{url}: not DCAT RDF: looks like a CKAN API response (use the ckan harvester)")
    if b'"@' not in head:
        raise FeedError(f"{url}: not DCAT RDF: a JSON document without JSON-LD keywords (@context, @id)")


RAW_FORMAT = "ntriples"
"""The format of a DCAT record's raw payload (its bounded description, as N-Triples)."""


def _key(parsed: ParsedRecord) -> tuple[str, str | None]:
    """A parsed record's remote id (its IRI, else its first identifier) and why it is skipped, if it is."""
    if parsed.subject.startswith("_:"):
        if parsed.record.identifier:
            return parsed.record.identifier[0], None
        return parsed.subject, "record has no IRI and no dct:identifier"
    return parsed.subject, None


def harvested_from_parsed(parsed: ParsedRecord, url: str) -> HarvestedRecord:
    """One parsed record as the engine takes it; keyed by IRI, else first identifier, else skipped."""
    remote_id, skipped = _key(parsed)
    return HarvestedRecord(
        remote_id=remote_id,
        raw=parsed.raw,
        raw_format=RAW_FORMAT,
        record=None if skipped else parsed.record,
        problems=parsed.problems,
        url=url,
        skipped=skipped,
    )


@dataclass(frozen=True)
class PageRequest:
    """A fetched page as a page reader process gets it."""

    url: str
    data: bytes
    content_type: str | None
    format: str | None
    """The source's ``format`` option (else detected)."""
    max_bytes: int | None


@dataclass(frozen=True)
class PageResult:
    """What a page reader made of a page: its records (prepared for the store) and the failed ones."""

    records: list[HarvestedRecord]
    failures: list[tuple[str, str]]


def open_page(request: PageRequest) -> FeedReader:
    """Parse a fetched page (format by option, Content-Type or sniffing); FeedError names the page."""
    data, url = request.data, request.url
    try:
        fmt = request.format or detect_format(
            content_type=request.content_type, name=urlsplit(url).path, data=data[:_HEAD]
        )
    except FeedError as exc:
        raise FeedError(f"{url}: {exc}") from exc
    if fmt == "jsonld":
        check_not_plain_json(data[:_HEAD], url)
    try:
        # The fetcher has cut the body at its cap already; the parser keeps to the same one.
        return parse_feed(data, format=fmt, base_iri=url, max_bytes=request.max_bytes)
    except FeedError as exc:
        raise FeedError(f"{url}: {exc}") from exc


def prepared_from_parsed(parsed: ParsedRecord, url: str) -> HarvestedRecord:
    """``harvested_from_parsed`` with what the store needs worked out (``catalog.db.upsert.prepare``)."""
    remote_id, skipped = _key(parsed)
    if skipped:
        return harvested_from_parsed(parsed, url)
    record = parsed.record
    return PreparedRecord(
        remote_id=remote_id,
        raw=parsed.raw,
        raw_format=RAW_FORMAT,
        record=record,
        problems=parsed.problems,
        url=url,
        prepared=prepare(record, parsed.raw),
        municipality=municipality_of(record),
    )


def read_page(request: PageRequest, head: Callable[[Any], None]) -> PageResult:
    """A page reader's task: parse the page, send its next link at once, then build its records."""
    with open_page(request) as reader:
        head(reader.feed.next_page)
        records = [prepared_from_parsed(parsed, request.url) for parsed in reader]
        return PageResult(records, list(reader.failures))


def page_records(result: PageResult, url: str) -> list[HarvestedRecord]:
    """A page's records in one list: those read, then a failed record for each description that failed."""
    return [*result.records, *(_failed(subject, reason, url) for subject, reason in result.failures)]


def _failed(subject: str, reason: str, url: str) -> HarvestedRecord:
    return HarvestedRecord(
        remote_id=subject, raw=b"", raw_format=RAW_FORMAT, record=None, url=url, error=reason
    )


_Entry = tuple[FetchedPage, KnownPage | None, Ticket[Any] | None] | BaseException | None
"""A page fetched ahead (with its memory, or the reader reading it), a failure, or the listing's end."""


@dataclass(frozen=True)
class _Resume:
    """Where page readers take over: the next page's URL, the paging guard, pages fetched, remote ids seen."""

    url: str
    guard: PageGuard
    pages: int
    seen: set[str]


@dataclass
class _Ahead:
    """Pages being fetched and read ahead of the consumer: the producer task, its queue, its slots."""

    producer: asyncio.Task[None]
    queue: asyncio.Queue[_Entry]
    slots: asyncio.Semaphore

    async def stop(self) -> None:
        """Stop fetching; the pages given to readers and not taken are dropped (idempotent)."""
        self.producer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.producer
        while not self.queue.empty():
            left = self.queue.get_nowait()
            if isinstance(left, tuple) and left[2] is not None:
                left[2].cancel()


def _take(records: Iterator[ParsedRecord], n: int) -> list[ParsedRecord]:
    with paused_gc():  # building records makes many objects and no cycles (see catalog.harvest.readers)
        return list(islice(records, n))


class DcatHarvester(Harvester[DcatOptions]):
    """A DCAT feed, followed page by page through Hydra paging."""

    name: ClassVar[str] = "dcat"
    display_name: ClassVar[str] = "DCAT feed (RDF)"
    Options: ClassVar[type[BaseModel]] = DcatOptions

    readers: PageReaders | None = None
    """Set by the engine (``harvest.parse_workers``): processes that read pages while it stores others."""
    store_aside: AsideStore | None = None
    """Set by the engine when the page readers store the pages they read (``catalog.harvest.aside``)."""

    def read_task(self) -> Callable[[PageRequest, Callable[[Any], None]], PageResult]:
        """What a page reader does with a page: a module-level function (given to the process by name)."""
        return read_page

    async def records(self) -> AsyncIterator[HarvestedItem]:
        """The first page is read in this process; page readers (when the engine gives some) take over from
        the second page on, so a one-page portal, most municipal feeds, starts no process."""
        guard = self.http.page_guard()
        url: str | None = self.source.url
        params: dict[str, str | int] | None = None
        if self.options.page_size_param:
            params = {self.options.page_size_param: self.options.page_size}
        pages = 0
        seen: set[str] = set()
        while url is not None:
            if self.options.max_pages is not None and pages >= self.options.max_pages:
                self.complete = False
                return
            page = await self.http.get(url, params=params, headers={"Accept": ACCEPT})
            params = None
            guard.check(page.url, page)
            pages += 1
            known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
            if known is not None:
                seen.update(known.remote_ids)
                yield UnchangedPage(page.url)
                url = urljoin(page.url, known.next_url) if known.next_url else None
                continue
            reader, next_page = await asyncio.to_thread(self._open, page)
            url = urljoin(page.url, next_page) if next_page else None
            ahead: _Ahead | None = None
            try:
                if url is not None and self.readers is not None:
                    # The next pages are fetched and given to the readers now, while this one is built
                    # and stored here (the reader processes start meanwhile).
                    ahead = self._start_ahead(self.readers, _Resume(url, guard, pages, seen))
                async for record in self._page_records(reader, page.url):
                    if record.remote_id in seen and not record.error:
                        record = replace(record, record=None, skipped=DUPLICATE)
                    seen.add(record.remote_id)
                    yield record
                reader.close()
                if self.pages is not None:
                    yield PageRead(page, next_page)
                if ahead is not None:
                    async for item in self._records_read_aside(ahead, seen):
                        yield item
                    return
            finally:
                reader.close()
                if ahead is not None:
                    await ahead.stop()

    def _start_ahead(self, readers: PageReaders, resume: _Resume) -> _Ahead:
        """Start fetching the pages from ``resume.url`` on and giving them to the page readers."""
        # One page more than there are readers: the next page is fetched (and put in the page cache) while
        # every reader is busy, so a reader that finishes gets its next page at once.
        slots = asyncio.Semaphore(readers.size + 1)
        queue: asyncio.Queue[_Entry] = asyncio.Queue()
        producer = asyncio.create_task(self._fetch_ahead(readers, slots, queue, resume))
        return _Ahead(producer, queue, slots)

    async def _records_read_aside(self, ahead: _Ahead, seen: set[str]) -> AsyncIterator[HarvestedItem]:
        """The records of the pages ``ahead`` fetches, each page read in a page reader process: while the
        engine stores one page's records, the next pages (as many as there are readers) are fetched and
        read."""
        queue, slots = ahead.queue, ahead.slots
        ticket: Ticket[Any] | None = None
        try:
            while True:
                entry = await queue.get()
                if entry is None:
                    return
                if isinstance(entry, BaseException):
                    raise entry
                page, known, ticket = entry
                if known is not None:
                    slots.release()
                    seen.update(known.remote_ids)
                    yield UnchangedPage(page.url)
                    continue
                assert ticket is not None
                if self.store_aside is not None:  # the reader stores the page; the engine waits for it
                    try:
                        yield StoredAside(page.url, ticket)
                    finally:
                        slots.release()
                else:
                    try:
                        result = await ticket.result()
                    finally:
                        slots.release()
                    records = result.records
                    records.reverse()
                    while records:  # each record let go once yielded: a page is not held whole to its end
                        record = records.pop()
                        if record.remote_id in seen and not record.error:
                            record = replace(record, record=None, skipped=DUPLICATE)
                        seen.add(record.remote_id)
                        yield record
                        if len(records) % _YIELD_EVERY == 0:
                            await asyncio.sleep(0)  # the fetching of the next pages goes on meanwhile
                    for subject, reason in result.failures:
                        yield _failed(subject, reason, page.url)
                next_page = await ticket.head()
                ticket = None
                if self.pages is not None:
                    yield PageRead(page, next_page)
        finally:
            if ticket is not None:
                ticket.cancel()
            await ahead.stop()

    async def _fetch_ahead(
        self, readers: PageReaders, slots: asyncio.Semaphore, queue: asyncio.Queue[_Entry], resume: _Resume
    ) -> None:
        """Fetch pages in order and give each to a reader, at most ``readers.size + 1`` ahead of the consumer;
        a failure is queued in its page's place (the pages before it are stored first)."""
        try:
            guard = resume.guard
            url: str | None = resume.url
            pages = resume.pages
            while url is not None:
                if self.options.max_pages is not None and pages >= self.options.max_pages:
                    self.complete = False
                    break
                await slots.acquire()
                page = await self.http.get(url, headers={"Accept": ACCEPT})
                guard.check(page.url, page)
                pages += 1
                known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
                if known is not None:
                    await queue.put((page, known, None))
                    url = urljoin(page.url, known.next_url) if known.next_url else None
                    continue
                request = self._request(page)
                if self.store_aside is not None:
                    aside = AsideRequest(self.read_task(), page_records, request, self.store_aside, page.url)
                    ticket: Ticket[Any] = await readers.submit(store_page, aside, label=page.url)
                else:
                    ticket = await readers.submit(self.read_task(), request, label=page.url)
                await queue.put((page, None, ticket))
                next_page = await ticket.head()
                url = urljoin(page.url, next_page) if next_page else None
            await queue.put(None)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await queue.put(exc)

    def _open(self, page: FetchedPage) -> tuple[FeedReader, str | None]:
        with paused_gc():
            reader = open_page(self._request(page))
        try:
            return reader, reader.feed.next_page
        except BaseException:
            reader.close()
            raise

    def _request(self, page: FetchedPage) -> PageRequest:
        max_bytes = getattr(self.http, "max_response_bytes", None)
        return PageRequest(page.url, page.content, page.content_type, self.options.format, max_bytes)

    async def _page_records(self, reader: FeedReader, url: str) -> AsyncIterator[HarvestedRecord]:
        records = iter(reader)
        while True:
            chunk = await asyncio.to_thread(_take, records, _CHUNK)
            for parsed in chunk:
                yield harvested_from_parsed(parsed, url)
            if len(chunk) < _CHUNK:
                break
        for subject, reason in reader.failures:
            yield _failed(subject, reason, url)
