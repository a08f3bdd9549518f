"""The audit log for admins: every write, who made it, when, and the state before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from catalog.api.auth import AdminDep, auth_responses
from catalog.api.deps import SessionDep
from catalog.auth.audit import list_audit
from catalog.db.auth_tables import AuditEntry

__all__ = ["AuditEntryBody", "AuditPage", "router"]

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditEntryBody(BaseModel):
    """One write as the audit log keeps it (secrets masked)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": 42,
                "at": "2026-03-01T12:00:00+00:00",
                "actor": "gent-steward",
                "role": "steward",
                "token_id": 3,
                "action": "update",
                "entity": "source",
                "entity_id": "7",
                "before": {"url": "https://data.stad.gent/api/v2/catalog/exports/dcat", "active": True},
                "after": {"url": "https://data.stad.gent/api/v2/catalog/exports/dcat", "active": False},
                "request_id": "5f2c0a8e9b1d4c7e8f6a2b3c4d5e6f70",
            }
        }
    )

    id: int
    at: datetime
    actor: str | None
    """The token's name; null for the command line or the system."""
    role: str | None
    token_id: int | None
    action: str
    entity: str
    entity_id: str | None
    before: Any
    after: Any
    request_id: str | None


class AuditPage(BaseModel):
    """A page of the audit log, newest first, with the link to the next (older) page."""

    results: list[AuditEntryBody]
    next: str | None
    """The next page (older entries); null on the last page."""


def _body(entry: AuditEntry) -> AuditEntryBody:
    return AuditEntryBody(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        token_id=entry.token_id,
        action=entry.action,
        entity=entry.entity,
        entity_id=entry.entity_id,
        before=entry.before,
        after=entry.after,
        request_id=entry.request_id,
    )


@router.get("", response_model=AuditPage, responses=auth_responses(401, 403))
def audit_log(
    request: Request,
    session: SessionDep,
    _admin: AdminDep,
    entity: Annotated[
        str | None,
        Query(max_length=50, description="Only entries about this kind of thing (`source`, `token` ...)."),
    ] = None,
    entity_id: Annotated[
        str | None,
        Query(max_length=200, description="Only entries about the thing with this id (with `entity`)."),
    ] = None,
    per_page: Annotated[int, Query(ge=1, le=500, description="Entries per page.")] = 100,
    before_id: Annotated[
        int | None, Query(ge=1, le=2**62, description="Page on: only entries older than this id.")
    ] = None,
) -> AuditPage:
    """Every write through the API (and token changes on the command line), newest first: who (the
    token's name and role), what (action, entity, id), when, and the state before and after, with
    secrets masked. Admins only."""
    entries = list_audit(session, entity=entity, entity_id=entity_id, limit=per_page + 1, before_id=before_id)
    more = len(entries) > per_page
    entries = entries[:per_page]
    next_url = None
    if more and entries:
        next_url = str(request.url.include_query_params(before_id=entries[-1].id))
    return AuditPage(results=[_body(e) for e in entries], next=next_url)
