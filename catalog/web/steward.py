"""The steward's workspace: signing in and out, the steward's sources, one source with its runs, starting
a harvest, deactivating and reactivating a source.

Adding a source (with its test before saving) is in ``steward_sources``, a run's page in
``steward_jobs``; sessions and CSRF in ``steward_session``; the shared checks in ``steward_base``. The
writes go through the same services as the API (``catalog.harvest.manage``, ``catalog.harvest.control``)
with the same checks (scope, options, SSRF guard) and leave the same audit entries.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.api.deps import SessionDep, SettingsDep
from catalog.api.routes.jobs import LauncherDep, WriterDep
from catalog.auth.audit import record_audit
from catalog.db.engine import session_scope
from catalog.db.jobs import JobRunning, list_jobs
from catalog.db.tables import HarvestJob, Source, SourceRecord
from catalog.harvest.control import start_harvest
from catalog.harvest.lock import running_job
from catalog.harvest.manage import scope_of, update_source_audited
from catalog.harvest.registry import get_harvester
from catalog.web.render import render
from catalog.web.steward_base import (
    StewardDep,
    StewardRoute,
    managed_source,
    page,
    see_other,
    spend,
)
from catalog.web.steward_session import (
    LOGIN_CSRF_COOKIE,
    current_steward,
    end_session,
    login_csrf,
    read_form,
    set_session_cookie,
    start_session,
)

__all__ = ["IdPath", "kind_label", "router"]

router = APIRouter(prefix="/steward", include_in_schema=False, route_class=StewardRoute)

IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def kind_label(kind: str) -> str:
    """A source kind's display name (``CKAN``), or the kind itself when its plugin is not installed."""
    try:
        return str(get_harvester(kind).display_name)
    except Exception:
        return kind


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a workspace path of this site only (no open redirect)."""
    if target and target.startswith("/steward") and "//" not in target and "\\" not in target:
        return target
    return "/steward"


def _login_page(request: Request, *, status_code: int = 200, error: str | None = None) -> HTMLResponse:
    csrf = login_csrf(request)
    response = render(
        request,
        "steward/login.html",
        status_code=status_code,
        csrf=csrf,
        error=error,
        next=_safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        max_age=3600,
        path="/steward",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse, name="steward_login")
def login_form(request: Request) -> Response:
    """The sign-in form (a token field); a signed-in steward goes straight to the workspace."""
    if current_steward(request) is not None:
        return see_other(_safe_next(request.query_params.get("next")))
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Sign in with an API token: a session cookie, then the workspace; the form again when refused."""
    form = await read_form(request, None)
    session_id = start_session(request, form.get("token", ""))
    if session_id is None:
        return _login_page(request, status_code=401, error="login_refused")
    response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
    set_session_cookie(request, response, session_id)
    return response


@router.post("/logout")
async def logout(request: Request, steward: StewardDep) -> Response:
    """Sign out: the session ends in the store and its cookie is removed."""
    await read_form(request, steward.csrf)
    response = RedirectResponse("/steward/login?signed_out=1", status_code=303)
    end_session(request, response)
    return response


def _last_jobs(session: Session, ids: list[int]) -> dict[int, HarvestJob]:
    if not ids:
        return {}
    newest = (
        select(func.max(HarvestJob.id)).where(HarvestJob.source_id.in_(ids)).group_by(HarvestJob.source_id)
    )
    return {
        job.source_id: job for job in session.scalars(select(HarvestJob).where(HarvestJob.id.in_(newest)))
    }


def _live_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(SourceRecord.source_id, func.count())
        .where(SourceRecord.source_id.in_(ids), SourceRecord.withdrawn_at.is_(None))
        .group_by(SourceRecord.source_id)
    )
    return {int(source_id): int(n) for source_id, n in rows}


@router.get("", response_class=HTMLResponse, name="steward_home")
def workspace(request: Request, session: SessionDep, steward: StewardDep) -> HTMLResponse:
    """The sources the steward manages (all of them for an admin), each with its last run."""
    sources = [
        source
        for source in session.scalars(select(Source).order_by(Source.name))
        if scope_of(session, source).managed_by(steward.principal)
    ]
    ids = [s.id for s in sources]
    last, live = _last_jobs(session, ids), _live_counts(session, ids)
    rows: list[dict[str, Any]] = [
        {"source": s, "kind": kind_label(s.kind), "last": last.get(s.id), "datasets": live.get(s.id, 0)}
        for s in sources
    ]
    return page(request, "steward/index.html", steward, rows=rows)


@router.get("/sources/{id}", response_class=HTMLResponse, name="steward_source")
def source_page(request: Request, session: SessionDep, steward: StewardDep, id: IdPath) -> HTMLResponse:
    """One source: its settings, its live datasets and its newest runs, with the actions on it."""
    source = managed_source(session, id, steward)
    scope = scope_of(session, source)
    return page(
        request,
        "steward/source.html",
        steward,
        source=source,
        kind=kind_label(source.kind),
        organisation=scope.organisation_name or scope.organisation_uri,
        datasets=_live_counts(session, [id]).get(id, 0),
        jobs=list_jobs(session, source_id=id, limit=20),
        notice=request.query_params.get("notice"),
    )


@router.post("/sources/{id}/harvest")
async def harvest(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    launcher: LauncherDep,
    steward: StewardDep,
    id: IdPath,
) -> Response:
    """Start a harvest of the source and show its run; while one runs, show that one instead."""
    await read_form(request, steward.csrf)
    with writer() as session:
        source = managed_source(session, id, steward)
        spend(request, steward, "write")
        if not source.active:
            return see_other(f"/steward/sources/{id}?notice=inactive")
    try:
        started = start_harvest(writer, settings, launcher, source_id=id)
    except JobRunning:
        with writer() as session:
            alive = running_job(session, source_id=id)
        target = f"/steward/jobs/{alive.id}?notice=already_running" if alive else f"/steward/sources/{id}"
        return see_other(target)
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=steward.principal,
            action="harvest",
            entity="source",
            entity_id=id,
            before=None,
            after={"job": started.job_id},
        )
    return see_other(f"/steward/jobs/{started.job_id}")


@router.post("/sources/{id}/active")
async def set_active(
    request: Request, writer: WriterDep, settings: SettingsDep, steward: StewardDep, id: IdPath
) -> Response:
    """Deactivate the source (it is no longer harvested on its schedule; its datasets stay) or
    reactivate it (form field ``active``: ``0`` or ``1``)."""
    form = await read_form(request, steward.csrf)
    active = form.get("active") == "1"
    with session_scope(writer) as session:
        source = managed_source(session, id, steward)
        spend(request, steward, "write")
        update_source_audited(session, settings, source, {"active": active}, principal=steward.principal)
    return see_other(f"/steward/sources/{id}?notice={'activated' if active else 'deactivated'}")
