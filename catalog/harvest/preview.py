"""Testing a source before it is saved: what the catalogue would make of its first records.

``preview_source`` runs the source kind's plugin over the given URL and options through the engine's own
pieces: the registry (the kind and its ``Options``), the SSRF guard on the URL (``check_source_url``) and
the safe fetcher (``Fetcher.from_settings``: guard on every hop, size cap, retries, timeouts), with no
page cache, no job and no session, so nothing is written anywhere. The runner's dry run cannot serve here:
it compares against the records a *saved* source already has in the store, and this source has none.

For each of the first ``limit`` records it gives what a harvest would store (the mapped record as JSON
and the municipality the engine would place it in) and its problems: those the mapping met
(``HarvestedRecord.problems``) and the findings of the quality validator (``catalog.quality``); a record
the plugin could not read or left out is reported as ``failed`` or ``skipped`` with its reason, as the
job's log would. The fetch diagnostics list every request (URL, status, content type, bytes,
milliseconds). A listing that cannot be read to the end (a page that fails, a paging loop, the deadline)
does not raise: the records read so far are returned with ``error`` set.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.exceptions import CatalogError, InputError
from catalog.harvest.registry import get_harvester, validate_options
from catalog.harvest.sources import check_source_url
from catalog.model import DataService, Dataset, DatasetSeries
from catalog.normalise import municipality_of
from catalog.settings import Settings
from harvesters.base import HarvestedRecord, SourceInfo

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PREVIEW_DEADLINE",
    "Preview",
    "PreviewPage",
    "PreviewProblem",
    "PreviewRecord",
    "preview_source",
    "record_findings",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 200
PREVIEW_DEADLINE = 60.0
"""Seconds a test of a source may take in all before it stops with the records read so far."""


@dataclass(frozen=True, slots=True)
class PreviewProblem:
    """One problem with a record: from the mapping (``origin="mapping"``) or the validator."""

    origin: str
    """``mapping`` (what the harvester could not keep) or ``validation`` (the quality validator)."""
    severity: str
    """``violation``, ``warning`` or ``info``; mapping problems are warnings (the record is kept)."""
    path: str
    message: str
    message_nl: str | None = None
    value: str | None = None
    shape: str | None = None
    focus: str | None = None
    """The node a validation finding is about (the dataset, a distribution ...)."""


@dataclass(frozen=True, slots=True)
class PreviewRecord:
    """One record as a harvest would take it."""

    remote_id: str
    status: str
    """``ok`` (it would be stored), ``failed`` or ``skipped`` (with ``reason``)."""
    url: str | None = None
    reason: str | None = None
    municipality: str | None = None
    """NIS code of the municipality the engine would place it in."""
    record: dict[str, Any] | None = None
    problems: list[PreviewProblem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PreviewPage:
    """One request the plugin made, as the fetcher logged it."""

    method: str
    url: str
    final_url: str | None
    status: int | None
    content_type: str | None
    bytes: int
    ms: int
    attempts: int
    redirects: int
    error: str | None = None


@dataclass
class Preview:
    """The outcome of a test of a source."""

    kind: str
    url: str
    limit: int
    records: list[PreviewRecord] = field(default_factory=list)
    pages: list[PreviewPage] = field(default_factory=list)
    listing_ended: bool = False
    """The plugin's listing ended before ``limit`` records: the source has no more."""
    error: str | None = None
    """Why the listing could not be read further, or None."""
    seconds: float = 0.0

    @property
    def pages_seen(self) -> int:
        """Requests that were answered with a body."""
        return sum(1 for page in self.pages if page.error is None)

    def counts(self) -> dict[str, int]:
        found = {"ok": 0, "failed": 0, "skipped": 0}
        for record in self.records:
            found[record.status] = found.get(record.status, 0) + 1
        return found

    def as_json(self) -> dict[str, Any]:
        """The preview as the API answers it."""
        return {
            "kind": self.kind,
            "url": self.url,
            "limit": self.limit,
            "counts": self.counts(),
            "listing_ended": self.listing_ended,
            "error": self.error,
            "records": [asdict(record) for record in self.records],
            "fetch": {
                "pages_seen": self.pages_seen,
                "requests": [asdict(page) for page in self.pages],
                "total_ms": round(self.seconds * 1000),
            },
        }


def record_findings(record: Dataset | DataService | DatasetSeries, *, base_uri: str) -> list[PreviewProblem]:
    """The quality validator's findings on a mapped record (``catalog.quality.validate.check_record``, the
    DCAT-AP-VL shapes), the one place the test of a source calls the validator."""
    from catalog.quality.validate import check_record

    return [
        PreviewProblem(
            origin="validation",
            severity=f.severity,
            path=f.path or "",
            message=f.message,
            message_nl=f.message_nl,
            value=f.value,
            shape=f.shape,
            focus=f.focus,
        )
        for f in check_record(record, base_uri=base_uri)
    ]


def _preview_record(
    harvested: HarvestedRecord, default_municipality: str | None, base_uri: str
) -> PreviewRecord:
    if harvested.error is not None:
        return PreviewRecord(harvested.remote_id, "failed", harvested.url, harvested.error)
    record = harvested.record
    if harvested.skipped is not None or record is None:
        reason = harvested.skipped or "no record"
        return PreviewRecord(harvested.remote_id, "skipped", harvested.url, reason)
    problems = [
        PreviewProblem("mapping", "warning", p.path, p.message, value=p.value) for p in harvested.problems
    ]
    problems.extend(record_findings(record, base_uri=base_uri))
    return PreviewRecord(
        harvested.remote_id,
        "ok",
        harvested.url,
        municipality=municipality_of(record, default=default_municipality),
        record=record.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        problems=problems,
    )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"the limit must be between 1 and {MAX_LIMIT}, not {limit}")


async def preview_source(
    settings: Settings,
    *,
    kind: str,
    url: str,
    options: Mapping[str, Any] | None = None,
    municipality: str | None = None,
    limit: int = DEFAULT_LIMIT,
    deadline: float = PREVIEW_DEADLINE,
    name: str = "test",
) -> Preview:
    """Fetch and map the first ``limit`` records of a source that is not saved; write nothing.

    ``InputError`` for an unknown kind, invalid options, a refused URL or a limit out of range (nothing
    fetched then); any failure while reading the listing is reported in ``Preview.error``.
    """
    from catalog.harvest.fetch import Fetcher

    _check_limit(limit)
    harvester_class = get_harvester(kind)
    checked = validate_options(kind, options or {})
    check_source_url(url, settings)
    preview = Preview(kind=kind, url=url, limit=limit)
    started = time.perf_counter()
    info = SourceInfo(id=0, name=name, url=url, municipality=municipality)
    async with Fetcher.from_settings(settings) as fetcher:
        plugin = harvester_class(info, checked, fetcher)
        records = plugin.records()
        seen: set[str] = set()
        try:
            async with asyncio.timeout(deadline):
                base = settings.catalog.base_uri
                preview.listing_ended = await _take(records, preview, seen, municipality, base)
        except TimeoutError:
            preview.error = f"the test stopped after {deadline:g} s; the records read until then are shown"
        except CatalogError as exc:
            preview.error = str(exc) or type(exc).__name__
        except Exception as exc:  # a plugin's own bug: the steward still sees what was read
            preview.error = f"the {kind} harvester failed: {type(exc).__name__}: {exc}"
        finally:
            aclose = getattr(records, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        preview.pages = [
            PreviewPage(
                method=log.method,
                url=log.url,
                final_url=log.final_url,
                status=log.status,
                content_type=log.content_type,
                bytes=log.bytes,
                ms=round(log.elapsed * 1000),
                attempts=log.attempts,
                redirects=log.redirects,
                error=log.error,
            )
            for log in fetcher.log
        ]
    preview.seconds = time.perf_counter() - started
    return preview


async def _take(
    records: Any, preview: Preview, seen: set[str], municipality: str | None, base_uri: str
) -> bool:
    """Read records into the preview until ``limit``; True when the listing ended first."""
    async for item in records:
        if not isinstance(item, HarvestedRecord):
            continue  # page marks: the engine's page memory is not used in a test
        if not item.remote_id:
            reason = "the record has no remote id"
            preview.records.append(PreviewRecord("", "failed", item.url, reason))
        elif item.remote_id in seen:
            reason = "listed more than once; the first one would be kept"
            preview.records.append(PreviewRecord(item.remote_id, "skipped", item.url, reason))
        else:
            seen.add(item.remote_id)
            preview.records.append(_preview_record(item, municipality, base_uri))
        if len(preview.records) >= preview.limit:
            return False
    return True
