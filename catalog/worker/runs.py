"""What a worker's harvest task does: one run of the engine in a thread, and what the queue makes of it."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from functools import lru_cache
from typing import Any

from procrastinate import JobContext
from procrastinate.job_context import AbortReason
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import make_engine, make_session_factory
from catalog.db.jobs import JobRunning, request_abort
from catalog.db.tables import HarvestJob
from catalog.db.types import as_utc
from catalog.harvest.lock import running_job
from catalog.harvest.report import HarvestReport
from catalog.settings import Settings

__all__ = ["Released", "TransientHarvest", "harvest_in_thread", "store_for"]


class TransientHarvest(Exception):
    """The run failed for a reason that may pass (portal unreachable or overloaded, source busy): retry."""


class Released(Exception):
    """The worker stopped while the run went on: the run ended at a batch boundary; the job goes back."""


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return make_engine(url)


def store_for(settings: Settings, *, writer: bool = False) -> sessionmaker[Session]:
    """Sessions on the catalogue's database, one engine per worker process."""
    return make_session_factory(_engine(settings.database.url), writer=writer)


def _done_since(factory: sessionmaker[Session], source_id: int, since: datetime) -> bool:
    """A run of the source that started at or after ``since`` ended succeeded or partial."""
    with factory() as session:
        query = select(HarvestJob.started_at).where(
            HarvestJob.source_id == source_id, HarvestJob.status.in_(("succeeded", "partial"))
        )
        return any(started is not None and as_utc(started) >= since for started in session.scalars(query))


def _still_claimed(factory: sessionmaker[Session], job_id: int) -> bool:
    with factory() as session:
        job = session.get(HarvestJob, job_id)
        return job is not None and job.status == "running"


def _run(
    settings: Settings,
    source_id: int,
    since: datetime | None,
    confirm_withdrawal: bool,
    job_id: int | None = None,
) -> HarvestReport | None:
    from catalog.harvest.runner import run_harvest

    factory = store_for(settings, writer=True)
    if since is not None and _done_since(factory, source_id, as_utc(since)):
        return None  # queued for a tick at which it has run already (queued twice, retried after a run)
    if job_id is not None and not _still_claimed(factory, job_id):
        return None  # claimed through the API, then taken over while it waited: nothing left to run
    report = run_harvest(
        factory, source_id=source_id, settings=settings, confirm_withdrawal=confirm_withdrawal, job_id=job_id
    )
    _refresh_dumps(settings, report)
    return report


def _refresh_dumps(settings: Settings, report: HarvestReport) -> None:
    """Rebuild the download dumps' blocks the run changed (``harvest.refresh_dumps``; never raises)."""
    from catalog.api.dumps import refresh_after_harvest

    refresh_after_harvest(settings, [report])


def _ask_to_stop(settings: Settings, source_id: int) -> None:
    with store_for(settings, writer=True)() as session:
        job = running_job(session, source_id=source_id)
        if job is not None:
            request_abort(session, job_id=job.id)
            session.commit()


async def harvest_in_thread(
    settings: Settings,
    *,
    context: JobContext | None = None,
    source_id: int,
    since: datetime | None,
    confirm_withdrawal: bool = False,
    job_id: int | None = None,
) -> dict[str, Any]:
    """Run the source's harvest in a thread; its report as the job's result.

    ``TransientHarvest`` (retried by the queue) when the run failed because the portal was unreachable or
    overloaded, or when another process runs the source. When the worker stops (the task is cancelled),
    the run is asked to stop at its next heartbeat, awaited, and ``Released`` puts the job back.
    """
    run = asyncio.ensure_future(
        asyncio.to_thread(_run, settings, source_id, since, confirm_withdrawal, job_id)
    )
    try:
        report = await asyncio.shield(run)
    except JobRunning as exc:
        raise TransientHarvest(str(exc)) from exc
    except asyncio.CancelledError:
        await asyncio.to_thread(_ask_to_stop, settings, source_id)
        with contextlib.suppress(Exception):
            await run
        if context is not None and context.abort_reason() == AbortReason.USER_REQUEST:
            raise
        raise Released(f"source {source_id}: the worker stopped; the run ended at a batch boundary") from None
    if report is None:
        return {
            "source_id": source_id,
            "status": "skipped",
            "reason": "harvested since the tick, or taken over",
        }
    if report.status == "failed" and report.transient:
        raise TransientHarvest(report.error or "the portal could not be reached")
    return {
        "source_id": source_id,
        "job_id": report.job_id,
        "status": report.status,
        "counts": dict(report.counts),
        "error": report.error,
    }
