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


@router.get("/health", response_model=None)
def health(session: SessionDep) -> dict[str, Any] | JSONResponse:
    """``{"status": "ok"}`` when the database answers; 503 problem+json when it does not."""
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return problem(503, f"database unreachable: {type(exc).__name__}", title="Service Unavailable")
    return {"status": "ok"}
