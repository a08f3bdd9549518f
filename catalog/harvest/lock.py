"""One run per source: claiming a job, its heartbeat, and taking over from a killed run.

The store's unique index on running jobs (one per source) is the lock, so it holds across processes and
machines. A running job renews ``heartbeat_at`` every ``harvest.job_heartbeat_seconds``; a process killed
with SIGKILL stops renewing it, and once the heartbeat is older than ``harvest.job_stale_after_seconds`` the
next run of the source marks that job ``aborted`` and goes ahead instead of being refused for ever. At
each beat the run also looks whether someone asked it to stop (``abort_requested_at``, set by
``catalog.db.jobs.request_abort``); ``Heartbeat.abort_requested`` then tells the runner to end ``aborted``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import session_scope
from catalog.db.jobs import JobRunning, start_job
from catalog.db.tables import HarvestJob
from catalog.db.types import as_utc

__all__ = [
    "Heartbeat",
    "JobRunning",
    "abort_requested",
    "abort_stale_jobs",
    "beat",
    "claim_job",
    "running_job",
]


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def running_job(session: Session, *, source_id: int) -> HarvestJob | None:
    """The source's running job, if any."""
    query = select(HarvestJob).where(HarvestJob.source_id == source_id, HarvestJob.status == "running")
    return session.scalars(query).first()


def abort_stale_jobs(
    session: Session, *, source_id: int, stale_after: float, now: datetime | None = None
) -> list[int]:
    """Mark ``aborted`` the source's running jobs whose heartbeat stopped; return their ids."""
    now = _now(now)
    cutoff = now - timedelta(seconds=stale_after)
    last_sign = func.coalesce(HarvestJob.heartbeat_at, HarvestJob.started_at, HarvestJob.created_at)
    query = select(HarvestJob).where(
        HarvestJob.source_id == source_id, HarvestJob.status == "running", last_sign < cutoff
    )
    aborted = []
    for job in session.scalars(query):
        seen = job.heartbeat_at or job.started_at or job.created_at
        job.status = "aborted"
        job.finished_at = now
        job.error = (
            f"the process running this job stopped (no heartbeat since {seen.isoformat(timespec='seconds')});"
            " taken over by the next run"
        )
        aborted.append(job.id)
    session.flush()
    return aborted


def claim_job(
    factory: sessionmaker[Session], *, source_id: int, stale_after: float, now: datetime | None = None
) -> tuple[int, list[int]]:
    """Start a running job for the source: ``(job id, ids of stale jobs aborted first)``.

    ``JobRunning`` when another run of the source is alive (its heartbeat is recent), in this process or
    any other.
    """
    for attempt in range(_CLAIM_ATTEMPTS):
        try:
            return _claim(factory, source_id, stale_after, _now(now))
        except OperationalError as exc:
            # SQLite refuses at once (no busy wait) a transaction that read before another process
            # wrote; a fresh transaction then sees that process's job.
            if "locked" not in str(exc.orig) or attempt == _CLAIM_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


_CLAIM_ATTEMPTS = 10


def _claim(
    factory: sessionmaker[Session], source_id: int, stale_after: float, now: datetime
) -> tuple[int, list[int]]:
    with session_scope(factory) as session:
        aborted = abort_stale_jobs(session, source_id=source_id, stale_after=stale_after, now=now)
        alive = running_job(session, source_id=source_id)
        if alive is not None:
            raise JobRunning(_busy_message(alive, now))
        job = start_job(session, source_id=source_id, now=now)  # JobRunning if another won the race
        job.heartbeat_at = now
        session.flush()
        return job.id, aborted


def _busy_message(job: HarvestJob, now: datetime) -> str:
    seen = job.heartbeat_at or job.started_at or job.created_at
    age = max(0, int((now - seen).total_seconds()))
    return (
        f"source {job.source_id} is being harvested already (job {job.id}, last heartbeat {age} s ago);"
        " two harvests of one source never run at once"
    )


def beat(factory: sessionmaker[Session], *, job_id: int, now: datetime | None = None) -> bool:
    """Renew a running job's heartbeat; False when the job is no longer running (it was taken over)."""
    with session_scope(factory) as session:
        stmt = (
            update(HarvestJob)
            .where(HarvestJob.id == job_id, HarvestJob.status == "running")
            .values(heartbeat_at=_now(now))
        )
        result = session.execute(stmt)
        return bool(getattr(result, "rowcount", 0))


def abort_requested(factory: sessionmaker[Session], *, job_id: int) -> bool:
    """Whether someone asked this job to stop."""
    with factory() as session:
        query = select(HarvestJob.abort_requested_at).where(HarvestJob.id == job_id)
        return session.scalars(query).first() is not None


class Heartbeat:
    """Renews the job's heartbeat every ``interval`` seconds while the run goes on."""

    def __init__(self, factory: sessionmaker[Session], job_id: int, interval: float) -> None:
        self.factory, self.job_id, self.interval = factory, job_id, interval
        self.lost = False
        self.abort_requested = False
        """Someone asked the job to stop: the runner ends it ``aborted``."""
        self.on_abort: Callable[[], object] | None = None
        """Called when an abort request is seen (the runner cancels its gather)."""

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                alive = beat(self.factory, job_id=self.job_id)
            except Exception:  # the store is unreachable for a moment: try again at the next beat
                continue
            if not alive:
                self.lost = True
                return
            try:
                if abort_requested(self.factory, job_id=self.job_id):
                    self.abort_requested = True
                    if self.on_abort is not None:
                        self.on_abort()
                    return
            except Exception:
                continue
