"""Reading datasets: by id or URI, filtered lists, counts, a streaming walk and facet counts.

Results are ``StoredDataset`` values built from plain rows (no ORM identity map), so a walk over the
whole catalogue with ``iter_datasets`` keeps memory flat: it pages by primary key (keyset pagination).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import Select, Table, exists, func, select
from sqlalchemy.orm import Session

from catalog.db.facets import FACET_TABLES
from catalog.db.tables import DatasetRow, RawRecord, SourceRecord
from catalog.db.types import as_utc, unpack_raw
from catalog.model import DataService, Dataset, DatasetSeries

__all__ = [
    "STORED_COLUMNS",
    "DatasetOrder",
    "FacetName",
    "RawPayload",
    "StoredDataset",
    "count_datasets",
    "facet_counts",
    "get_dataset",
    "get_dataset_by_uri",
    "iter_datasets",
    "iter_raw_records",
    "list_datasets",
]

DatasetOrder = Literal["id", "title", "-modified", "-updated"]
FacetName = Literal[
    "theme", "format", "licence", "keyword", "municipality", "publisher", "language", "access_rights"
]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]
_MODELS: dict[str, type[Dataset | DataService | DatasetSeries]] = {
    "Dataset": Dataset,
    "DataService": DataService,
    "DatasetSeries": DatasetSeries,
}


@dataclass(frozen=True)
class StoredDataset:
    """A dataset as the store holds it. ``uri`` is its public URI (``record.uri`` is the source's own)."""

    pk: int
    """Internal key; the keyset cursor for ``list_datasets(after=...)``."""
    id: str
    """Public id (short, stable)."""
    uri: str
    kind: str
    title: str | None
    modified: datetime | None
    municipality: str | None
    content_hash: str
    first_seen: datetime
    last_seen: datetime
    updated_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str | None
    record_json: str

    @cached_property
    def record(self) -> Dataset | DataService | DatasetSeries:
        """The canonical record, parsed on first use."""
        return _MODELS[self.kind].model_validate_json(self.record_json)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


_d = _DATASETS.c
_LAST_SEEN = func.coalesce(
    select(func.max(_LINKS.c.last_seen)).where(_LINKS.c.dataset_id == _d.id).scalar_subquery(), _d.first_seen
).label("last_seen")
"""When a harvest last saw the dataset: the newest ``last_seen`` of its source records (kept there, in
narrow rows, so that seeing an unchanged dataset again never rewrites its row; migration 0012)."""
STORED_COLUMNS = (
    _d.id, _d.slug, _d.uri, _d.kind, _d.title, _d.modified, _d.municipality_nis, _d.content_hash,
    _d.first_seen, _LAST_SEEN, _d.updated_at, _d.withdrawn_at, _d.withdrawn_reason, _d.record,
)  # fmt: skip


def _stored(row: Any) -> StoredDataset:
    return StoredDataset(*row)


def get_dataset(session: Session, *, id: str) -> StoredDataset | None:
    """The dataset with this public id, withdrawn or not."""
    row = session.execute(select(*STORED_COLUMNS).where(_d.slug == id)).first()
    return _stored(row) if row is not None else None


def get_dataset_by_uri(session: Session, *, uri: str) -> StoredDataset | None:
    """The dataset with this public URI, withdrawn or not."""
    row = session.execute(select(*STORED_COLUMNS).where(_d.uri == uri)).first()
    return _stored(row) if row is not None else None


def _filtered(
    query: Select[Any],
    *,
    include_withdrawn: bool,
    source_id: int | None,
    municipality: str | None,
    modified_since: datetime | None,
    updated_since: datetime | None,
    kind: str | None,
) -> Select[Any]:
    if not include_withdrawn:
        query = query.where(_d.withdrawn_at.is_(None))
    if source_id is not None:
        sr = _LINKS.c
        link = exists().where(sr.dataset_id == _d.id, sr.source_id == source_id)
        if not include_withdrawn:
            link = link.where(sr.withdrawn_at.is_(None))
        query = query.where(link)
    if municipality is not None:
        query = query.where(_d.municipality_nis == municipality)
    if modified_since is not None:
        query = query.where(_d.modified >= as_utc(modified_since))
    if updated_since is not None:
        query = query.where(_d.updated_at >= as_utc(updated_since))
    if kind is not None:
        query = query.where(_d.kind == kind)
    return query


_ORDERS = {
    "id": (_d.id,),
    "title": (_d.title, _d.id),
    "-modified": (_d.modified.desc(), _d.id),
    "-updated": (_d.updated_at.desc(), _d.id),
}


def list_datasets(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    after: int | None = None,
    order: DatasetOrder = "id",
    include_withdrawn: bool = False,
    source_id: int | None = None,
    municipality: str | None = None,
    modified_since: datetime | None = None,
    updated_since: datetime | None = None,
    kind: str | None = None,
) -> list[StoredDataset]:
    """One page of datasets. ``after`` (a ``pk``, with ``order="id"``) pages by key instead of offset.

    ``modified_since`` filters on the record's ``dct:modified``; ``updated_since`` on when the catalogue
    last changed the dataset (for incremental harvesting by other catalogues).
    """
    query = _filtered(
        select(*STORED_COLUMNS),
        include_withdrawn=include_withdrawn,
        source_id=source_id,
        municipality=municipality,
        modified_since=modified_since,
        updated_since=updated_since,
        kind=kind,
    )
    if after is not None:
        if order != "id":
            raise ValueError("after= pages only in id order")
        query = query.where(_d.id > after)
    query = query.order_by(*_ORDERS[order]).limit(limit).offset(offset)
    return [_stored(row) for row in session.execute(query)]


def count_datasets(
    session: Session,
    *,
    include_withdrawn: bool = False,
    source_id: int | None = None,
    municipality: str | None = None,
    modified_since: datetime | None = None,
    updated_since: datetime | None = None,
    kind: str | None = None,
) -> int:
    """How many datasets ``list_datasets`` would page through with the same filters."""
    query = _filtered(
        select(func.count()).select_from(_DATASETS),
        include_withdrawn=include_withdrawn,
        source_id=source_id,
        municipality=municipality,
        modified_since=modified_since,
        updated_since=updated_since,
        kind=kind,
    )
    return int(session.execute(query).scalar_one())


def iter_datasets(
    session: Session,
    *,
    batch_size: int = 1000,
    include_withdrawn: bool = False,
    source_id: int | None = None,
    municipality: str | None = None,
    updated_since: datetime | None = None,
) -> Iterator[StoredDataset]:
    """Every matching dataset in primary-key order, fetched ``batch_size`` at a time (flat memory)."""
    after = 0
    while True:
        page = list_datasets(
            session,
            limit=batch_size,
            after=after,
            include_withdrawn=include_withdrawn,
            source_id=source_id,
            municipality=municipality,
            updated_since=updated_since,
        )
        yield from page
        if len(page) < batch_size:
            return
        after = page[-1].pk


def facet_counts(session: Session, *, facet: FacetName, limit: int = 50) -> list[tuple[str, int]]:
    """The most common values of a facet over the live datasets, most frequent first.

    Facet tables hold rows of live datasets only, so this reads one narrow index.
    """
    table = FACET_TABLES[facet]
    count = func.count().label("n")
    query = select(table.c.value, count).group_by(table.c.value).order_by(count.desc(), table.c.value)
    return [(row.value, int(row.n)) for row in session.execute(query.limit(limit))]


@dataclass(frozen=True, slots=True)
class RawPayload:
    """A source record's raw harvested payload, for re-normalising without re-harvesting."""

    source_record_id: int
    remote_id: str
    dataset_id: str
    """Public id of the dataset it is linked to."""
    municipality: str | None
    raw: bytes
    raw_format: str | None


def iter_raw_records(
    session: Session, *, source_id: int, batch_size: int = 500, include_withdrawn: bool = False
) -> Iterator[RawPayload]:
    """The raw payloads a source gave, in source-record order, ``batch_size`` at a time."""
    sr, raw = _LINKS.c, RawRecord.__table__.c
    after = 0
    while True:
        query = (
            select(sr.id, sr.remote_id, _d.slug, _d.municipality_nis)
            .add_columns(raw.raw, raw.raw_format, raw.compression)
            .join_from(_LINKS, RawRecord.__table__, raw.source_record_id == sr.id)
            .join(_DATASETS, _d.id == sr.dataset_id)
            .where(sr.source_id == source_id, sr.id > after)
            .order_by(sr.id)
            .limit(batch_size)
        )
        if not include_withdrawn:
            query = query.where(sr.withdrawn_at.is_(None))
        page = [
            RawPayload(key, remote_id, slug, nis, unpack_raw(data, compression), raw_format)
            for key, remote_id, slug, nis, data, raw_format, compression in session.execute(query)
        ]
        yield from page
        if len(page) < batch_size:
            return
        after = page[-1].source_record_id
