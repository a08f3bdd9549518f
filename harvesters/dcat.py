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
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from itertools import islice
from typing import ClassVar, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from catalog.exceptions import FeedError
from catalog.rdf.parse import FeedReader, ParsedRecord, detect_format, parse_feed
from harvesters.base import FetchedPage, HarvestedItem, HarvestedRecord, Harvester, PageRead, UnchangedPage

__all__ = [
    "ACCEPT",
    "DUPLICATE",
    "DcatHarvester",
    "DcatOptions",
    "check_not_plain_json",
    "harvested_from_parsed",
]

_CHUNK = 256
"""Records built per step off the event loop (parsing is CPU-bound)."""
_HEAD = 64 * 1024
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


def harvested_from_parsed(parsed: ParsedRecord, url: str) -> HarvestedRecord:
    """One parsed record as the engine takes it; keyed by IRI, else first identifier, else skipped."""
    remote_id = parsed.subject
    skipped: str | None = None
    if remote_id.startswith("_:"):
        if parsed.record.identifier:
            remote_id = parsed.record.identifier[0]
        else:
            skipped = "record has no IRI and no dct:identifier"
    return HarvestedRecord(
        remote_id=remote_id,
        raw=parsed.raw,
        raw_format="ntriples",
        record=None if skipped else parsed.record,
        problems=parsed.problems,
        url=url,
        skipped=skipped,
    )


def _next_page(reader: FeedReader) -> str | None:
    return reader.feed.next_page


def _take(records: Iterator[ParsedRecord], n: int) -> list[ParsedRecord]:
    return list(islice(records, n))


class DcatHarvester(Harvester[DcatOptions]):
    """A DCAT feed, followed page by page through Hydra paging."""

    name: ClassVar[str] = "dcat"
    display_name: ClassVar[str] = "DCAT feed (RDF)"
    Options: ClassVar[type[BaseModel]] = DcatOptions

    async def records(self) -> AsyncIterator[HarvestedItem]:
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
            guard.check(page.url, page.content)
            pages += 1
            known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
            if known is not None:
                seen.update(known.remote_ids)
                yield UnchangedPage(page.url)
                url = urljoin(page.url, known.next_url) if known.next_url else None
                continue
            reader = await asyncio.to_thread(self._read, page)
            try:
                async for record in self._page_records(reader, page.url):
                    if record.remote_id in seen and not record.error:
                        record = replace(record, record=None, skipped=DUPLICATE)
                    seen.add(record.remote_id)
                    yield record
                next_page = await asyncio.to_thread(_next_page, reader)
            finally:
                reader.close()
            if self.pages is not None:
                yield PageRead(page, next_page)
            url = urljoin(page.url, next_page) if next_page else None

    def _read(self, page: FetchedPage) -> FeedReader:
        data = page.content
        try:
            fmt = self.options.format or detect_format(
                content_type=page.content_type, name=urlsplit(page.url).path, data=data[:_HEAD]
            )
        except FeedError as exc:
            raise FeedError(f"{page.url}: {exc}") from exc
        if fmt == "jsonld":
            check_not_plain_json(data[:_HEAD], page.url)
        try:
            # The fetcher has cut the body at its cap already; the parser keeps to the same one.
            max_bytes = getattr(self.http, "max_response_bytes", None)
            return parse_feed(data, format=fmt, base_iri=page.url, max_bytes=max_bytes)
        except FeedError as exc:
            raise FeedError(f"{page.url}: {exc}") from exc

    async def _page_records(self, reader: FeedReader, url: str) -> AsyncIterator[HarvestedRecord]:
        records = iter(reader)
        while True:
            chunk = await asyncio.to_thread(_take, records, _CHUNK)
            for parsed in chunk:
                yield harvested_from_parsed(parsed, url)
            if len(chunk) < _CHUNK:
                break
        for subject, reason in reader.failures:
            yield HarvestedRecord(
                remote_id=subject, raw=b"", raw_format="ntriples", record=None, url=url, error=reason
            )
