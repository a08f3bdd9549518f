"""Running one harvest of one source: the job, the plugin's records, batched writes, withdrawal, state.

``run_harvest`` (``run_harvest_async`` inside) claims a job (refused while another run of the source is
alive; a run killed earlier is detected by its stale heartbeat and marked aborted), drives the plugin's
async generator, writes its records in batches (``catalog.harvest.sync``), and after a complete gather
withdraws what the source no longer lists (``catalog.harvest.withdrawal``). The job ends:

- ``succeeded``: everything read and stored;
- ``partial``: some records failed, a withdrawal was held, or a ``limit`` cut the run short;
- ``failed``: the listing could not be read to its end (the error names the page URL and the reason) or
  the store failed; the batches already written stay, nothing is withdrawn;
- ``aborted``: interrupted (Ctrl-C, cancelled), stopped on request (``request_abort``: noticed at the next
  heartbeat; the batches already written stay, nothing is withdrawn), or taken over after its heartbeat
  stopped.

A ``limit`` stops after that many records: an incomplete gather, so nothing is withdrawn, the plugin's
state is not kept and the job is ``partial`` (an incremental plugin's next run must not start from it).
A dry run does everything but keep its writes.

Unchanged pages: a plugin that supports it (``harvesters.base``: ``PageRead`` / ``UnchangedPage``) is
given the source's page memory (``catalog.harvest.pagememory``; not in a ``limit`` run). The records of a
page it did not parse again are touched and counted unchanged. After a run that read its listing to the
end (no error, no limit, not dry), what each page parsed produced is remembered when all its records were
stored, and forgotten when one failed or was skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import session_scope, writes_wait
from catalog.db.jobs import finish_job
from catalog.db.tables import Source
from catalog.exceptions import CatalogError, InputError
from catalog.harvest._run_parts import TrackingHttp, error_text, is_transient, real_fetcher, source_info
from catalog.harvest.aside import AsideStore, store_aside
from catalog.harvest.lock import Heartbeat, claim_job
from catalog.harvest.pagememory import DbPageMemory, RunPages, fingerprint
from catalog.harvest.readers import PageReaders, default_workers
from catalog.harvest.registry import HarvesterClass, get_harvester, validate_options
from catalog.harvest.report import HarvestReport
from catalog.harvest.sync import BatchWriter
from catalog.harvest.withdrawal import apply_withdrawal, plan_withdrawal
from catalog.settings import Settings
from harvesters.base import (
    HarvestedItem,
    Harvester,
    Http,
    PageRead,
    StoredAside,
    UnchangedPage,
)

__all__ = ["FetcherFactory", "Progress", "run_harvest", "run_harvest_async"]

Progress = Callable[[HarvestReport], None]
"""Called after each batch is written, and once at the end."""
FetcherFactory = Callable[[Settings, sessionmaker[Session], int, bool], AbstractAsyncContextManager[Http]]
"""Makes the fetcher for (settings, sessions, source id, dry run); the real one by default."""


_TAKEN_OVER = "the job's heartbeat went stale and another run took the source over"
_ABORTED = "stopped on request (abort); the batches written before stay, nothing was withdrawn"


class _TakenOver(CatalogError):
    """The job's heartbeat was found stale and another run took the source over."""


class _AbortRequested(CatalogError):
    """Someone asked the job to stop (``catalog.db.jobs.request_abort``)."""


async def _gather(
    harvester: Harvester[Any],
    writer: BatchWriter,
    seen: set[str],
    limit: int | None,
    heartbeat: Heartbeat | None,
    progress: Progress | None,
    pages: RunPages,
) -> bool:
    """Take the plugin's records into the writer; True when the generator ended (not cut by ``limit``)."""
    taken = 0
    aside = writes_wait(writer.factory)
    # One thread writes every batch of the run: the allocations of the writes stay in one malloc arena
    # (the event loop's shared executor hands them to changing threads, each growing an arena of its own).
    batches = ThreadPoolExecutor(max_workers=1, thread_name_prefix="harvest-batches") if aside else None
    records = harvester.records()
    try:
        async for harvested in records:
            if heartbeat is not None and heartbeat.lost:
                raise _TakenOver(_TAKEN_OVER)
            if heartbeat is not None and heartbeat.abort_requested:
                raise _AbortRequested(_ABORTED)
            if isinstance(harvested, PageRead):
                pages.page_read(harvested)
                continue
            if isinstance(harvested, UnchangedPage):
                pages.unchanged(harvested, writer, seen)
                if progress is not None:
                    progress(writer.report)
                await asyncio.sleep(0)
                continue
            if isinstance(harvested, StoredAside):
                if writer.pending:  # the records before this page are stored before it
                    await _write(writer, batches)
                outcome = await store_aside(harvested, writer, seen)
                pages.current.extend(outcome.remote_ids)
                if progress is not None:
                    progress(writer.report)
                continue
            if limit is not None and taken >= limit:
                return False
            taken += 1
            pages.current.append(harvested.remote_id)
            if writer.admit(harvested, seen, write=not aside):
                if batches is not None:
                    await _write_batch(writer, batches)
                if progress is not None:
                    progress(writer.report)
                await asyncio.sleep(0)  # let the heartbeat run even when the plugin never waits
        return True
    finally:
        await _close(records)
        if batches is not None:
            batches.shutdown(wait=False)  # no batch is being written here: each one is awaited to its end


def _aside_store(
    factory: sessionmaker[Session], settings: Settings, report: HarvestReport, writer: BatchWriter
) -> AsideStore | None:
    """How the page readers store their pages, when they may (a real run with a job, writes allowed
    beside the event loop: ``writes_wait``); None to send the records back here."""
    if report.job_id is None or writer.dry_run or not writes_wait(factory):
        return None
    return AsideStore.for_run(
        factory,
        settings,
        source_id=report.source_id,
        job_id=report.job_id,
        default_municipality=writer.default_municipality,
    )


async def _write(writer: BatchWriter, batches: ThreadPoolExecutor | None) -> None:
    """Write the queued records now: in the batch thread when there is one, else here."""
    if batches is not None:
        await _write_batch(writer, batches)
    else:
        writer.flush()


async def _write_batch(writer: BatchWriter, batches: ThreadPoolExecutor) -> None:
    """Write the full batch in a thread: the event loop goes on meanwhile (the heartbeat, and a plugin's
    fetching of the pages ahead for its page readers). A batch once begun is written to its end, even when
    the run is cancelled meanwhile, so only whole batches are ever stored."""
    writing = asyncio.get_running_loop().run_in_executor(batches, writer.flush)
    try:
        await asyncio.shield(writing)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await writing
        raise


async def _abortable(gathering: Coroutine[Any, Any, bool], heartbeat: Heartbeat | None) -> bool:
    """Run the gather so that an abort request seen by the heartbeat cancels it where it waits (a page
    being fetched); batches are written without waiting, so only whole batches are ever stored."""
    if heartbeat is None:
        return await gathering
    task = asyncio.ensure_future(gathering)
    heartbeat.on_abort = task.cancel
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if heartbeat.abort_requested and not (current is not None and current.cancelling()):
            raise _AbortRequested(_ABORTED) from None
        raise
    finally:
        heartbeat.on_abort = None


async def _close(records: AsyncIterator[HarvestedItem]) -> None:
    aclose = getattr(records, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(Exception):
            await aclose()


async def run_harvest_async(
    factory: sessionmaker[Session],
    *,
    source_id: int,
    settings: Settings,
    dry_run: bool = False,
    limit: int | None = None,
    confirm_withdrawal: bool = False,
    fetcher: Http | None = None,
    fetcher_factory: FetcherFactory | None = None,
    progress: Progress | None = None,
    harvester: HarvesterClass | None = None,
    default_municipality: str | None = None,
    job_id: int | None = None,
) -> HarvestReport:
    """Harvest one source into the store and return the report (see the module docstring).

    ``fetcher`` (else one made by ``fetcher_factory``, else the real ``Fetcher`` with the source's page
    cache) is what the plugin fetches through. ``harvester`` runs this plugin class instead of the one
    of the source's kind (``catalog import`` of a parsed document). ``default_municipality`` is the NIS
    code of records whose metadata names none (default: the source's). ``job_id`` is a running job
    already claimed for this run (``claim_job``: the API claims it before answering, so a second request
    is refused at once); by default the run claims its own.
    """
    started = time.perf_counter()
    if limit is not None and limit < 1:
        raise InputError("the limit must be at least 1")
    with factory() as session:
        source, info = source_info(session, source_id)
        kind, raw_options = source.kind, dict(source.options or {})
    if harvester is None:
        harvester_class = get_harvester(kind)
        options: BaseModel = validate_options(kind, raw_options)
    else:
        harvester_class, options = harvester, harvester.Options.model_validate(raw_options)
    report = HarvestReport(source_id=source_id, source_name=info.name, dry_run=dry_run)
    h = settings.harvest
    if job_id is not None and not dry_run:
        report.job_id = job_id
    elif not dry_run:
        report.job_id, report.aborted_jobs = claim_job(
            factory, source_id=source_id, stale_after=h.job_stale_after_seconds
        )
    writer = BatchWriter(
        factory,
        report,
        batch_size=h.batch_size,
        base_uri=settings.catalog.base_uri,
        default_municipality=default_municipality or info.municipality,
        dry_run=dry_run,
        settings=settings,
    )
    seen: set[str] = set()
    memory = None
    if limit is None:
        mark = fingerprint(
            harvester_class.name,
            options.model_dump(mode="json"),
            municipality=default_municipality or info.municipality,
            base_uri=settings.catalog.base_uri,
        )
        memory = DbPageMemory(factory, source_id=source_id, fingerprint=mark)
    pages = RunPages(memory)
    tracking: TrackingHttp | None = None
    heartbeat = Heartbeat(factory, report.job_id, h.job_heartbeat_seconds) if report.job_id else None
    plugin: Harvester[Any] | None = None
    try:
        async with AsyncExitStack() as stack:
            if fetcher is None:
                make = fetcher_factory or real_fetcher
                fetcher = await stack.enter_async_context(make(settings, factory, source_id, dry_run))
            tracking = TrackingHttp(fetcher)
            plugin = harvester_class(info, options, tracking)
            plugin.pages = memory
            workers = default_workers() if h.parse_workers < 0 else h.parse_workers
            if workers and hasattr(plugin, "readers"):  # a plugin that can read its pages aside
                preload = (harvester_class.__module__, "catalog.harvest.aside")
                plugin.readers = await stack.enter_async_context(PageReaders(workers, preload=preload))
                if hasattr(plugin, "store_aside") and h.store_in_readers and limit is None:
                    plugin.store_aside = _aside_store(factory, settings, report, writer)
            beating = asyncio.create_task(heartbeat.run()) if heartbeat is not None else None
            stack.push_async_callback(_cancel, beating)
            try:
                gathering = _gather(plugin, writer, seen, limit, heartbeat, progress, pages)
                ended = await _abortable(gathering, heartbeat)
            except (_TakenOver, _AbortRequested):
                raise
            except Exception:
                with contextlib.suppress(Exception):
                    writer.flush()  # what was read before the error is whole and valid: keep it
                    pages.keep(writer, success=False)
                raise
            writer.flush()
            pages.keep(writer, success=ended and not (heartbeat is not None and heartbeat.lost))
    except _TakenOver as exc:
        report.status, report.error = "aborted", str(exc)  # the job is no longer ours to close
        report.seconds = time.perf_counter() - started
        return _done(report, progress)
    except _AbortRequested as exc:
        report.status, report.error = "aborted", str(exc)
        _finish(factory, report, started)
        return _done(report, progress)
    except Exception as exc:
        report.status = "failed"
        report.error = error_text(exc, tracking.last_url if tracking else None)
        report.transient = is_transient(exc)
        _finish(factory, report, started)
        return _done(report, progress)
    except BaseException:
        report.status, report.error = "aborted", "interrupted"
        with contextlib.suppress(Exception):
            _finish(factory, report, started)
        raise
    assert plugin is not None
    if heartbeat is not None and heartbeat.lost:
        report.status, report.error = "aborted", _TAKEN_OVER
        report.seconds = time.perf_counter() - started
        return _done(report, progress)
    report.complete = ended and plugin.complete
    try:
        _conclude(factory, report, seen, settings, confirm_withdrawal, plugin, ended, started)
    except Exception as exc:  # the store failed while withdrawing or closing: the job must not hang
        report.status, report.error = "failed", error_text(exc, None)
        with contextlib.suppress(Exception):
            _finish(factory, report, started)
    return _done(report, progress)


async def _cancel(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _done(report: HarvestReport, progress: Progress | None) -> HarvestReport:
    if progress is not None:
        progress(report)
    return report


def _conclude(
    factory: sessionmaker[Session],
    report: HarvestReport,
    seen: set[str],
    settings: Settings,
    confirm: bool,
    harvester: Harvester[Any],
    ended: bool,
    started: float,
) -> None:
    """After a gather: withdraw (when complete), keep the plugin's state (when it ran to its end), close
    the job; one transaction."""
    with factory() as session:
        try:
            if report.complete:
                plan = plan_withdrawal(
                    session,
                    source_id=report.source_id,
                    seen=seen,
                    threshold=settings.harvest.withdraw_threshold,
                    confirmed=confirm,
                )
                if plan.held:
                    report.held_withdrawals = len(plan.missing)
                    report.error = plan.held
                elif report.dry_run:
                    report.counts["withdrawn"] += len(plan.missing)
                else:
                    report.counts["withdrawn"] += apply_withdrawal(session, plan=plan, job_id=report.job_id)
            if not ended:
                report.error = (
                    f"stopped after {report.processed} records (limit): the listing was not read to its"
                    " end, so nothing was withdrawn"
                )
            cut = not ended
            report.status = "partial" if report.failed or report.held_withdrawals or cut else "succeeded"
            if ended and not report.dry_run:
                _keep_state(session, report, harvester)
            _finish_in(session, report, started)
        except BaseException:
            session.rollback()
            raise
        if report.dry_run:
            session.rollback()
        else:
            session.commit()


def _keep_state(session: Session, report: HarvestReport, harvester: Harvester[Any]) -> None:
    """Store the plugin's state for its next run."""
    try:
        state = json.loads(json.dumps(harvester.state))
    except (TypeError, ValueError) as exc:
        report.error = f"the harvester's state cannot be kept (not JSON): {exc}"
        return
    source = session.get(Source, report.source_id)
    if source is not None:
        source.state = state


def _finish_in(session: Session, report: HarvestReport, started: float) -> None:
    report.seconds = time.perf_counter() - started
    if report.job_id is not None:
        finish_job(
            session,
            job_id=report.job_id,
            status=report.status,
            stats=report.stats(),
            error=report.error,
            held_withdrawals=report.held_withdrawals,
        )


def _finish(factory: sessionmaker[Session], report: HarvestReport, started: float) -> None:
    with session_scope(factory) as session:
        _finish_in(session, report, started)


def run_harvest(
    factory: sessionmaker[Session],
    *,
    source_id: int,
    settings: Settings,
    dry_run: bool = False,
    limit: int | None = None,
    confirm_withdrawal: bool = False,
    fetcher: Http | None = None,
    fetcher_factory: FetcherFactory | None = None,
    progress: Progress | None = None,
    harvester: HarvesterClass | None = None,
    default_municipality: str | None = None,
    job_id: int | None = None,
) -> HarvestReport:
    """``run_harvest_async`` in a fresh event loop (for the CLI and other synchronous callers)."""
    return asyncio.run(
        run_harvest_async(
            factory,
            source_id=source_id,
            settings=settings,
            dry_run=dry_run,
            limit=limit,
            confirm_withdrawal=confirm_withdrawal,
            fetcher=fetcher,
            fetcher_factory=fetcher_factory,
            progress=progress,
            harvester=harvester,
            default_municipality=default_municipality,
            job_id=job_id,
        )
    )
