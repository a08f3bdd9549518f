"""Harvest jobs and their per-record report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.db.tables import JOB_RECORD_ACTIONS, HarvestJob, HarvestJobRecord
from catalog.db.types import as_utc
from catalog.exceptions import NotFound, StoreError

__all__ = [
    "FINAL_STATUSES",
    "STAT_KEYS",
    "JobRecord",
    "JobRunning",
    "add_job_record",
    "add_job_records",
    "count_job_records",
    "finish_job",
    "get_job",
    "list_job_records",
    "list_jobs",
    "queue_job",
    "request_abort",
    "start_job",
]

FINAL_STATUSES = ("succeeded", "partial", "failed", "aborted")
STAT_KEYS = ("created", "updated", "unchanged", "restored", "linked", "withdrawn", "failed", "skipped")

_RECORDS: Table = HarvestJobRecord.__table__  # type: ignore[assignment]


class JobRunning(StoreError):
    """The source already has a running job: two harvests of one source never run at once."""


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One line of a job's report."""

    remote_id: str | None
    action: str
    reason: str | None = None
    source_record_id: int | None = None
    url: str | None = None
    """Where the original record can be seen."""


def _now(now: datetime | None) -> datetime:
    return as_utc(now) if now is not None else datetime.now(UTC)


def queue_job(session: Session, *, source_id: int, now: datetime | None = None) -> HarvestJob:
    """A job waiting to run."""
    job = HarvestJob(source_id=source_id, status="queued", created_at=_now(now), stats={})
    session.add(job)
    session.flush()
    return job


def start_job(
    session: Session, *, source_id: int, job_id: int | None = None, now: datetime | None = None
) -> HarvestJob:
    """Mark a queued job (or a new one) running; ``JobRunning`` when the source has one running."""
    now = _now(now)
    try:
        with session.begin_nested():
            if job_id is None:
                job = HarvestJob(
                    source_id=source_id, status="running", created_at=now, started_at=now, stats={}
                )
                session.add(job)
            else:
                found = session.get(HarvestJob, job_id)
                if found is None or found.source_id != source_id:
                    raise NotFound(f"no job {job_id} for source {source_id}")
                if found.status != "queued":
                    raise StoreError(f"job {job_id} is {found.status}, not queued")
                job = found
                job.status, job.started_at = "running", now
    except IntegrityError as exc:
        raise JobRunning(f"source {source_id} already has a running harvest") from exc
    return job


def finish_job(
    session: Session,
    *,
    job_id: int,
    status: str,
    stats: Mapping[str, int],
    error: str | None = None,
    now: datetime | None = None,
    held_withdrawals: int = 0,
) -> HarvestJob:
    """Close a job with its final status, counts (``STAT_KEYS``) and error, if any, and how many
    withdrawals it held (more than the allowed share; confirmed by a later run)."""
    if status not in FINAL_STATUSES:
        raise ValueError(f"not a final status: {status!r}")
    unknown = set(stats) - set(STAT_KEYS)
    if unknown:
        raise ValueError(f"unknown statistics: {', '.join(sorted(unknown))}")
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    job.status = status
    job.stats = {key: int(stats.get(key, 0)) for key in STAT_KEYS}
    job.error = error
    job.held_withdrawals = held_withdrawals or None
    job.finished_at = _now(now)
    session.flush()
    return job


def add_job_record(
    session: Session,
    *,
    job_id: int,
    remote_id: str | None,
    action: str,
    reason: str | None = None,
    source_record_id: int | None = None,
    url: str | None = None,
) -> None:
    """Record what the job did with one remote record."""
    add_job_records(
        session, job_id=job_id, records=[JobRecord(remote_id, action, reason, source_record_id, url)]
    )


def add_job_records(session: Session, *, job_id: int, records: Sequence[JobRecord]) -> None:
    """Record many report lines with one statement."""
    if not records:
        return
    for record in records:
        if record.action not in JOB_RECORD_ACTIONS:
            raise ValueError(f"not a job record action: {record.action!r}")
    rows = [
        {
            "job_id": job_id,
            "remote_id": r.remote_id[:1000] if r.remote_id else r.remote_id,
            "action": r.action,
            "reason": r.reason,
            "source_record_id": r.source_record_id,
            "url": r.url[:2000] if r.url else r.url,
        }
        for r in records
    ]
    session.execute(insert(_RECORDS), rows)


def get_job(session: Session, *, id: int) -> HarvestJob | None:
    return session.get(HarvestJob, id)


def request_abort(session: Session, *, job_id: int, now: datetime | None = None) -> HarvestJob:
    """Ask a running job to stop (its run ends ``aborted`` at its next heartbeat); ``StoreError`` when the
    job is not running. Asking twice keeps the first time."""
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    if job.status != "running":
        raise StoreError(f"job {job_id} is {job.status}, not running")
    if job.abort_requested_at is None:
        job.abort_requested_at = _now(now)
    session.flush()
    return job


def list_jobs(session: Session, *, source_id: int | None = None, limit: int = 50) -> list[HarvestJob]:
    """The newest jobs first."""
    query = select(HarvestJob).order_by(HarvestJob.id.desc()).limit(limit)
    if source_id is not None:
        query = query.where(HarvestJob.source_id == source_id)
    return list(session.scalars(query))


def count_job_records(session: Session, *, job_id: int, action: str | None = None) -> int:
    """How many report lines a job has (of one action, when given)."""
    query = select(func.count()).select_from(HarvestJobRecord).where(HarvestJobRecord.job_id == job_id)
    if action is not None:
        query = query.where(HarvestJobRecord.action == action)
    return int(session.execute(query).scalar_one())


def list_job_records(
    session: Session, *, job_id: int, action: str | None = None, limit: int = 100, offset: int = 0
) -> list[HarvestJobRecord]:
    """A job's report lines in the order they were written, optionally of one action."""
    query = select(HarvestJobRecord).where(HarvestJobRecord.job_id == job_id)
    if action is not None:
        query = query.where(HarvestJobRecord.action == action)
    return list(session.scalars(query.order_by(HarvestJobRecord.id).limit(limit).offset(offset)))
