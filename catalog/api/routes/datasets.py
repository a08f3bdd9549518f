"""Datasets as JSON: a paged list and one dataset's record (the full read API comes with search)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from catalog.api.deps import SessionDep
from catalog.db.queries import StoredDataset, count_datasets, get_dataset, list_datasets
from catalog.exceptions import NotFound
from catalog.model import pick_text

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


def _summary(stored: StoredDataset, request: Request) -> dict[str, Any]:
    record = stored.record
    description = pick_text(record.description) or ""
    return {
        "id": stored.id,
        "uri": stored.uri,
        "kind": stored.kind,
        "title": stored.title,
        "description": description if len(description) <= 280 else description[:277].rstrip() + "...",
        "publisher": pick_text(record.publisher.name) if record.publisher else None,
        "municipality": stored.municipality,
        "themes": record.theme,
        "modified": stored.modified.isoformat() if stored.modified else None,
        "href": str(request.url_for("dataset_json", id=stored.id)),
    }


@router.get("")
def dataset_list(
    request: Request,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000, description="Datasets per page.")] = 50,
    municipality: Annotated[str | None, Query(pattern=r"^\d{5}$", description="NIS code.")] = None,
    modified_since: Annotated[datetime | None, Query(description="Only datasets modified since.")] = None,
) -> dict[str, Any]:
    """Live datasets, most recently modified first."""
    filters: dict[str, Any] = {"municipality": municipality, "modified_since": modified_since}
    rows = list_datasets(session, limit=per_page, offset=(page - 1) * per_page, order="-modified", **filters)
    return {
        "total": count_datasets(session, **filters),
        "page": page,
        "per_page": per_page,
        "results": [_summary(row, request) for row in rows],
    }


@router.get("/{id}", name="dataset_json")
def dataset_json(id: str, session: SessionDep) -> dict[str, Any]:
    """One dataset: the catalogue's facts about it and its DCAT-AP-VL record."""
    stored = get_dataset(session, id=id)
    if stored is None:
        raise NotFound(f"no dataset with id {id!r}")
    return {
        "id": stored.id,
        "uri": stored.uri,
        "kind": stored.kind,
        "municipality": stored.municipality,
        "first_seen": stored.first_seen.isoformat(),
        "last_seen": stored.last_seen.isoformat(),
        "withdrawn": stored.withdrawn_at.isoformat() if stored.withdrawn_at else None,
        "withdrawn_reason": stored.withdrawn_reason,
        "record": stored.record.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
    }
