"""Withdrawing records and datasets: what a source no longer publishes leaves the live catalogue.

A withdrawn dataset keeps its row (and URI and public id) with ``withdrawn_at`` and a reason, so links
to it can answer "gone" rather than "never existed"; its facet rows are removed. A dataset is withdrawn
only when none of its source records is active. When the owning source record goes and another stays,
ownership passes to the oldest remaining one (see ``catalog.db.upsert``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from catalog.db.facets import delete_facets
from catalog.db.tables import DatasetRow, SourceRecord
from catalog.db.types import as_utc

__all__ = ["find_missing", "withdraw_dataset", "withdraw_missing", "withdraw_source_records"]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]


def _chunks(values: Sequence[Any], size: int = 1000) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def find_missing(
    session: Session,
    *,
    source_id: int,
    seen_remote_ids: Collection[str] | None = None,
    job_id: int | None = None,
) -> dict[str, int]:
    """The source's active records a harvest did not see: remote id -> source record id.

    Give either ``seen_remote_ids`` (every remote id the harvest saw) or ``job_id`` (the job passed to
    ``upsert_records``: records it did not touch are missing). Lets the harvest engine check the share
    it would withdraw before it does.
    """
    if (seen_remote_ids is None) == (job_id is None):
        raise ValueError("give exactly one of seen_remote_ids and job_id")
    sr = _LINKS.c
    query = select(sr.id, sr.remote_id, sr.last_job_id).where(
        sr.source_id == source_id, sr.withdrawn_at.is_(None)
    )
    seen = set(seen_remote_ids) if seen_remote_ids is not None else None
    return {
        row.remote_id: row.id
        for row in session.execute(query)
        if (row.remote_id not in seen if seen is not None else row.last_job_id != job_id)
    }


def withdraw_missing(
    session: Session,
    *,
    source_id: int,
    reason: str,
    seen_remote_ids: Collection[str] | None = None,
    job_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Withdraw the source's active records not seen in a complete harvest; return how many.

    The markers are those of ``find_missing``. Call only after a gather that finished: a cut-off
    harvest must never withdraw.
    """
    missing = find_missing(session, source_id=source_id, seen_remote_ids=seen_remote_ids, job_id=job_id)
    return withdraw_source_records(session, ids=list(missing.values()), reason=reason, now=now)


def withdraw_source_records(
    session: Session, *, ids: Sequence[int], reason: str, now: datetime | None = None
) -> int:
    """Withdraw these source records, then every dataset left without an active one; return the count."""
    if not ids:
        return 0
    now = as_utc(now) if now is not None else datetime.now(UTC)
    sr = _LINKS.c
    ids = sorted(set(ids))
    dataset_ids: set[int] = set()
    for chunk in _chunks(ids):
        dataset_ids.update(session.scalars(select(sr.dataset_id).where(sr.id.in_(chunk))))
        stmt = update(_LINKS).where(sr.id.in_(chunk), sr.withdrawn_at.is_(None))
        session.execute(stmt.values(withdrawn_at=now, withdrawn_reason=reason))
    _settle_datasets(session, sorted(dataset_ids), reason, now)
    return len(ids)


def _settle_datasets(session: Session, dataset_ids: list[int], reason: str, now: datetime) -> None:
    """Withdraw datasets with no active source record; hand ownership on where the owner left."""
    sr, d = _LINKS.c, _DATASETS.c
    orphaned: list[int] = []
    for chunk in _chunks(dataset_ids):
        query = (
            select(sr.id, sr.dataset_id, sr.is_owner, sr.withdrawn_at)
            .where(sr.dataset_id.in_(chunk))
            .order_by(sr.dataset_id, sr.first_seen, sr.id)
        )
        by_dataset: dict[int, list[Any]] = {}
        for row in session.execute(query):
            by_dataset.setdefault(row.dataset_id, []).append(row)
        for dataset_id in chunk:
            rows = by_dataset.get(dataset_id, [])
            active = [row for row in rows if row.withdrawn_at is None]
            if not active:
                orphaned.append(dataset_id)
                continue
            owner = next((row for row in rows if row.is_owner), None)
            if owner is not None and owner.withdrawn_at is not None:
                session.execute(update(_LINKS).where(sr.id == owner.id).values(is_owner=False))
                heir = update(_LINKS).where(sr.id == active[0].id)
                session.execute(heir.values(is_owner=True, content_hash=None))
    for chunk in _chunks(orphaned):
        stmt = update(_DATASETS).where(d.id.in_(chunk), d.withdrawn_at.is_(None))
        session.execute(stmt.values(withdrawn_at=now, withdrawn_reason=reason, updated_at=now))
    delete_facets(session, orphaned)


def withdraw_dataset(session: Session, *, id: str, reason: str, now: datetime | None = None) -> bool:
    """Withdraw a dataset (by public id) and all its source records; False when it was not live.

    A source that still publishes the record brings it back at its next harvest (*restored*).
    """
    d, sr = _DATASETS.c, _LINKS.c
    row = session.execute(select(d.id, d.withdrawn_at).where(d.slug == id)).first()
    if row is None or row.withdrawn_at is not None:
        return False
    links = list(session.scalars(select(sr.id).where(sr.dataset_id == row.id, sr.withdrawn_at.is_(None))))
    now = as_utc(now) if now is not None else datetime.now(UTC)
    if links:
        withdraw_source_records(session, ids=links, reason=reason, now=now)
    else:
        _settle_datasets(session, [row.id], reason, now)
    return True
