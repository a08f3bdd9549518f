"""Storing pages aside: a page reader process stores the records of the page it read, in page order.

When a harvest's pages are read by page reader processes (``catalog.harvest.readers``), sending every
record back to the harvesting process to be stored there makes that one process the bottleneck: it
unpickles every record, validates and scores it, and writes it, while the readers wait. Instead, with
``harvest.store_in_readers`` (on by default), the reader that read a page also stores it, in its own
connection, with the engine's own ``BatchWriter`` (the same decisions, the same log lines, the same
quality scoring, in batches of ``harvest.batch_size``, each one transaction):

1. the reader reads the page (the plugin's task) and sends its next link early, as before;
2. it asks the harvesting process which of the page's remote ids earlier pages of the run had
   (``readers.ask``); the harvesting process answers only once every page before this one is stored,
   so pages are stored in the order of the feed, one at a time, while the next pages are read;
3. it stores the page's records (a remote id seen earlier is logged as skipped, as the engine does) and
   sends back what the store did: counts, log lines, quality tally (``PageOutcome``).

A batch is committed only while the harvesting process is still there (``readers.harvester_gone``): a
reader whose run was killed rolls its batch back, so a killed run leaves whole batches, as in the
harvesting process. The engine turns this on only for a real run (not a dry run, no ``limit``) with a job,
on PostgreSQL or on an SQLite file with writer sessions (``BEGIN IMMEDIATE``: the readers and the
harvesting process, whose heartbeat and page cache also write, wait for each other's transactions).

    store = AsideStore.for_run(factory, settings, source_id=..., job_id=..., default_municipality=...)
    aside = AsideRequest(read_task, page_records, request, store, url)
    ticket = await readers.submit(store_page, aside, label=url)
    outcome = await store_aside(StoredAside(url, ticket), writer, seen)   # in the engine
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from catalog.exceptions import CatalogError
from catalog.harvest.readers import ask, harvester_gone
from catalog.harvest.report import HarvestReport, LoggedRecord
from catalog.harvest.sync import BatchWriter
from catalog.settings import Settings
from harvesters.base import HarvestedRecord, StoredAside

__all__ = ["AsideRequest", "AsideStore", "PageOutcome", "store_aside", "store_page"]

ReadTask = Callable[[Any, Callable[[Any], None]], Any]
"""A plugin's page task (``func(request, head)``, see ``catalog.harvest.readers``)."""


@dataclass(frozen=True)
class AsideStore:
    """Where and how a page reader stores a page: the run's store, job and writer settings (pickled)."""

    database_url: str
    settings: Settings
    source_id: int
    job_id: int
    default_municipality: str | None

    @classmethod
    def for_run(
        cls,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        source_id: int,
        job_id: int,
        default_municipality: str | None,
    ) -> AsideStore | None:
        """The run's store for its page readers; None when pages cannot be stored aside (no engine bound,
        or an SQLite database that lives in this process only)."""
        bind = factory.kw.get("bind")
        if bind is None:
            return None
        url = bind.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None
        return cls(
            url.render_as_string(hide_password=False),
            settings,
            source_id,
            job_id,
            default_municipality,
        )


@dataclass(frozen=True)
class AsideRequest:
    """A page for a reader to read (``read(request, head)``, the plugin's task) and store."""

    read: ReadTask
    records: Callable[[Any, str], list[HarvestedRecord]]
    """The plugin's: the records of what ``read`` returned for the page at ``url``, failed ones included."""
    request: Any
    store: AsideStore
    url: str


@dataclass(frozen=True)
class PageOutcome:
    """What storing one page did, as the reader sends it back."""

    remote_ids: list[str]
    """The remote id of every record of the page, in order (the engine's page memory)."""
    counts: dict[str, int]
    problems: list[LoggedRecord]
    """The records that failed or were skipped."""
    troubled: list[str]
    quality: dict[str, int]
    batches: int


class _Stopped(CatalogError):
    """The run ended before this page's turn to be stored came."""


class _Gone(CatalogError):
    """The harvesting process went away while a batch was written: it is rolled back."""


_factories: dict[str, sessionmaker[Session]] = {}


def _sessions(url: str) -> sessionmaker[Session]:
    """This reader's writer sessions for ``url`` (one engine per database, kept for the next pages)."""
    factory = _factories.get(url)
    if factory is None:
        from catalog.db.engine import make_engine, make_session_factory

        factory = _factories[url] = make_session_factory(make_engine(url), writer=True)
    return factory


def _check_harvester() -> None:
    if harvester_gone():
        raise _Gone("the harvesting process stopped while the batch was written; it was rolled back")


def store_page(request: AsideRequest, head: Callable[[Any], None]) -> PageOutcome:
    """A page reader's task: read the page, wait for its turn, store its records (see the module doc)."""
    records = request.records(request.read(request.request, head), request.url)
    remote_ids = [record.remote_id for record in records]
    earlier = ask(remote_ids)
    if earlier is None:
        raise _Stopped(f"{request.url}: the run ended before the page was stored")
    store = request.store
    report = HarvestReport(source_id=store.source_id, source_name="", job_id=store.job_id)
    report.max_problems = len(records)
    writer = BatchWriter(
        _sessions(store.database_url),
        report,
        batch_size=store.settings.harvest.batch_size,
        base_uri=store.settings.catalog.base_uri,
        default_municipality=store.default_municipality,
        settings=store.settings,
    )
    writer.before_commit = _check_harvester
    seen = set(earlier)
    records.reverse()
    while records:  # each record let go once queued
        writer.admit(records.pop(), seen)
    writer.flush()
    return PageOutcome(
        remote_ids,
        dict(report.counts),
        report.problems,
        sorted(writer.troubled),
        dict(report.quality),
        writer.batches,
    )


async def store_aside(item: StoredAside, writer: BatchWriter, seen: set[str]) -> PageOutcome:
    """The engine's part for a page a reader stores: answer which of its remote ids were ``seen`` earlier
    in the run (and add them), wait until it is stored, and count what the store did in ``writer``'s
    report. A page whose storing has begun is waited for to its end, even when the run is cancelled."""
    ticket = item.ticket
    remote_ids: list[str] = await ticket.question()
    earlier = [remote_id for remote_id in remote_ids if remote_id in seen]
    seen.update(remote_id for remote_id in remote_ids if remote_id)
    ticket.answer(earlier)
    storing = asyncio.ensure_future(ticket.result())
    try:
        outcome: PageOutcome = await asyncio.shield(storing)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            writer.absorb(await storing)
        raise
    writer.absorb(outcome)
    return outcome
