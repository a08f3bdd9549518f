"""CKAN portals (and DKAN, which answers in CKAN's shape) through the Action API.

A full run pages through ``package_search`` (``rows``/``start``, sorted by id so pages do not shift).
Later runs are incremental: only packages whose ``metadata_modified`` is at or after the high-water mark
of the previous run are asked for (the mark is kept in the source's state), and such a run is not
complete, so the engine withdraws nothing after it. Every ``full_every_days`` a full run is made again so
that deleted packages are seen and withdrawn.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from catalog.exceptions import FeedError
from harvesters._ckan_map import map_package
from harvesters.base import FetchedPage, HarvestedRecord, Harvester

__all__ = ["CkanHarvester", "CkanOptions", "api_base"]

_ACTION = "/api/3/action/"
HIGH_WATER_MARK = "high_water_mark"
"""State key: the newest ``metadata_modified`` seen, in Solr's date format."""
DUPLICATE = "listed again: a package with this id was read earlier in this run (pages shifted)"
LAST_FULL_RUN = "last_full_run"
"""State key: when the last full listing was made (ISO 8601, UTC)."""


class CkanOptions(BaseModel):
    """Options of a CKAN source."""

    model_config = ConfigDict(extra="forbid")

    api: Literal["package_search", "current_package_list_with_resources"] = "package_search"
    """The listing action; DKAN sites offer ``current_package_list_with_resources`` (limit/offset)."""
    rows: int = Field(default=500, ge=1, le=1000)
    """Packages asked for per page (a portal that caps it lower is still read whole: paging follows count)."""
    sort: str | None = "id asc"
    """package_search sort order, stable so pages do not shift; empty for the portal's own order."""
    organization: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("organization", "organisation")
    )
    """Only packages of these organisations (names; ``organisation`` works too); a comma-separated string is
    accepted."""
    tags: list[str] = Field(default_factory=list)
    """Only packages with at least one of these tags."""
    fq: str | None = None
    """An extra Solr filter query, ANDed with the others."""
    language: str = Field(default="nl", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    """Language tag of the portal's titles and descriptions (untranslated CKAN fields)."""
    incremental: bool = True
    """Ask only for packages modified since the previous run (package_search only)."""
    full_every_days: float = Field(default=7, gt=0)
    """A full run at least this often, so deleted packages are seen."""

    @field_validator("organization", "tags", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _filters_need_search(self) -> CkanOptions:
        if self.api != "package_search" and (self.organization or self.tags or self.fq):
            raise ValueError("organization, tags and fq filters need api = package_search")
        return self


def api_base(url: str) -> str:
    """The portal's root from a source URL that may name the API or an action."""
    url = url.strip().rstrip("/")
    if url.endswith("/dataset"):  # the portal's dataset list page
        url = url[: -len("/dataset")]
    for marker in (_ACTION, "/api/3", "/api/action", "/api"):
        position = url.find(marker)
        if position >= 0 and (marker != "/api" or url.endswith("/api")):
            return url[:position]
    return url


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _solr_date(value: Any) -> str | None:
    """``metadata_modified`` as a Solr date (UTC, milliseconds, rounded down); None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class CkanHarvester(Harvester[CkanOptions]):
    """A CKAN (or DKAN) portal through its Action API."""

    name: ClassVar[str] = "ckan"
    display_name: ClassVar[str] = "CKAN"
    Options: ClassVar[type[BaseModel]] = CkanOptions

    async def records(self) -> AsyncIterator[HarvestedRecord]:
        base = api_base(self.source.url)
        since = self._incremental_since()
        newest: str | None = None
        seen: set[str] = set()
        guard = self.http.page_guard()
        offset = 0
        while True:
            page = await self._fetch(base, offset, since)
            guard.check(page.url, page)
            packages, count = self._packages(page)
            for package in packages:
                modified = _solr_date(package.get("metadata_modified")) if isinstance(package, dict) else None
                if modified and (newest is None or modified > newest):
                    newest = modified
            # Mapping is CPU-bound (~0.5 ms a package): off the event loop, one page at a time.
            for record in await asyncio.to_thread(self._records, packages, base):
                if record.remote_id in seen and not record.error:
                    record = replace(record, record=None, skipped=DUPLICATE)
                seen.add(record.remote_id)
                yield record
            offset += len(packages)
            if count is not None and not packages and offset < count:
                self.complete = False  # the listing ended early: packages went away while paging
            if not packages or (offset >= count if count is not None else len(packages) < self.options.rows):
                break
        self._finish(since, newest)

    def _incremental_since(self) -> str | None:
        """The high-water mark to list from, or None for a full run."""
        options = self.options
        mark = self.source.state.get(HIGH_WATER_MARK)
        last_full = self.source.state.get(LAST_FULL_RUN)
        if not (options.incremental and options.api == "package_search" and mark and last_full):
            return None
        try:
            previous = datetime.fromisoformat(str(last_full))
        except ValueError:
            return None
        if previous.tzinfo is None:
            previous = previous.replace(tzinfo=UTC)
        if datetime.now(UTC) - previous >= timedelta(days=options.full_every_days):
            return None
        return str(mark)

    def _finish(self, since: str | None, newest: str | None) -> None:
        if since is None:
            self.state[LAST_FULL_RUN] = datetime.now(UTC).isoformat(timespec="seconds")
            if newest:
                self.state[HIGH_WATER_MARK] = newest
        else:
            self.complete = False
            self.state[HIGH_WATER_MARK] = max(since, newest or since)

    def _filters(self, since: str | None) -> str | None:
        options = self.options
        parts: list[str] = []
        if options.organization:
            parts.append("organization:(" + " OR ".join(_quote(o) for o in options.organization) + ")")
        if options.tags:
            parts.append("tags:(" + " OR ".join(_quote(t) for t in options.tags) + ")")
        if options.fq:
            parts.append(f"({options.fq})")
        if since:
            parts.append(f"metadata_modified:[{since} TO *]")
        return " AND ".join(parts) or None

    async def _fetch(self, base: str, offset: int, since: str | None) -> FetchedPage:
        options = self.options
        params: dict[str, str | int]
        if options.api == "package_search":
            params = {"rows": options.rows, "start": offset}
            if options.sort:
                params["sort"] = options.sort
            fq = self._filters(since)
            if fq:
                params["fq"] = fq
        else:
            params = {"limit": options.rows, "offset": offset}
        return await self.http.get(base + _ACTION + options.api, params=params)

    def _packages(self, page: FetchedPage) -> tuple[list[Any], int | None]:
        """The packages of one answer and, for package_search, the total count."""
        body = page.json()
        if not isinstance(body, dict) or "result" not in body:
            raise FeedError(f"{page.url}: not a CKAN Action API answer")
        if body.get("success") is False:
            raise FeedError(f"{page.url}: the portal refused the request: {body.get('error')}")
        result = body["result"]
        if isinstance(result, list):
            return result, None
        if isinstance(result, dict) and isinstance(result.get("results"), list):
            count = result.get("count")
            return result["results"], count if isinstance(count, int) else None
        raise FeedError(f"{page.url}: a CKAN answer without a list of packages")

    def _records(self, packages: list[Any], base: str) -> list[HarvestedRecord]:
        return [self._record(package, base) for package in packages]

    def _record(self, package: Any, base: str) -> HarvestedRecord:
        if not isinstance(package, Mapping):
            raw = json.dumps(package, sort_keys=True, ensure_ascii=False).encode()
            return HarvestedRecord(
                "(not a package)", raw, "application/json", None, error="not a JSON object"
            )
        remote_id = str(package.get("id") or package.get("name") or "")
        raw = json.dumps(package, sort_keys=True, ensure_ascii=False).encode()
        url = f"{base}{_ACTION}package_show?id={remote_id}"
        if not remote_id:
            return HarvestedRecord(
                "(no id)", raw, "application/json", None, url=url, error="package has no id"
            )
        state = str(package.get("state") or "active").lower()
        kind = str(package.get("type") or "dataset").lower()
        skipped = None
        if state != "active":
            skipped = f"package state is {state}"
        elif kind == "harvest":
            skipped = "a harvest source, not a dataset"
        if skipped:
            return HarvestedRecord(remote_id, raw, "application/json", None, url=url, skipped=skipped)
        try:
            dataset, problems = map_package(package, language=self.options.language.lower(), base_url=base)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            error = f"{where}: {first['msg']}" if where else first["msg"]
            return HarvestedRecord(remote_id, raw, "application/json", None, url=url, error=error)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a package of an unexpected shape
            error = f"package cannot be mapped: {type(exc).__name__}: {exc}"
            return HarvestedRecord(remote_id, raw, "application/json", None, url=url, error=error)
        return HarvestedRecord(remote_id, raw, "application/json", dataset, problems, url=url)
