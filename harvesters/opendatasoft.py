"""Opendatasoft portals through the Explore API v2.1.

The catalogue is listed with ``GET {portal}/api/explore/v2.1/catalog/datasets`` (``limit`` at most 100,
``offset``, ordered by ``dataset_id`` so pages do not shift), the total read from ``total_count``. The API
refuses ``offset + limit`` above 10,000 (HTTP 400, ``InvalidRESTParameterError``); a catalogue larger than
that is read from the catalogue export ``/api/explore/v2.1/catalog/exports/json`` (same dataset objects,
same ``where`` and ``order_by``, no limit) once the first page has told its size, and the datasets already
read are not read twice. Each dataset becomes one record keyed by its ``dataset_id``; its raw form is the
dataset object as JSON. The mapping is ``harvesters._ods_map``.

A page answered 304 that the engine's page memory knows is not mapped again: the harvester yields
``UnchangedPage`` and goes on with the next offset (see ``harvesters.base``); the export counts as one
page.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catalog.exceptions import FeedError
from harvesters._ods_exports import dataset_api_url
from harvesters._ods_map import map_dataset
from harvesters.base import FetchedPage, HarvestedItem, HarvestedRecord, Harvester, PageRead, UnchangedPage

__all__ = ["DATASETS", "EXPORT", "OFFSET_WINDOW", "OdsOptions", "OpendatasoftHarvester", "portal_base"]

DATASETS = "/api/explore/v2.1/catalog/datasets"
EXPORT = "/api/explore/v2.1/catalog/exports/json"
OFFSET_WINDOW = 10_000
"""The largest ``offset + limit`` the Explore API answers."""
_CHUNK = 500
"""Datasets mapped per step off the event loop (mapping is CPU-bound)."""
_JSON = "application/json"


class OdsOptions(BaseModel):
    """Options of an Opendatasoft source."""

    model_config = ConfigDict(extra="forbid")

    where: str | None = None
    """An ODSQL condition restricting the catalogue, e.g. ``publisher = "Stad Gent"``."""
    language: str = Field(default="nl", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    """The language tag of the texts, and the ``lang`` asked of the portal (its primary subtag: translated
    metadata where the portal has them)."""
    page_size: int = Field(default=100, ge=1, le=100)
    """Datasets per page (the API answers at most 100)."""


def portal_base(url: str) -> str:
    """The portal's root from a source URL that may name the API, a catalogue page or a dataset page."""
    url = url.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    for marker in ("/api/", "/explore/"):
        position = url.find(marker)
        if position >= 0:
            return url[:position]
    for tail in ("/api", "/explore"):
        if url.endswith(tail):
            return url[: -len(tail)]
    return url


def _results(page: FetchedPage, body: Any) -> tuple[list[Any], int]:
    """The dataset objects of one answer and the catalogue's total; FeedError naming what is missing."""
    if not isinstance(body, dict):
        raise FeedError(f"{page.url}: not an Opendatasoft Explore v2.1 answer: a JSON object was expected")
    if "results" not in body:
        hint = " (this looks like Explore API v2.0: `datasets`)" if "datasets" in body else ""
        raise FeedError(f"{page.url}: the answer has no `results` list of datasets{hint}")
    results, total = body["results"], body.get("total_count")
    if not isinstance(results, list):
        raise FeedError(f"{page.url}: `results` is not a list")
    if not isinstance(total, int) or isinstance(total, bool):
        raise FeedError(f"{page.url}: the answer has no `total_count` (the number of datasets)")
    _check_shape(page.url, results, "results")
    return results, total


def _check_shape(url: str, items: list[Any], where: str) -> None:
    """A page where no dataset has a ``dataset_id`` or ``metas`` is an API that changed, not bad records."""
    objects = [item for item in items if isinstance(item, dict)]
    if not items:
        return
    if not objects:
        raise FeedError(f"{url}: `{where}` holds no JSON objects")
    for key in ("dataset_id", "metas"):
        if not any(key in item for item in objects):
            raise FeedError(f"{url}: the datasets in `{where}` have no `{key}` field")


class OpendatasoftHarvester(Harvester[OdsOptions]):
    """An Opendatasoft portal, paged through the Explore API v2.1 catalogue."""

    name: ClassVar[str] = "opendatasoft"
    display_name: ClassVar[str] = "Opendatasoft (Explore API v2.1)"
    Options: ClassVar[type[BaseModel]] = OdsOptions

    async def records(self) -> AsyncIterator[HarvestedItem]:
        portal = portal_base(self.source.url)
        guard = self.http.page_guard()
        seen: set[str] = set()
        offset = 0
        while True:
            page = await self._get(portal + DATASETS, self._params(offset))
            guard.check(page.url, page)
            known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
            results, total = _results(page, await asyncio.to_thread(page.json))
            if known is not None:
                seen.update(known.remote_ids)
                yield UnchangedPage(page.url)
            else:
                async for record in self._mapped(results, portal, seen):
                    yield record
            offset += len(results)
            more = bool(results) and offset < total
            if total > OFFSET_WINDOW and more:
                if known is None and self.pages is not None:
                    yield PageRead(page, None)
                async for item in self._export(portal, seen):
                    yield item
                return
            if known is None and self.pages is not None:
                next_url = portal + DATASETS + "?" + urlencode(self._params(offset)) if more else None
                yield PageRead(page, next_url)
            if not results and offset < total:
                self.complete = False  # the listing ended early: datasets went away while paging
            if not more:
                return

    def _params(self, offset: int | None) -> dict[str, str | int]:
        """Query parameters of a page at ``offset``, or of the export (None)."""
        lang = self.options.language.split("-")[0].lower()  # ODS knows languages, not regions
        params: dict[str, str | int] = {"order_by": "dataset_id", "lang": lang}
        if offset is not None:
            params.update(limit=self.options.page_size, offset=offset)
        if self.options.where:
            params["where"] = self.options.where
        return params

    async def _get(self, url: str, params: Mapping[str, str | int]) -> FetchedPage:
        try:
            return await self.http.get(url, params=params, headers={"Accept": _JSON})
        except FeedError as exc:
            if getattr(exc, "status", None) == 400 and self.options.where:
                raise FeedError(f"{exc}: the portal refused the query; check the `where` option") from exc
            raise

    async def _export(self, portal: str, seen: set[str]) -> AsyncIterator[HarvestedItem]:
        """The datasets past the offset window, from the catalogue export (one JSON list).

        The export is one page to the engine's page memory: unchanged (304) and known, it is not mapped.
        """
        page = await self._get(portal + EXPORT, self._params(None))
        known = self.pages.recall(page) if self.pages is not None and page.from_cache else None
        if known is not None:
            seen.update(known.remote_ids)
            yield UnchangedPage(page.url)
            return
        items = await asyncio.to_thread(page.json)
        if not isinstance(items, list):
            raise FeedError(f"{page.url}: the catalogue export is not a JSON list of datasets")
        _check_shape(page.url, items, "the export")
        rest = [i for i in items if not (isinstance(i, dict) and str(i.get("dataset_id")) in seen)]
        async for record in self._mapped(rest, portal, seen):
            yield record
        if self.pages is not None:
            yield PageRead(page, None)

    async def _mapped(self, items: list[Any], portal: str, seen: set[str]) -> AsyncIterator[HarvestedRecord]:
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            for record in await asyncio.to_thread(self._records, chunk, portal):
                if record.remote_id in seen and record.error is None:
                    record = HarvestedRecord(
                        record.remote_id, record.raw, record.raw_format, None, url=record.url,
                        skipped="listed again: a dataset with this id was read earlier in this run",
                    )  # fmt: skip
                seen.add(record.remote_id)
                yield record

    def _records(self, items: Iterable[Any], portal: str) -> list[HarvestedRecord]:
        return [self._record(item, portal) for item in items]

    def _record(self, item: Any, portal: str) -> HarvestedRecord:
        raw = json.dumps(item, sort_keys=True, ensure_ascii=False).encode()
        if not isinstance(item, dict):
            return HarvestedRecord("(not a dataset)", raw, _JSON, None, error="not a JSON object")
        dataset_id = item.get("dataset_id")
        if not isinstance(dataset_id, str) or not dataset_id.strip():
            return HarvestedRecord("(no dataset_id)", raw, _JSON, None, error="dataset has no `dataset_id`")
        url = dataset_api_url(portal, dataset_id)
        metas = item.get("metas")
        if not isinstance(metas, dict) or not isinstance(metas.get("default"), dict):
            error = "dataset has no `metas.default` object"
            return HarvestedRecord(dataset_id, raw, _JSON, None, url=url, error=error)
        try:
            dataset, problems = map_dataset(item, portal=portal, language=self.options.language.lower())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            error = f"{where}: {first['msg']}" if where else first["msg"]
            return HarvestedRecord(dataset_id, raw, _JSON, None, url=url, error=error)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a dataset of an unexpected shape
            error = f"dataset cannot be mapped: {type(exc).__name__}: {exc}"
            return HarvestedRecord(dataset_id, raw, _JSON, None, url=url, error=error)
        return HarvestedRecord(dataset_id, raw, _JSON, dataset, problems, url=url)
