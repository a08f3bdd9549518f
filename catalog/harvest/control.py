"""Harvest control from the API: start a run in the background, abort one, confirm a held withdrawal.

``start_harvest`` claims the source's job at once (``catalog.harvest.lock.claim_job``: the store's lock,
so a second run is refused with ``JobRunning`` even when the first runs in another process) and hands the
claimed run (``ClaimedRun``: source, job, whether the withdrawal is confirmed; plain data) to a
``Launcher``. In embedded mode that is ``ThreadLauncher``, a small thread pool kept on the app; a queue
(procrastinate workers) can take its place: a launcher only has to have ``run_claimed_job`` called for
the run, somewhere.

``abort_job`` asks a running job to stop (the run notices at its next heartbeat and ends ``aborted``,
withdrawing nothing); a job whose process died (stale heartbeat) is marked ``aborted`` at once.

``confirm_withdrawal`` answers a job that held a withdrawal (more than ``harvest.withdraw_threshold`` of
the source's records no longer listed, or an empty listing): it starts a new run of the source with the
withdrawal confirmed. Only the source's newest job can be confirmed (a later run has looked at the source
again and decides for itself); the new run withdraws what is missing when *it* reads the listing.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import session_scope
from catalog.db.jobs import finish_job, request_abort
from catalog.db.tables import HarvestJob
from catalog.exceptions import NotFound, StoreError
from catalog.harvest.lock import abort_stale_jobs, claim_job
from catalog.settings import Settings

__all__ = [
    "ClaimedRun",
    "JobConflict",
    "Launcher",
    "StartedJob",
    "ThreadLauncher",
    "abort_job",
    "confirm_withdrawal",
    "run_claimed_job",
    "start_harvest",
]

_log = logging.getLogger(__name__)


class JobConflict(StoreError):
    """The job is not in a state that allows what was asked (finished, superseded, nothing held)."""


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    """A run whose job is claimed (running) and waits to be executed."""

    source_id: int
    job_id: int
    confirm_withdrawal: bool = False


class Launcher(Protocol):
    """Runs a claimed job somewhere: a thread pool here, a queue's workers at scale."""

    def submit(self, run: ClaimedRun) -> None: ...


class ThreadLauncher:
    """The embedded launcher: runs are executed by a few threads of the web process."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, *, workers: int = 2) -> None:
        self.factory, self.settings = factory, settings
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")

    def submit(self, run: ClaimedRun) -> None:
        self._pool.submit(
            run_claimed_job,
            self.factory,
            self.settings,
            source_id=run.source_id,
            job_id=run.job_id,
            confirm_withdrawal=run.confirm_withdrawal,
        )

    def shutdown(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=False)


@dataclass(frozen=True, slots=True)
class StartedJob:
    job_id: int
    aborted_jobs: list[int]
    """Stale jobs of the source (their process died) that were marked aborted first."""


def run_claimed_job(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    source_id: int,
    job_id: int,
    confirm_withdrawal: bool = False,
) -> None:
    """Run the harvest of a claimed job to its end; a job the run could not even start ends ``failed``."""
    from catalog.api.dumps import refresh_after_harvest
    from catalog.harvest.runner import run_harvest

    try:
        report = run_harvest(
            factory,
            source_id=source_id,
            settings=settings,
            job_id=job_id,
            confirm_withdrawal=confirm_withdrawal,
        )
    except BaseException as exc:
        _log.warning("harvest job %s of source %s stopped: %s", job_id, source_id, exc)
        _fail_if_running(factory, job_id, f"the run could not go on: {exc}"[:4000])
        if not isinstance(exc, Exception):
            raise
        return
    refresh_after_harvest(settings, [report])  # the download dumps' changed blocks; never raises


def _fail_if_running(factory: sessionmaker[Session], job_id: int, error: str) -> None:
    try:
        with session_scope(factory) as session:
            job = session.get(HarvestJob, job_id)
            if job is not None and job.status == "running":
                finish_job(session, job_id=job_id, status="failed", stats=job.stats or {}, error=error)
    except Exception:  # the store is gone: the stale heartbeat will let the next run take over
        _log.exception("could not close harvest job %s", job_id)


def start_harvest(
    factory: sessionmaker[Session],
    settings: Settings,
    launcher: Launcher,
    *,
    source_id: int,
    confirm_withdrawal: bool = False,
) -> StartedJob:
    """Claim a job for the source (``JobRunning`` when one runs) and hand its run to ``launcher``."""
    job_id, aborted = claim_job(
        factory, source_id=source_id, stale_after=settings.harvest.job_stale_after_seconds
    )
    try:
        launcher.submit(ClaimedRun(source_id, job_id, confirm_withdrawal))
    except Exception as exc:
        _fail_if_running(factory, job_id, f"the run could not be started: {exc}")
        raise
    return StartedJob(job_id, aborted)


def _job(session: Session, job_id: int) -> HarvestJob:
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def abort_job(
    factory: sessionmaker[Session], settings: Settings, *, job_id: int
) -> Literal["requested", "aborted"]:
    """Stop a job: ``"requested"`` (a live run will end ``aborted`` at its next heartbeat) or
    ``"aborted"`` (it had no live run: queued, or its process died). ``JobConflict`` when it has ended."""
    with session_scope(factory) as session:
        job = _job(session, job_id)
        now = datetime.now(UTC)
        if job.status == "queued":
            finish_job(
                session, job_id=job_id, status="aborted", stats=job.stats or {}, error="aborted on request"
            )
            return "aborted"
        if job.status != "running":
            raise JobConflict(f"job {job_id} has ended ({job.status}); there is nothing to abort")
        stale = settings.harvest.job_stale_after_seconds
        if job_id in abort_stale_jobs(session, source_id=job.source_id, stale_after=stale, now=now):
            return "aborted"
        request_abort(session, job_id=job_id, now=now)
        return "requested"


def confirm_withdrawal(
    factory: sessionmaker[Session], settings: Settings, launcher: Launcher, *, job_id: int
) -> StartedJob:
    """Start a run of the job's source that withdraws beyond the threshold (see the module docstring)."""
    with factory() as session:
        job = _job(session, job_id)
        source_id = job.source_id
        if not job.held_withdrawals:
            raise JobConflict(f"job {job_id} held no withdrawal; there is nothing to confirm")
        newer = session.scalars(
            select(HarvestJob.id)
            .where(HarvestJob.source_id == source_id, HarvestJob.id > job_id)
            .order_by(HarvestJob.id.desc())
            .limit(1)
        ).first()
        if newer is not None:
            raise JobConflict(
                f"job {job_id} is not the source's latest run (job {newer} is); confirm that one if it"
                " held a withdrawal too"
            )
    return start_harvest(factory, settings, launcher, source_id=source_id, confirm_withdrawal=True)
