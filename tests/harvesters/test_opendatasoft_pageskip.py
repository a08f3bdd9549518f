"""Unchanged Explore API pages (304) that the engine's page memory knows are not mapped again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plugin_support import load_municipalities_into, source, store_settings
from replay import RecordedRequest, ReplayServer, Reply
from test_opendatasoft import JSON, generated

from catalog.harvest.fetch import PageLoopGuard
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from harvesters.base import FetchedPage, HarvestedRecord, KnownPage, PageGuard, PageRead, UnchangedPage
from harvesters.opendatasoft import DATASETS, EXPORT, OdsOptions, OpendatasoftHarvester

PORTAL = "https://data.example.be"
Store = Any


@dataclass(frozen=True)
class _Page:
    url: str
    content: bytes
    from_cache: bool
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json"

    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return json.loads(self.content)


class _Http:
    """Answers each offset with a fixed page (the Http protocol, without a network)."""

    def __init__(self, pages: dict[int, _Page], export: _Page | None = None) -> None:
        self.pages = pages
        self.export = export

    async def get(self, url: str, *, params: Any = None, headers: Any = None) -> FetchedPage:
        if url.endswith(EXPORT):
            assert self.export is not None
            return self.export
        return self.pages[int(params["offset"])]

    async def post(self, url: str, *, content: bytes, content_type: str, headers: Any = None) -> FetchedPage:
        raise AssertionError("not used")

    def page_guard(self) -> PageGuard:
        return PageLoopGuard()


class _Memory:
    def __init__(self, known: dict[str, KnownPage]) -> None:
        self.known = known

    def recall(self, page: FetchedPage) -> KnownPage | None:
        return self.known.get(page.url)


def _page(offset: int, results: list[Any], *, cached: bool, total: int = 3) -> _Page:
    body = json.dumps({"total_count": total, "results": results}).encode()
    return _Page(f"{PORTAL}{DATASETS}?offset={offset}", body, cached)


def _items(harvester: OpendatasoftHarvester) -> list[Any]:
    async def drain() -> list[Any]:
        return [item async for item in harvester.records()]

    return asyncio.run(drain())


def test_a_known_page_answered_304_is_not_mapped_and_paging_goes_on() -> None:
    # The cached first page holds datasets that would fail if they were mapped again.
    unmappable = [{"dataset_id": "ds-00000", "metas": {}}, {"dataset_id": "ds-00001", "metas": {}}]
    first, second = _page(0, unmappable, cached=True), _page(2, [generated(2)], cached=False)
    harvester = OpendatasoftHarvester(source(PORTAL), OdsOptions(page_size=2), _Http({0: first, 2: second}))
    harvester.pages = _Memory({first.url: KnownPage(("ds-00000", "ds-00001"), None)})

    items = _items(harvester)

    assert isinstance(items[0], UnchangedPage) and items[0].url == first.url
    records = [i for i in items if isinstance(i, HarvestedRecord)]
    assert [(r.remote_id, r.error) for r in records] == [("ds-00002", None)]
    [read] = [i for i in items if isinstance(i, PageRead)]
    assert read.page is second and read.next_url is None, "the last page has no next page"


def test_pages_read_are_marked_with_their_next_page() -> None:
    first, second = (
        _page(0, [generated(0), generated(1)], cached=False),
        _page(2, [generated(2)], cached=False),
    )
    harvester = OpendatasoftHarvester(source(PORTAL), OdsOptions(page_size=2), _Http({0: first, 2: second}))
    harvester.pages = _Memory({})

    reads = [i for i in _items(harvester) if isinstance(i, PageRead)]

    assert [r.page for r in reads] == [first, second]
    assert reads[0].next_url is not None and "offset=2" in reads[0].next_url


def _export(items: list[Any], *, cached: bool) -> _Page:
    return _Page(f"{PORTAL}{EXPORT}", json.dumps(items).encode(), cached)


def test_past_the_window_the_export_is_one_page_to_the_memory() -> None:
    first = _page(0, [generated(0), generated(1)], cached=False, total=10_001)
    export = _export([generated(n) for n in range(3)], cached=False)
    harvester = OpendatasoftHarvester(source(PORTAL), OdsOptions(page_size=2), _Http({0: first}, export))
    harvester.pages = _Memory({})

    items = _items(harvester)

    shown = [(type(i).__name__, getattr(i, "remote_id", None)) for i in items]
    assert shown == [
        ("HarvestedRecord", "ds-00000"), ("HarvestedRecord", "ds-00001"), ("PageRead", None),
        ("HarvestedRecord", "ds-00002"), ("PageRead", None),
    ]  # fmt: skip
    assert [i.page for i in items if isinstance(i, PageRead)] == [first, export]


def test_a_known_unchanged_export_is_not_mapped() -> None:
    first = _page(0, [generated(0), generated(1)], cached=True, total=10_001)
    export = _export([{"dataset_id": "ds-00002", "metas": {}}], cached=True)  # would fail if mapped
    harvester = OpendatasoftHarvester(source(PORTAL), OdsOptions(page_size=2), _Http({0: first}, export))
    harvester.pages = _Memory(
        {first.url: KnownPage(("ds-00000", "ds-00001"), None), export.url: KnownPage(("ds-00002",), None)}
    )

    items = _items(harvester)

    assert items == [UnchangedPage(first.url), UnchangedPage(export.url)]


def test_unchanged_portal_is_answered_304_and_counted_unchanged(store: Store, replay: ReplayServer) -> None:
    load_municipalities_into(store.sessions)
    settings = store_settings(store.url)
    datasets = [generated(n) for n in range(5)]

    def listing(request: RecordedRequest) -> Reply:
        offset, limit = int(request.param("offset") or 0), int(request.param("limit") or 10)
        etag = f'"page-{offset}"'
        if request.headers.get("if-none-match") == etag:
            return Reply(b"", 304, {"ETag": etag})
        page = {"total_count": len(datasets), "results": datasets[offset : offset + limit]}
        return Reply(json.dumps(page).encode(), 200, {**JSON, "ETag": etag})

    replay.route(DATASETS, handler=listing)
    source_id = add_source(
        store.sessions,
        settings,
        name="ODS",
        kind="opendatasoft",
        url=replay.url(""),
        options={"page_size": 2},
    )
    first = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert first.counts["created"] == 5, first.summary()

    second = run_harvest(store.sessions, source_id=source_id, settings=settings)

    conditional = [r for r in replay.requests[3:] if r.headers.get("if-none-match")]
    assert len(conditional) == 3, "every page of the second run was asked conditionally"
    assert second.status == "succeeded" and second.complete
    assert (second.counts["unchanged"], second.counts["withdrawn"], second.counts["created"]) == (5, 0, 0)
