"""Liveness: is the service up and its database reachable."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
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
