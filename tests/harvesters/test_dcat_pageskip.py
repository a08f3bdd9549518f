"""The DCAT harvester skips a page the engine's page memory knows, and marks the pages it reads."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plugin_support import source

from catalog.harvest.fetch import PageLoopGuard
from harvesters.base import FetchedPage, HarvestedRecord, KnownPage, PageGuard, PageRead, UnchangedPage
from harvesters.dcat import DcatHarvester, DcatOptions

PAGE_1 = "https://portal.example.org/feed.ttl"
PAGE_2 = "https://portal.example.org/feed.ttl?page=2"
TURTLE = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://data.example.be/dataset/9> a dcat:Dataset ; dct:title "Negen"@nl .
"""


@dataclass(frozen=True)
class _Page:
    url: str
    content: bytes
    from_cache: bool
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "text/turtle"

    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        raise AssertionError("not JSON")


class _Http:
    def __init__(self, pages: dict[str, _Page]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    async def get(self, url: str, *, params: Any = None, headers: Any = None) -> FetchedPage:
        self.asked.append(url)
        return self.pages[url]

    async def post(self, url: str, *, content: bytes, content_type: str, headers: Any = None) -> FetchedPage:
        raise AssertionError("not used")

    def page_guard(self) -> PageGuard:
        return PageLoopGuard()


class _Memory:
    def __init__(self, known: dict[str, KnownPage]) -> None:
        self.known = known
        self.asked: list[str] = []

    def recall(self, page: FetchedPage) -> KnownPage | None:
        self.asked.append(page.url)
        return self.known.get(page.url)


def _items(harvester: DcatHarvester) -> list[Any]:
    async def drain() -> list[Any]:
        return [item async for item in harvester.records()]

    return asyncio.run(drain())


def _http(*, cached_first: bool) -> _Http:
    # Page 1's cached body is not RDF at all: reading it would fail the run.
    return _Http({PAGE_1: _Page(PAGE_1, b"not turtle {", cached_first), PAGE_2: _Page(PAGE_2, TURTLE, False)})


def test_a_known_unmodified_page_is_not_parsed_and_its_next_link_followed() -> None:
    http = _http(cached_first=True)
    harvester = DcatHarvester(source(PAGE_1), DcatOptions(), http)
    memory = _Memory({PAGE_1: KnownPage(("https://data.example.be/dataset/1",), "feed.ttl?page=2")})
    harvester.pages = memory

    items = _items(harvester)

    assert http.asked == [PAGE_1, PAGE_2], "the remembered relative next link was followed"
    assert memory.asked == [PAGE_1], "only a page answered from the cache is looked up"
    assert items[0] == UnchangedPage(PAGE_1)
    assert [type(i) for i in items[1:]] == [HarvestedRecord, PageRead]
    assert items[1].remote_id == "https://data.example.be/dataset/9"
    assert items[2].page.url == PAGE_2 and items[2].next_url is None


def test_without_page_memory_only_records_are_yielded() -> None:
    http = _Http({PAGE_2: _Page(PAGE_2, TURTLE, True)})
    harvester = DcatHarvester(source(PAGE_2), DcatOptions(), http)
    items = _items(harvester)
    assert [type(i) for i in items] == [HarvestedRecord]


def test_an_unknown_cached_page_is_parsed() -> None:
    http = _Http({PAGE_2: _Page(PAGE_2, TURTLE, True)})
    harvester = DcatHarvester(source(PAGE_2), DcatOptions(), http)
    harvester.pages = _Memory({})
    items = _items(harvester)
    assert [type(i) for i in items] == [HarvestedRecord, PageRead]
