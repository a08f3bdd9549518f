"""A harvest run in the steward's workspace: its report (counts, error, the per-record outcomes, filterable
by action and paged), its progress while it runs, aborting it, and confirming or refusing a mass
withdrawal it held.

The page follows a running job without JavaScript (a ``meta refresh`` inside ``noscript``) and, with
it, through ``/steward/jobs/{id}/progress`` (JSON: status and counts so far) polled by
``static/steward.js``, which reloads the page when the run ends.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.routes.jobs import LauncherDep, WriterDep
from catalog.auth.audit import record_audit
from catalog.db.engine import session_scope
from catalog.db.jobs import STAT_KEYS, JobRunning, count_job_records, list_job_records
from catalog.db.tables import JOB_RECORD_ACTIONS, HarvestJob, HarvestJobRecord
from catalog.harvest.control import JobConflict, abort_job, confirm_withdrawal
from catalog.web.steward import IdPath, kind_label
from catalog.web.steward_base import StewardDep, StewardRoute, error_page, managed_job, page, see_other, spend
from catalog.web.steward_session import read_form

__all__ = ["PER_PAGE", "router"]

router = APIRouter(prefix="/steward", include_in_schema=False, route_class=StewardRoute)

PER_PAGE = 50


def _counts(session: Session, job: HarvestJob) -> dict[str, int]:
    """The run's counts: its final stats, or while it runs the log lines written so far."""
    if job.status != "running":
        return {key: int((job.stats or {}).get(key, 0)) for key in STAT_KEYS}
    rows = session.execute(
        select(HarvestJobRecord.action, func.count())
        .where(HarvestJobRecord.job_id == job.id)
        .group_by(HarvestJobRecord.action)
    )
    found = {str(action): int(n) for action, n in rows}
    return {key: found.get(key, 0) for key in STAT_KEYS}


def _page_number(request: Request) -> int:
    try:
        return min(max(int(request.query_params.get("page", "1")), 1), 1_000_000)
    except ValueError:
        return 1


@router.get("/jobs/{id}", response_class=HTMLResponse, name="steward_job")
def job_page(request: Request, session: SessionDep, steward: StewardDep, id: IdPath) -> HTMLResponse:
    """A run's report: status, counts, error, the held withdrawal, the per-record outcomes."""
    job, source = managed_job(session, id, steward)
    action = request.query_params.get("action") or None
    if action not in JOB_RECORD_ACTIONS:
        action = None
    number = _page_number(request)
    total = count_job_records(session, job_id=id, action=action)
    lines = list_job_records(
        session, job_id=id, action=action, limit=PER_PAGE, offset=(number - 1) * PER_PAGE
    )
    newest = session.scalars(select(func.max(HarvestJob.id)).where(HarvestJob.source_id == source.id)).one()
    context: dict[str, Any] = {
        "job": job,
        "source": source,
        "kind": kind_label(source.kind),
        "counts": _counts(session, job),
        "running": job.status in ("queued", "running"),
        "can_confirm": bool(job.held_withdrawals) and newest == job.id and job.status != "running",
        "action": action,
        "actions": JOB_RECORD_ACTIONS,
        "lines": lines,
        "total": total,
        "page": number,
        "pages": max((total + PER_PAGE - 1) // PER_PAGE, 1),
        "notice": request.query_params.get("notice"),
    }
    return page(request, "steward/job.html", steward, **context)


@router.get("/jobs/{id}/progress", name="steward_job_progress")
def job_progress(session: SessionDep, steward: StewardDep, id: IdPath) -> JSONResponse:
    """The run's status and counts so far, for the page's polling script."""
    job, _ = managed_job(session, id, steward)
    body = {
        "status": job.status,
        "running": job.status in ("queued", "running"),
        "counts": _counts(session, job),
        "abort_requested": job.abort_requested_at is not None,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/jobs/{id}/abort")
async def abort(
    request: Request, writer: WriterDep, settings: SettingsDep, steward: StewardDep, id: IdPath
) -> Response:
    """Stop the run: it ends ``aborted`` at its next heartbeat, withdrawing nothing."""
    await read_form(request, steward.csrf)
    with writer() as session:
        managed_job(session, id, steward)
    spend(request, steward, "write")
    try:
        result = abort_job(writer, settings, job_id=id)
    except JobConflict:
        return see_other(f"/steward/jobs/{id}?notice=ended")
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=steward.principal,
            action="abort",
            entity="job",
            entity_id=id,
            before={"status": "running"},
            after={"result": result},
        )
    return see_other(f"/steward/jobs/{id}?notice=abort_{result}")


@router.post("/jobs/{id}/withdrawal")
async def withdrawal(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    launcher: LauncherDep,
    steward: StewardDep,
    id: IdPath,
) -> Response:
    """Answer a held mass withdrawal: ``decision=confirm`` starts a run that withdraws what is missing;
    ``decision=refuse`` keeps the datasets (nothing is withdrawn; the refusal is in the audit log)."""
    form = await read_form(request, steward.csrf)
    with writer() as session:
        job, source = managed_job(session, id, steward)
        held, source_id = job.held_withdrawals, source.id
    spend(request, steward, "write")
    confirm = form.get("decision") == "confirm"
    started_id: int | None = None
    if confirm:
        try:
            started_id = confirm_withdrawal(writer, settings, launcher, job_id=id).job_id
        except (JobConflict, JobRunning):
            return see_other(f"/steward/jobs/{id}?notice=cannot_confirm")
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=steward.principal,
            action="confirm-withdrawal" if confirm else "refuse-withdrawal",
            entity="job",
            entity_id=id,
            before={"held_withdrawals": held},
            after={"job": started_id} if confirm else {"source": source_id, "withdrawn": 0},
        )
    if started_id is not None:
        return see_other(f"/steward/jobs/{started_id}")
    return see_other(f"/steward/jobs/{id}?notice=refused")


@router.get("/{rest:path}", response_class=HTMLResponse, include_in_schema=False)
def not_found(request: Request, steward: StewardDep, rest: str) -> HTMLResponse:
    """Any other workspace address: the 404 page (this router is included last, see ``catalog.web``)."""
    return error_page(request, 404)
