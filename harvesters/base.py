"""The harvester plugin API.

A portal kind is one module with one class::

    class CkanHarvester(Harvester[CkanOptions]):
        name = "ckan"
        display_name = "CKAN"
        Options = CkanOptions

        async def records(self) -> AsyncIterator[HarvestedRecord]:
            ...  # fetch pages with self.http, yield one HarvestedRecord per dataset

and is registered under the entry-point group ``catalog.harvesters`` (``ckan = "harvesters.ckan:
CkanHarvester"``). Everything else is the engine's (``catalog.harvest``): jobs and their status, the
per-record log, retries, limits, dry runs, batching, change detection and withdrawal.

Rules a plugin follows:

- Fetch only through ``self.http`` (the engine's safe fetcher: SSRF guard, size cap, retries, conditional
  GET, paging-loop guard). Never open a connection or a file itself.
- Yield every record it finds. A record it cannot read is yielded with ``record=None`` and ``error`` set
  (it fails alone, with its remote id); a record deliberately left out (not a dataset, say) is yielded with
  ``record=None`` and ``skipped`` set. Raise (``FeedError``) only when the whole listing cannot go on:
  a page that cannot be read ends the run, and the engine withdraws nothing after it.
- Set ``self.complete = False`` before returning when the listing was not the source's whole catalogue
  (an incremental run): the engine withdraws only after a complete one.

Skipping unchanged pages (optional): when the engine sets ``self.pages`` (a ``PageMemory``), a plugin may
yield ``PageRead(page, next_url)`` after the last record of each page it parsed, and, for a page answered
304 (``page.from_cache``) that ``self.pages.recall(page)`` knows, yield ``UnchangedPage(page.url)``
instead of parsing it and go on with the remembered next link. The engine then marks the records that page
produced last time as seen and unchanged. With ``self.pages`` None (a dry run with a limit, a test drain)
a plugin yields records only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from catalog.model import DataService, Dataset, DatasetSeries
from catalog.rdf.parse import Problem

__all__ = [
    "FetchedPage",
    "HarvestedItem",
    "HarvestedRecord",
    "Harvester",
    "Http",
    "KnownPage",
    "NoOptions",
    "PageGuard",
    "PageMemory",
    "PageRead",
    "SourceInfo",
    "StoredAside",
    "UnchangedPage",
]


class FetchedPage(Protocol):
    """A response as the engine's fetcher gives it to a plugin (see ``catalog.harvest.fetch``)."""

    @property
    def url(self) -> str:
        """The final URL, after redirects."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes:
        """The body, decompressed; at most ``harvest.max_response_bytes``."""

    @property
    def content_type(self) -> str | None:
        """The media type without parameters (``"text/turtle"``), or None."""

    @property
    def from_cache(self) -> bool:
        """True when the server answered 304 Not Modified and the body is the cached copy."""

    def text(self) -> str:
        """The body decoded with the declared or detected charset."""

    def json(self) -> Any:
        """The body parsed as JSON; ``FeedError`` when it is not JSON."""


class PageGuard(Protocol):
    """Stops a paged listing that loops: a page URL or body seen before raises ``FeedError``."""

    def check(self, url: str, page: FetchedPage) -> None:
        """``url``: the page's address as the listing knows it (usually ``page.url``)."""


class Http(Protocol):
    """The safe fetcher a plugin is given: SSRF guard, size cap, retries, conditional GET."""

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        """GET ``url``; raises ``FeedError`` (with the URL and the reason) when it cannot."""

    async def post(
        self,
        url: str,
        *,
        content: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        """POST ``content`` (e.g. a CSW GetRecords request)."""

    def page_guard(self) -> PageGuard:
        """A fresh guard for one paged listing."""


class NoOptions(BaseModel):
    """The options of a harvester that has none: any option given is refused by name."""

    model_config = ConfigDict(extra="forbid")


OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class SourceInfo:
    """What a harvester knows of the source it harvests."""

    id: int
    name: str
    url: str
    municipality: str | None = None
    last_success: datetime | None = None
    """When the last complete, successful run of this source finished (for incremental harvesting)."""
    state: Mapping[str, Any] = field(default_factory=dict)
    """What the plugin stored after the previous run (``Harvester.state``), e.g. a high-water mark."""


@dataclass(frozen=True)
class HarvestedRecord:
    """One record found at a source: its key, the bytes it came as, and what the catalogue made of it."""

    remote_id: str
    """The record's key within its source (a dataset IRI, a CKAN package id ...)."""
    raw: bytes
    """The record as the source sent it (a CKAN package's JSON, a dataset's own triples ...)."""
    raw_format: str
    """Media type or short name of ``raw``: ``"ntriples"``, ``"application/json"`` ..."""
    record: Dataset | DataService | DatasetSeries | None
    """The mapped record; None when it failed (``error``) or was skipped (``skipped``)."""
    problems: tuple[Problem, ...] = ()
    """What the mapping could not keep (an unknown licence, an unparseable date ...)."""
    url: str | None = None
    """Where the original can be seen (the page or API URL), for the job's per-record log."""
    error: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class PageRead:
    """Yielded after every record of a parsed page: the engine may remember what the page produced."""

    page: FetchedPage
    next_url: str | None
    """The page's next link as written in it (relative or absolute), or None on the last page."""


@dataclass(frozen=True)
class UnchangedPage:
    """Yielded instead of the records of a page ``PageMemory.recall`` knew: they are all unchanged."""

    url: str
    """``page.url`` of the recalled page."""


@dataclass(frozen=True)
class KnownPage:
    """What a page produced when it was last read in full."""

    remote_ids: tuple[str, ...]
    next_url: str | None


class PageMemory(Protocol):
    """The engine's memory of pages read before (see the module docstring)."""

    def recall(self, page: FetchedPage) -> KnownPage | None:
        """What ``page`` produced last time, when it is the same body and every record is still stored
        as it was; else None (parse the page)."""


@dataclass(frozen=True)
class StoredAside:
    """Yielded instead of a page's records when a page reader stores the page itself (a plugin given
    ``store_aside`` by the engine, see ``catalog.harvest.aside``): the engine answers the reader's question
    (which of the page's remote ids came earlier in the run), waits until the page is stored and counts
    what the store did. A ``PageRead`` follows, as after records."""

    url: str
    """The page's URL."""
    ticket: Any
    """The page reader's ``catalog.harvest.readers.Ticket``."""


HarvestedItem = HarvestedRecord | PageRead | UnchangedPage | StoredAside
"""What a plugin's ``records()`` yields."""


class Harvester(ABC, Generic[OptionsT]):
    """Base of every harvester plugin: a name, declared options and one async generator of records."""

    name: ClassVar[str]
    """The source kind, as stored on the source and used in the entry point (``"ckan"``)."""
    display_name: ClassVar[str]
    """Shown to stewards (``"CKAN"``)."""
    Options: ClassVar[type[BaseModel]] = NoOptions
    """Pydantic model of the source's options; validated when a source is saved."""

    def __init__(self, source: SourceInfo, options: OptionsT, http: Http) -> None:
        self.source = source
        self.options = options
        self.http = http
        self.complete = True
        """Set False when the listing was not the whole catalogue (an incremental run)."""
        self.state: dict[str, Any] = dict(source.state)
        """Kept by the engine after a successful run and given back as ``source.state`` next time."""
        self.pages: PageMemory | None = None
        """Set by the engine when unchanged pages may be skipped (see the module docstring)."""

    @abstractmethod
    def records(self) -> AsyncIterator[HarvestedItem]:
        """Yield every record of the source, page by page (and page marks, see the module docstring)."""
