"""Harvest jobs: a run's report with its per-record log, aborting a run, confirming a held withdrawal.

Every endpoint needs a token that manages the job's source (401 without one, 403 outside its scope).
Starting a run is ``POST /api/sources/{id}/harvest`` (``catalog.api.routes.sources``).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.api.auth import PrincipalDep, forbidden, rate_limit
from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.problems import PROBLEM_BASE, problem
from catalog.auth.audit import record_audit
from catalog.auth.principal import Principal
from catalog.db.engine import session_scope
from catalog.db.jobs import STAT_KEYS, JobRunning, count_job_records, list_job_records
from catalog.db.tables import HarvestJob, HarvestJobRecord, Source
from catalog.exceptions import NotFound
from catalog.harvest.control import JobConflict, Launcher, ThreadLauncher, abort_job, confirm_withdrawal
from catalog.harvest.manage import scope_of

from .source_schemas import (
    AbortBody,
    JobDetail,
    JobRecordBody,
    JobStarted,
    JobSummary,
    problem_responses,
)

__all__ = [
    "MAX_ID",
    "IdPath",
    "LauncherDep",
    "WriterDep",
    "conflict",
    "job_summary",
    "require_manager",
    "router",
    "running_conflict",
]

router = APIRouter(prefix="/api/jobs", tags=["harvest jobs"])

MAX_ID = 2**63 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The numeric id.", examples=[1])]
RecordAction = Literal[
    "created", "updated", "unchanged", "restored", "linked", "withdrawn", "failed", "skipped"
]
"""``catalog.db.tables.JOB_RECORD_ACTIONS``."""


def _writer(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.writer_factory
    return factory


_launcher_lock = threading.Lock()


def _launcher(request: Request) -> Launcher:
    """The app's launcher (``app.state.harvest_launcher``; a thread pool unless one was set)."""
    state = request.app.state
    launcher: Launcher | None = getattr(state, "harvest_launcher", None)
    if launcher is None:
        with _launcher_lock:
            launcher = getattr(state, "harvest_launcher", None)
            if launcher is None:
                launcher = state.harvest_launcher = ThreadLauncher(state.writer_factory, state.settings)
    return launcher


WriterDep = Annotated[sessionmaker[Session], Depends(_writer)]
LauncherDep = Annotated[Launcher, Depends(_launcher)]


def job_summary(request: Request, job: HarvestJob) -> JobSummary:
    return JobSummary(
        id=job.id,
        source_id=job.source_id,
        status=job.status,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        stats={str(k): int(v) for k, v in (job.stats or {}).items()},
        error=job.error,
        held_withdrawals=job.held_withdrawals or 0,
        abort_requested_at=job.abort_requested_at,
        href=str(request.url_for("job", id=job.id)),
    )


def require_manager(session: Session, source: Source, principal: Principal) -> None:
    """403 unless the principal manages the source."""
    if not scope_of(session, source).managed_by(principal):
        raise forbidden(
            f"your token does not manage source {source.id} (municipality {source.municipality_nis or '-'})"
        )


def conflict(request: Request, detail: str, *, kind: str, **extra: Any) -> JSONResponse:
    """A 409 problem of type ``kind``."""
    return problem(
        409, detail, title="Conflict", type_=PROBLEM_BASE + kind, instance=request.url.path, **extra
    )


def running_conflict(request: Request, session: Session, source_id: int, exc: JobRunning) -> JSONResponse:
    """409 while a harvest of the source runs, pointing at the running job."""
    from catalog.harvest.lock import running_job

    alive = running_job(session, source_id=source_id)
    extra = {"job": str(request.url_for("job", id=alive.id))} if alive is not None else {}
    return conflict(request, str(exc), kind="harvest-running", **extra)


def _logged_so_far(session: Session, job_id: int) -> dict[str, int]:
    query = (
        select(HarvestJobRecord.action, func.count())
        .where(HarvestJobRecord.job_id == job_id)
        .group_by(HarvestJobRecord.action)
    )
    counts = {str(action): int(n) for action, n in session.execute(query)}
    return {key: counts.get(key, 0) for key in STAT_KEYS}


def _job_and_source(session: Session, job_id: int, principal: Principal) -> tuple[HarvestJob, Source]:
    job = session.get(HarvestJob, job_id)
    source = session.get(Source, job.source_id) if job is not None else None
    if job is None or source is None:
        raise NotFound(f"no job {job_id}")
    require_manager(session, source, principal)
    return job, source


@router.get(
    "/{id}",
    name="job",
    summary="A harvest run and its per-record log",
    response_model=JobDetail,
    responses=problem_responses(401, 403, 404, 422),
)
def job_report(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    id: IdPath,
    action: Annotated[RecordAction | None, Query(description="Only the log lines of this action.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobDetail:
    """A harvest run: status, counts, error, and its per-record log (what was created, updated, withdrawn,
    what failed or was skipped and why, with a link to the original), paged, filterable by action.

    While the run goes on, ``stats`` counts the log lines written so far (batches already stored;
    unchanged records are counted only when the run ends)."""
    job, source = _job_and_source(session, id, principal)
    summary = job_summary(request, job)
    if job.status == "running":
        summary.stats = _logged_so_far(session, job.id)
    total = count_job_records(session, job_id=job.id, action=action)
    lines = list_job_records(
        session, job_id=job.id, action=action, limit=per_page, offset=(page - 1) * per_page
    )
    following = None
    if page * per_page < total:
        following = str(request.url.include_query_params(page=page + 1, per_page=per_page))
    return JobDetail(
        **summary.model_dump(),
        source_href=str(request.url_for("source", id=source.id)),
        records=[
            JobRecordBody(remote_id=r.remote_id, action=r.action, reason=r.reason, url=r.url) for r in lines
        ],
        records_total=total,
        page=page,
        per_page=per_page,
        next=following,
    )


@router.post(
    "/{id}/abort",
    summary="Stop a running harvest",
    response_model=AbortBody,
    status_code=202,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def abort(
    request: Request, writer: WriterDep, settings: SettingsDep, principal: PrincipalDep, id: IdPath
) -> AbortBody | JSONResponse:
    """Stop a running harvest. It ends ``aborted`` at its next heartbeat (``harvest.job_heartbeat_seconds``);
    the batches it wrote stay, nothing is withdrawn. 409 when the job has ended."""
    with writer() as session:
        _job_and_source(session, id, principal)
    try:
        result = abort_job(writer, settings, job_id=id)
    except JobConflict as exc:
        return conflict(request, str(exc), kind="job-ended")
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=principal,
            action="abort",
            entity="job",
            entity_id=id,
            before={"status": "running"},
            after={"result": result},
        )
    return AbortBody(job_id=id, result=result, href=str(request.url_for("job", id=id)))


@router.post(
    "/{id}/confirm-withdrawal",
    summary="Confirm the withdrawal a run held",
    response_model=JobStarted,
    status_code=202,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def confirm(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    launcher: LauncherDep,
    principal: PrincipalDep,
    id: IdPath,
) -> JobStarted | JSONResponse:
    """Confirm the withdrawal a run held (more than ``harvest.withdraw_threshold`` of the source's records
    no longer listed, or an empty listing): a new run of the source starts with the withdrawal confirmed
    and withdraws what is missing then. Only the source's newest job can be confirmed; 409 otherwise, or
    while a run of the source goes on."""
    with writer() as session:
        job, source = _job_and_source(session, id, principal)
        source_id = source.id
    try:
        started = confirm_withdrawal(writer, settings, launcher, job_id=id)
    except JobConflict as exc:
        return conflict(request, str(exc), kind="nothing-to-confirm")
    except JobRunning as exc:
        with writer() as session:
            return running_conflict(request, session, source_id, exc)
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=principal,
            action="confirm-withdrawal",
            entity="job",
            entity_id=id,
            before={"held_withdrawals": job.held_withdrawals},
            after={"job": started.job_id},
        )
    href = str(request.url_for("job", id=started.job_id))
    body = JobStarted(job_id=started.job_id, source_id=source_id, status="running", href=href)
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": href})
