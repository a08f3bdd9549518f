"""Loading a parsed DCAT document into the store as one harvest of its source, through the harvest engine.

``import_feed`` runs ``catalog.harvest.runner`` with a plugin that reads an already parsed document
(``FeedReader``) instead of fetching: the same job (one run per source, heartbeat), batches (one
transaction each, so a run cut off at any moment leaves whole batches or nothing), per-record log and
withdrawal rules (only after every record was read; held, with the job ``partial``, when it would take more
than ``withdraw_threshold`` of the source's live records, unless confirmed) as every harvest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session, sessionmaker

from catalog.harvest.report import HarvestReport
from catalog.harvest.runner import run_harvest
from catalog.rdf.parse import FeedReader, ParsedRecord
from catalog.settings import get_settings
from harvesters.base import FetchedPage, HarvestedRecord, Harvester, PageGuard

__all__ = ["ImportReport", "import_feed", "remote_id_of"]

ImportReport = HarvestReport
"""What one import did (a harvest report)."""

_YIELD_EVERY = 256
"""Records read between two chances for the event loop to run (the job's heartbeat)."""


def remote_id_of(parsed: ParsedRecord) -> str | None:
    """A record's key within its source: its IRI, else its first ``dct:identifier``."""
    if not parsed.subject.startswith("_:"):
        return parsed.subject
    return parsed.record.identifier[0] if parsed.record.identifier else None


class _NoHttp:
    """The fetcher of a document already read: it fetches nothing."""

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> FetchedPage:
        raise RuntimeError("an imported document fetches nothing")

    async def post(
        self, url: str, *, content: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> FetchedPage:
        raise RuntimeError("an imported document fetches nothing")

    def page_guard(self) -> PageGuard:
        raise RuntimeError("an imported document fetches nothing")


class _AnyOptions(BaseModel):
    """The source's options belong to its own harvester: a document read here ignores them."""

    model_config = ConfigDict(extra="ignore")


class _ReaderHarvester(Harvester[_AnyOptions]):
    """Yields the records of one parsed document, then the ones it could not read as failed."""

    name: ClassVar[str] = "dcat-document"
    display_name: ClassVar[str] = "DCAT document"
    Options: ClassVar[type[BaseModel]] = _AnyOptions
    reader: ClassVar[FeedReader]

    async def records(self) -> AsyncIterator[HarvestedRecord]:
        url = self.source.url
        for count, parsed in enumerate(self.reader, 1):
            remote_id = remote_id_of(parsed)
            if remote_id is None:
                skipped = "no IRI and no dct:identifier"
                yield HarvestedRecord(parsed.subject, parsed.raw, "ntriples", None, url=url, skipped=skipped)
            else:
                yield HarvestedRecord(
                    remote_id, parsed.raw, "ntriples", parsed.record, parsed.problems, url=url
                )
            if count % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        for subject, reason in self.reader.failures:
            yield HarvestedRecord(subject, b"", "ntriples", None, url=url, error=reason)


def import_feed(
    factory: sessionmaker[Session],
    *,
    source_id: int,
    reader: FeedReader,
    default_municipality: str | None = None,
    batch_size: int = 500,
    withdraw_threshold: float = 0.2,
    confirm_withdrawal: bool = False,
    base_uri: str | None = None,
) -> HarvestReport:
    """Store every record of ``reader`` for the source and withdraw what it no longer lists.

    A reader that breaks off (an error while reading) ends the job ``failed`` with the error; the batches
    already written stay and nothing is withdrawn.
    """
    settings = get_settings()
    harvest = settings.harvest.model_copy(
        update={"batch_size": batch_size, "withdraw_threshold": withdraw_threshold}
    )
    catalog = settings.catalog.model_copy(update={"base_uri": base_uri or settings.catalog.base_uri})
    settings = settings.model_copy(update={"harvest": harvest, "catalog": catalog})
    plugin: type[Harvester[Any]] = type("ReaderHarvester", (_ReaderHarvester,), {"reader": reader})
    return run_harvest(
        factory,
        source_id=source_id,
        settings=settings,
        confirm_withdrawal=confirm_withdrawal,
        fetcher=_NoHttp(),
        harvester=plugin,
        default_municipality=default_municipality,
    )
