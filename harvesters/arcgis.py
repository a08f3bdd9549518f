"""ArcGIS Hub sites (and any DCAT-US ``data.json``, such as Socrata's) through their catalogue feeds.

What a steward enters is the site's address, e.g. ``https://portaal-stadantwerpen.opendata.arcgis.com``.
With the option ``feed = "auto"`` (the default) the harvester asks, in this order, for

1. ``/api/feed/dcat-ap/3.0.0.json`` (DCAT-AP 3, JSON-LD),
2. ``/api/feed/dcat-ap/2.1.1.json`` (DCAT-AP 2.1.1, JSON-LD),
3. ``/api/feed/dcat-us/1.1.json`` (DCAT-US 1.1),
4. ``/data.json`` (the legacy DCAT-US address),

and reads the first that answers with a usable body (an HTML page, an error or a document of another kind
moves on to the next, and the reasons are listed when none answers). The feed that worked is remembered in
the source's state and asked for first next time; only when it is gone (404, 410) or no longer a feed does
the harvester move on, a server error or timeout fails the run instead (tried again next time).
``feed = "dcat-ap-3" | "dcat-ap-2" | "dcat-us"`` asks for that one feed only. A source URL that already
names a feed (``.../api/feed/...``, ``.../data.json`` or any other document address, e.g. Socrata's
``https://data.example.org/data.json``) is read as it is.

How each kind is read (decided by the body, not by the address):

- **DCAT-AP JSON-LD** goes through the project's RDF reader (:mod:`catalog.rdf.parse`), as in the ``dcat``
  harvester, because JSON-LD may use any prefixes and nesting and only the RDF route reads them all
  correctly. Known remote contexts (SEMIC DCAT-AP, W3C DCAT) are replaced by a local context the project
  wrote, unknown ones are refused (see :mod:`harvesters._arcgis_jsonld`); Hub's HTML texts and licences
  are then repaired (:mod:`harvesters._arcgis_rdf`). RDF/XML and Turtle answers (a
  DCAT-AP-VL export such as Antwerp's) take the same route. Hydra paging is followed when present.
- **DCAT-US** ``data.json`` is plain JSON whose remote context is never read: its fixed field names are
  mapped directly (:mod:`harvesters._dcatus_map`), with HTML in text fields cleaned to text.

A record's remote id is the Hub item's identifier (``dct:identifier`` / DCAT-US ``identifier``, the
``https://www.arcgis.com/home/item.html?id=...`` address), which both feed kinds carry, so a site that
moves from one feed to the other keeps its records; a DCAT-AP record without one is keyed by its IRI. A
DCAT-US dataset without an identifier is skipped and counted. The option ``q`` passes the Hub Feed API's
free-text filter; such a listing is not the whole catalogue, so nothing is withdrawn after it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.exceptions import FeedError
from catalog.rdf.parse import FeedReader
from harvesters._arcgis_jsonld import prepare_jsonld
from harvesters._arcgis_rdf import hub_record, next_page_of, read_rdf, take
from harvesters._dcatus_map import dataset_identifier, map_dataset
from harvesters.base import FetchedPage, HarvestedItem, HarvestedRecord, Harvester, PageRead, UnchangedPage
from harvesters.dcat import DUPLICATE

__all__ = ["FEEDS", "ArcgisHarvester", "ArcgisOptions", "feed_urls", "read_dcat_us"]

FEEDS = {
    "dcat-ap-3": "/api/feed/dcat-ap/3.0.0.json",
    "dcat-ap-2": "/api/feed/dcat-ap/2.1.1.json",
    "dcat-us": "/api/feed/dcat-us/1.1.json",
}
"""Where a Hub site publishes each feed."""
LEGACY_DATA_JSON = "/data.json"
FEED_STATE = "feed_url"
"""State key: the feed URL that answered last time."""
ACCEPT = "application/json, application/ld+json, text/turtle;q=0.8, application/rdf+xml;q=0.8, */*;q=0.1"
_POD = "project-open-data.cio.gov"
_POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
_CHUNK = 256
_GONE = frozenset({404, 410})
_SITE_PAGES = frozenset({"search", "datasets", "maps", "documents", "pages", "explore", "about", "apps"})
"""First path segments of a Hub site's own pages: a URL of one stands for the site."""
_DOCUMENT_SUFFIXES = (".json", ".jsonld", ".xml", ".rdf", ".ttl", ".nt")


class ArcgisOptions(BaseModel):
    """Options of an ArcGIS Hub (or DCAT-US data.json) source."""

    model_config = ConfigDict(extra="forbid")

    feed: Literal["auto", "dcat-us", "dcat-ap-2", "dcat-ap-3"] = "auto"
    """Which feed to read; ``auto`` tries DCAT-AP 3, DCAT-AP 2.1.1, DCAT-US 1.1, then ``/data.json``."""
    language: str = Field(default="nl", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    """Language tag of the site's titles and descriptions (DCAT-US text carries none)."""
    q: str | None = Field(default=None, min_length=1)
    """The Hub Feed API's free-text filter (``?q=``); a filtered listing withdraws nothing."""


def _points_at_document(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return "/api/feed/" in path or path.endswith(_DOCUMENT_SUFFIXES)


def _site_root(url: str) -> str:
    """The site's address: a page of the site (``/search``, ``/datasets/...``) stands for its root."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if path.split("/")[1:2] and path.split("/")[1].lower() in _SITE_PAGES:
        path = ""
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def feed_urls(url: str, feed: str, remembered: str | None = None) -> list[str]:
    """The feed URLs to try, in order, for a source URL and the ``feed`` option."""
    if _points_at_document(url):
        return [url.strip()]
    root = _site_root(url)
    if feed != "auto":
        return [root + FEEDS[feed]]
    urls = [root + path for path in (*FEEDS.values(), LEGACY_DATA_JSON)]
    if remembered in urls:
        urls.remove(remembered)
        urls.insert(0, remembered)
    return urls


@dataclass(frozen=True)
class _Feed:
    """A page that answered usably, and what kind of document it is."""

    page: FetchedPage
    kind: Literal["dcat-us", "rdf"]
    datasets: list[Any] | None = None
    """The DCAT-US datasets, already read from the body."""
    jsonld: bytes | None = None
    """A JSON-LD body with its known remote contexts inlined (see ``harvesters._arcgis_jsonld``)."""


def _looks_like_html(page: FetchedPage) -> bool:
    head = page.content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    return page.content_type == "text/html" and head.startswith(b"<") and not head.startswith(b"<?xml")


def _is_dcat_us(body: Mapping[str, Any]) -> bool:
    context = body.get("@context")
    conforms = body.get("conformsTo")
    if isinstance(conforms, str) and _POD in conforms:
        return True
    if isinstance(context, str) and _POD in context:
        return True
    return "@context" not in body and "@graph" not in body and "dataset" in body


def read_dcat_us(body: Any, url: str) -> list[Any]:
    """The datasets of a DCAT-US catalogue (1.1 object or 1.0 list); FeedError naming what is wrong."""
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        raise FeedError(f"{url}: not a DCAT-US data.json: the document is a JSON {type(body).__name__}")
    if "@context" in body:
        context = body["@context"]
        inline = isinstance(context, dict | list)
        if not inline and not (isinstance(context, str) and _POD in context):
            raise FeedError(
                f"{url}: invalid @context {json.dumps(context)[:120]} for a DCAT-US data.json "
                f"(expected {_POD_CONTEXT})"
            )
    datasets = body.get("dataset")
    if not isinstance(datasets, list):
        found = "missing" if datasets is None else f"a JSON {type(datasets).__name__}"
        raise FeedError(f"{url}: not a DCAT-US data.json: 'dataset' must be a list of datasets ({found})")
    return datasets


def _classify(page: FetchedPage) -> _Feed:
    """What kind of feed ``page`` is; FeedError (with the URL) when it is not a usable one."""
    url = page.url
    if _looks_like_html(page):
        raise FeedError(f"{url}: an HTML page, not a feed")
    head = page.content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FeedError(f"{url}: empty answer")
    if not head.startswith((b"{", b"[")):
        return _Feed(page, "rdf")
    try:
        body = json.loads(page.content)
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"{url}: JSON syntax error: {exc}") from exc
    if isinstance(body, list) or (isinstance(body, dict) and _is_dcat_us(body)):
        return _Feed(page, "dcat-us", read_dcat_us(body, url))
    if isinstance(body, dict) and ("@context" in body or "@graph" in body):
        try:
            return _Feed(page, "rdf", jsonld=prepare_jsonld(page.content, body))
        except FeedError as exc:
            raise FeedError(f"{url}: {exc}") from exc
    keys = ", ".join(sorted(body)[:8]) if isinstance(body, dict) else type(body).__name__
    raise FeedError(
        f"{url}: neither a DCAT-US data.json (no 'dataset' list) nor DCAT-AP JSON-LD (no @context); "
        f"found: {keys}"
    )


class ArcgisHarvester(Harvester[ArcgisOptions]):
    """An ArcGIS Hub site through its DCAT-AP or DCAT-US feed; any DCAT-US data.json."""

    name: ClassVar[str] = "arcgis"
    display_name: ClassVar[str] = "ArcGIS Hub / DCAT-US data.json"
    Options: ClassVar[type[BaseModel]] = ArcgisOptions

    async def records(self) -> AsyncIterator[HarvestedItem]:
        found = self.source.state.get(FEED_STATE)
        remembered = found if isinstance(found, str) and self.options.feed == "auto" else None
        urls = feed_urls(self.source.url, self.options.feed, remembered)
        feed, url = await self._first_usable(urls, remembered if remembered in urls else None)
        self.state[FEED_STATE] = url
        if self.options.q:
            self.complete = False
        seen: set[str] = set()
        if feed.kind == "dcat-us":
            items: AsyncIterator[HarvestedItem] = self._dcat_us(feed, seen)
        else:
            items = self._rdf(feed, seen)
        async for item in items:
            yield item

    def _params(self) -> dict[str, str | int] | None:
        return {"q": self.options.q} if self.options.q else None

    async def _first_usable(self, urls: list[str], remembered: str | None) -> tuple[_Feed, str]:
        """The first of ``urls`` that answers with a feed; FeedError listing every reason when none does.

        The feed that answered last time (``remembered``) is only passed over when it is gone (HTTP 404 or
        410) or no longer a usable feed: a server error or a timeout fails the run (nothing is withdrawn, it
        is tried again next time) instead of switching to another feed for one night.
        """
        reasons: list[str] = []
        for url in urls:
            try:
                page = await self.http.get(url, params=self._params(), headers={"Accept": ACCEPT})
            except FeedError as exc:
                gone = getattr(exc, "status", None) in _GONE
                if len(urls) == 1 or (url == remembered and not gone):
                    raise
                reasons.append(str(exc))
                continue
            try:
                return await asyncio.to_thread(_classify, page), url
            except FeedError as exc:
                if len(urls) == 1:
                    raise
                reasons.append(str(exc))
        raise FeedError(f"{self.source.url}: no ArcGIS Hub or DCAT-US feed answered: " + "; ".join(reasons))

    def _recalled(self, page: FetchedPage, seen: set[str]) -> str | Literal[False] | None:
        """The remembered next link of an unchanged page (None on the last page), or False: parse it."""
        known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
        if known is None:
            return False
        seen.update(known.remote_ids)
        return known.next_url

    async def _dcat_us(self, feed: _Feed, seen: set[str]) -> AsyncIterator[HarvestedItem]:
        page = feed.page
        if self._recalled(page, seen) is not False:
            yield UnchangedPage(page.url)
            return
        datasets = feed.datasets or []
        for start in range(0, len(datasets), _CHUNK):
            chunk = datasets[start : start + _CHUNK]
            for record in await asyncio.to_thread(self._map_chunk, chunk, page.url):
                if record.remote_id in seen and record.record is not None:
                    record = replace(record, record=None, skipped=DUPLICATE)
                seen.add(record.remote_id)
                yield record
        if self.pages is not None:
            yield PageRead(page, None)

    def _map_chunk(self, chunk: list[Any], url: str) -> list[HarvestedRecord]:
        return [self._dcat_us_record(item, url) for item in chunk]

    def _dcat_us_record(self, item: Any, url: str) -> HarvestedRecord:
        raw = json.dumps(item, sort_keys=True, ensure_ascii=False).encode()
        if not isinstance(item, dict):
            return HarvestedRecord(
                "(not a dataset)", raw, "application/json", None, url=url, error="not a JSON object"
            )
        identifier = dataset_identifier(item)
        landing = item.get("landingPage")
        if isinstance(landing, str) and landing.startswith(("http://", "https://")):
            url = landing
        if identifier is None:
            title = item.get("title")
            label = f"(no identifier: {str(title)[:80]})" if title else "(no identifier)"
            return HarvestedRecord(
                label, raw, "application/json", None, url=url, skipped="dataset has no identifier"
            )
        try:
            dataset, problems = map_dataset(item, language=self.options.language.lower())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            error = f"{where}: {first['msg']}" if where else first["msg"]
            return HarvestedRecord(identifier, raw, "application/json", None, url=url, error=error)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a dataset of an unexpected shape
            error = f"dataset cannot be mapped: {type(exc).__name__}: {exc}"
            return HarvestedRecord(identifier, raw, "application/json", None, url=url, error=error)
        return HarvestedRecord(identifier, raw, "application/json", dataset, problems, url=url)

    async def _rdf(self, feed: _Feed, seen: set[str]) -> AsyncIterator[HarvestedItem]:
        guard = self.http.page_guard()
        page: FetchedPage | None = feed.page
        prepared = feed.jsonld
        max_bytes = getattr(self.http, "max_response_bytes", None)
        while page is not None:
            guard.check(page.url, page)
            recalled = self._recalled(page, seen)
            if recalled is not False:
                yield UnchangedPage(page.url)
                next_page = recalled
            else:
                reader = await asyncio.to_thread(read_rdf, page, max_bytes, prepared)
                try:
                    async for record in self._page_records(reader, page.url):
                        if record.remote_id in seen and record.record is not None:
                            record = replace(record, record=None, skipped=DUPLICATE)
                        seen.add(record.remote_id)
                        yield record
                    next_page = await asyncio.to_thread(next_page_of, reader)
                finally:
                    reader.close()
                if self.pages is not None:
                    yield PageRead(page, next_page)
            if not next_page:
                return
            prepared = None
            page = await self.http.get(urljoin(page.url, next_page), headers={"Accept": ACCEPT})

    async def _page_records(self, reader: FeedReader, url: str) -> AsyncIterator[HarvestedRecord]:
        records = iter(reader)
        while True:
            chunk = await asyncio.to_thread(take, records, _CHUNK)
            for parsed in chunk:
                yield hub_record(parsed, url)
            if len(chunk) < _CHUNK:
                break
        for subject, reason in reader.failures:
            yield HarvestedRecord(
                remote_id=subject, raw=b"", raw_format="ntriples", record=None, url=url, error=reason
            )
