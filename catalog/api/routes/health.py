"""Health: liveness (``/health``, ``/healthz``), readiness (``/readyz``), Prometheus ``/metrics``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from catalog.api.deps import SessionDep
from catalog.api.problems import problem

router = APIRouter(tags=["health"])


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The service and its database answer.",
        "content": {"application/json": {"example": {"status": "ok"}}},
    },
    503: {
        "description": "The database does not answer.",
        "content": {
            "application/problem+json": {
                "example": {
                    "type": "about:blank",
                    "title": "Service Unavailable",
                    "status": 503,
                    "detail": "database unreachable: OperationalError",
                }
            }
        },
    },
}


@router.get("/health", response_model=None, responses=_RESPONSES)
def health(session: SessionDep) -> dict[str, Any] | JSONResponse:
    """``{"status": "ok"}`` when the database answers; 503 problem+json when it does not."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return problem(503, f"database unreachable: {type(exc).__name__}", title="Service Unavailable")
    return {"status": "ok"}


@router.get("/healthz", responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
def healthz() -> dict[str, str]:
    """Liveness: the process answers (it asks nothing of the database; see ``/readyz``)."""
    return {"status": "ok"}


_READY: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Ready: the database answers and its schema is the code's.",
        "content": {
            "application/json": {
                "example": {
                    "status": "ok",
                    "database": "ok",
                    "migration": {"current": "0008", "expected": "0008"},
                    "queue": {"todo": 3, "doing": 2},
                }
            }
        },
    },
    503: {"description": "Not ready: the database does not answer or is not migrated (problem+json)."},
}


@router.get("/readyz", response_model=None, responses=_READY)
def readyz(session: SessionDep) -> dict[str, Any] | JSONResponse:
    """Readiness: database reachable, migrations current, and the worker queue's depth (PostgreSQL)."""
    from alembic.runtime.migration import MigrationContext

    from catalog.api.metrics import queue_depth
    from catalog.db.migrate import head_revision

    expected = head_revision()
    try:
        current = MigrationContext.configure(session.connection()).get_current_revision()
        queue = queue_depth(session)
    except SQLAlchemyError as exc:
        return problem(503, f"database unreachable: {type(exc).__name__}", title="Service Unavailable")
    migration = {"current": current, "expected": expected}
    if current != expected:
        detail = f"database schema at {current or 'nothing'}, the code expects {expected}"
        detail += ": run `catalog db upgrade`"
        return problem(503, detail, title="Service Unavailable", migration=migration)
    return {"status": "ok", "database": "ok", "migration": migration, "queue": queue}


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"example": "catalog_store_up 1.0\n"}}}},
)
def metrics(request: Request, session: SessionDep) -> PlainTextResponse:
    """Prometheus metrics: harvest runs, records by action, run durations, queue depth, HTTP latency."""
    from catalog.api.metrics import CONTENT_TYPE, render_metrics

    body = render_metrics(session, request.app.state.http_latency)
    return PlainTextResponse(body, media_type=CONTENT_TYPE)
