"""Sources: register, read, change, deactivate and delete the portals the catalogue harvests; test one
before saving it; start a harvest and list its runs.

Anyone may list and read sources (their public fields). Their options, harvester state and runs are shown
to a token that manages the source: an admin's, or a steward's whose municipalities or organisations
include the source's. Every write needs such a token (401 without a token, 403 outside its scope), is
rate limited per token (``rate_limit("write")``; the test of a source ``rate_limit("test")``) and leaves
an audit entry with the source's settings before and after. The checks a source passes when it is saved
are those of ``catalog.harvest.manage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.api.auth import OptionalPrincipalDep, PrincipalDep, forbidden, rate_limit
from catalog.api.deps import SessionDep, SettingsDep
from catalog.auth.audit import record_audit
from catalog.auth.principal import Principal
from catalog.auth.tokens import normalise_municipality
from catalog.db.engine import session_scope
from catalog.db.jobs import JobRunning, list_jobs
from catalog.db.tables import HarvestJob, Organisation, Source, SourceRecord
from catalog.exceptions import NotFound, StoreError
from catalog.harvest.control import start_harvest
from catalog.harvest.manage import (
    SourceConflict,
    SourceScope,
    delete_source,
    new_source,
    scope_of,
    snapshot,
    update_source_audited,
)
from catalog.harvest.preview import preview_source

from .jobs import IdPath, LauncherDep, WriterDep, conflict, job_summary, require_manager, running_conflict
from .source_schemas import (
    KIND_PATTERN,
    DeletedBody,
    JobList,
    JobStarted,
    PreviewBody,
    SourceBody,
    SourceCreate,
    SourceList,
    SourceTest,
    SourceUpdate,
    problem_responses,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/sources", tags=["sources"])

_RECENT_JOBS = 10


def _stats(session: Session, ids: Sequence[int]) -> tuple[dict[int, int], dict[int, HarvestJob]]:
    """Live records per source, and each source's last finished job."""
    if not ids:
        return {}, {}
    live = session.execute(
        select(SourceRecord.source_id, func.count())
        .where(SourceRecord.source_id.in_(ids), SourceRecord.withdrawn_at.is_(None))
        .group_by(SourceRecord.source_id)
    ).all()
    last_ids = (
        select(func.max(HarvestJob.id))
        .where(HarvestJob.source_id.in_(ids), HarvestJob.finished_at.is_not(None))
        .group_by(HarvestJob.source_id)
    )
    last = {
        job.source_id: job for job in session.scalars(select(HarvestJob).where(HarvestJob.id.in_(last_ids)))
    }
    return {source_id: int(count) for source_id, count in live}, last


def _body(
    request: Request,
    session: Session,
    source: Source,
    scope: SourceScope,
    principal: Principal | None,
    stats: tuple[dict[int, int], dict[int, HarvestJob]],
    *,
    with_jobs: bool = False,
) -> SourceBody:
    live, last = stats
    manages = scope.managed_by(principal)
    body = SourceBody(
        id=source.id,
        name=source.name,
        kind=source.kind,
        url=source.url,
        municipality=source.municipality_nis,
        organisation=scope.organisation_uri or scope.organisation_name,
        active=source.active,
        schedule=source.schedule,
        datasets=live.get(source.id, 0),
        last_harvest=job_summary(request, last[source.id]) if source.id in last else None,
        created_at=source.created_at,
        updated_at=source.updated_at,
        href=str(request.url_for("source", id=source.id)),
        can_manage=manages,
    )
    if manages:
        body.options = dict(source.options or {})
        body.state = dict(source.state or {})
        body.jobs_href = str(request.url_for("source_jobs", id=source.id))
        if with_jobs:
            body.jobs = [
                job_summary(request, j) for j in list_jobs(session, source_id=source.id, limit=_RECENT_JOBS)
            ]
    return body


def _source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    return source


def _check_new_scope(principal: Principal, municipality: str | None, organisation: str | None) -> None:
    """403 unless the principal would manage a source of this municipality or organisation."""
    nis = normalise_municipality(municipality) if municipality else None
    if not SourceScope(nis, organisation, organisation).managed_by(principal):
        where = " or ".join(
            part
            for part in (nis and f"municipality {nis}", organisation and f"organisation {organisation!r}")
            if part
        )
        raise forbidden(
            f"your token does not manage {where}"
            if where
            else "a source without municipality or organisation"
            " can only be managed by an admin; give the municipality or organisation it belongs to"
        )


def _exists_conflict(request: Request, exc: SourceConflict) -> JSONResponse:
    existing = str(request.url_for("source", id=exc.existing_id))
    return conflict(request, str(exc), kind="source-exists", existing=existing)


@router.get("", response_model=SourceList, summary="List the sources")
def source_list(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    municipality: Annotated[str | None, Query(pattern=r"^\d{5}$", description="NIS code.")] = None,
    kind: Annotated[str | None, Query(max_length=50, pattern=KIND_PATTERN)] = None,
    active: bool | None = None,
) -> SourceList:
    """Every registered source with its live datasets and last harvest. With a token, the sources it
    manages also show their options, state and a link to their runs."""
    query = select(Source).order_by(Source.id)
    if municipality is not None:
        query = query.where(Source.municipality_nis == municipality)
    if kind is not None:
        query = query.where(Source.kind == kind)
    if active is not None:
        query = query.where(Source.active.is_(active))
    sources = list(session.scalars(query))
    stats = _stats(session, [s.id for s in sources])
    organisations = {o.id: o for o in session.scalars(select(Organisation))} if sources else {}
    results = []
    for source in sources:
        org = organisations.get(source.organisation_id) if source.organisation_id else None
        scope = SourceScope(source.municipality_nis, org.name if org else None, org.uri if org else None)
        results.append(_body(request, session, source, scope, principal, stats))
    return SourceList(total=len(results), results=results)


@router.post(
    "",
    summary="Register a source",
    response_model=SourceBody,
    status_code=201,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
def source_create(
    request: Request, writer: WriterDep, settings: SettingsDep, principal: PrincipalDep, body: SourceCreate
) -> SourceBody | JSONResponse:
    """Register a source. Its options are checked against its harvester, its URL against the SSRF guard;
    409 with a link to the existing source when one has the same name, or the same URL and kind."""
    _check_new_scope(principal, body.municipality, body.organisation)
    try:
        with session_scope(writer) as session:
            source = new_source(session, settings, **body.model_dump())
            after = snapshot(session, source)
            record_audit(
                session,
                principal=principal,
                action="create",
                entity="source",
                entity_id=source.id,
                before=None,
                after=after,
            )
            result = _body(request, session, source, scope_of(session, source), principal, ({}, {}))
    except SourceConflict as exc:
        return _exists_conflict(request, exc)
    except (NotFound, StoreError) as exc:
        return conflict(request, str(exc), kind="source-conflict")
    return JSONResponse(result.model_dump(mode="json"), status_code=201, headers={"Location": result.href})


@router.post(
    "/test",
    summary="Test a source before saving it (nothing is written)",
    response_model=PreviewBody,
    dependencies=[Depends(rate_limit("test"))],
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def source_test(settings: SettingsDep, principal: PrincipalDep, body: SourceTest) -> PreviewBody:
    """Test a source before saving it: fetch and map its first ``limit`` records (default 20) with these
    settings, and return what the catalogue would store, each record's problems (from the mapping and
    the quality validator) and the fetch diagnostics (per request: URL, status, content type, bytes, ms).
    Nothing is written. A listing that cannot be read to the end is reported in ``error``."""
    if body.municipality or body.organisation:
        _check_new_scope(principal, body.municipality, body.organisation)
    nis = normalise_municipality(body.municipality) if body.municipality else None
    preview = await preview_source(
        settings,
        kind=body.kind,
        url=body.url.strip(),
        options=body.options,
        municipality=nis,
        limit=body.limit,
    )
    return PreviewBody.model_validate(preview.as_json())


@router.get(
    "/{id}",
    name="source",
    summary="One source",
    response_model=SourceBody,
    responses=problem_responses(404, 422),
)
def source_read(
    request: Request, session: SessionDep, principal: OptionalPrincipalDep, id: IdPath
) -> SourceBody:
    """One source. With a token that manages it: its options, harvester state and newest runs."""
    source = _source(session, id)
    stats = _stats(session, [source.id])
    return _body(request, session, source, scope_of(session, source), principal, stats, with_jobs=True)


@router.patch(
    "/{id}",
    summary="Change a source (deactivate with active=false)",
    response_model=SourceBody,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
def source_update(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    id: IdPath,
    body: SourceUpdate,
) -> SourceBody | JSONResponse:
    """Change a source's settings (only those given). ``{"active": false}`` deactivates it: it is no
    longer harvested on its schedule and its datasets stay. Moving a source to another municipality or
    organisation needs a token that manages both."""
    changes = body.changes()
    try:
        with session_scope(writer) as session:
            source = _source(session, id)
            require_manager(session, source, principal)
            if "municipality" in changes or "organisation" in changes:
                scope = scope_of(session, source)
                _check_new_scope(
                    principal,
                    changes.get("municipality", scope.municipality),
                    changes.get("organisation", scope.organisation_uri or scope.organisation_name),
                )
            update_source_audited(session, settings, source, changes, principal=principal)
            stats = _stats(session, [id])
            result = _body(
                request, session, source, scope_of(session, source), principal, stats, with_jobs=True
            )
    except SourceConflict as exc:
        return _exists_conflict(request, exc)
    except NotFound:
        raise
    except StoreError as exc:
        return conflict(request, str(exc), kind="source-conflict")
    return result


@router.delete(
    "/{id}",
    summary="Delete a source (its datasets are withdrawn, not erased)",
    response_model=DeletedBody,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def source_delete(
    request: Request, writer: WriterDep, settings: SettingsDep, principal: PrincipalDep, id: IdPath
) -> DeletedBody | JSONResponse:
    """Delete a source. Its datasets are withdrawn, not erased: they keep their URIs and answer 410 Gone,
    and come back when a source listing them is registered and harvested again. 409 while it is being
    harvested."""
    try:
        with session_scope(writer) as session:
            source = _source(session, id)
            require_manager(session, source, principal)
            before = snapshot(session, source)
            withdrawn = delete_source(session, settings, source)
            record_audit(
                session,
                principal=principal,
                action="delete",
                entity="source",
                entity_id=id,
                before=before,
                after={"withdrawn": withdrawn},
            )
    except JobRunning as exc:
        with writer() as session:
            return running_conflict(request, session, id, exc)
    return DeletedBody(id=id, withdrawn=withdrawn)


@router.post(
    "/{id}/harvest",
    summary="Start a harvest of the source",
    response_model=JobStarted,
    status_code=202,
    dependencies=[Depends(rate_limit("write"))],
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def source_harvest(
    request: Request,
    writer: WriterDep,
    settings: SettingsDep,
    launcher: LauncherDep,
    principal: PrincipalDep,
    id: IdPath,
) -> JobStarted | JSONResponse:
    """Start a harvest of the source in the background: 202 with the job's URL (``Location``), where its
    progress and report can be read. 409 while another run of the source goes on (in any process), or
    when the source is inactive."""
    with writer() as session:
        source = _source(session, id)
        require_manager(session, source, principal)
        if not source.active:
            return conflict(request, f"source {id} is inactive; activate it first", kind="source-inactive")
    try:
        started = start_harvest(writer, settings, launcher, source_id=id)
    except JobRunning as exc:
        with writer() as session:
            return running_conflict(request, session, id, exc)
    with session_scope(writer) as session:
        record_audit(
            session,
            principal=principal,
            action="harvest",
            entity="source",
            entity_id=id,
            before=None,
            after={"job": started.job_id},
        )
    href = str(request.url_for("job", id=started.job_id))
    body = JobStarted(
        job_id=started.job_id, source_id=id, status="running", href=href, aborted_jobs=started.aborted_jobs
    )
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": href})


@router.get(
    "/{id}/jobs",
    name="source_jobs",
    summary="The source's harvest runs",
    response_model=JobList,
    responses=problem_responses(401, 403, 404, 422),
)
def source_jobs(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    id: IdPath,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> JobList:
    """The source's runs, newest first (for a token that manages the source)."""
    source = _source(session, id)
    require_manager(session, source, principal)
    jobs = [job_summary(request, job) for job in list_jobs(session, source_id=id, limit=limit)]
    return JobList(total=len(jobs), results=jobs)
