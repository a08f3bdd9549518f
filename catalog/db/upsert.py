"""Writing harvested records: batch upsert and withdrawal.

Rules (the identity and ownership model of ``catalog.db.tables``):

- A record is keyed by (source, remote id). Its public URI is the record's own URI when that is an
  http(s) IRI (of at most 2,000 characters), else ``{base_uri}/datasets/{slug}`` where the slug is derived
  from the source's URL and the remote id.
- A URI not yet in the store makes a new dataset, owned by the source record that brought it (*created*).
- A URI already in the store, brought by another (source, remote id), is *linked*: the new source record
  points to the same dataset and keeps its raw content and hash, but its metadata does not replace the
  owner's. When the dataset is withdrawn (no active source record left), the newcomer becomes the owner
  and its record is written (*restored*).
- The owner's record is compared by content hash: equal means *unchanged* (no write but the source
  records' ``last_seen``, one statement per batch; no dataset row; a changed raw payload is still
  stored); different means *updated*; a
  withdrawn record that comes back is *restored*. Facet rows are rewritten on every write, and so is
  the searchable text (``datasets.search_*``, see ``catalog.search.text``), which the search index
  follows in the same transaction.
- A dataset is withdrawn only when no active source record remains. When the owner's record is withdrawn
  and another source still has the dataset, ownership passes to the oldest active source record, whose
  next harvest then rewrites the canonical record.
- If a record's URI changes, the dataset takes the new URI when no other dataset has it.

The caller commits: one transaction per batch, so an interrupted batch leaves nothing half-written.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from catalog.db.bulk import bulk_insert, bulk_update, in_values
from catalog.db.facets import FACET_COLUMNS, FACET_TABLES, delete_facets, facet_values
from catalog.db.tables import DatasetRow, RawRecord, Source, SourceRecord
from catalog.db.types import RAW_COMPRESSION, as_utc, pack_raw
from catalog.exceptions import NotFound, RecordError
from catalog.model import DataService, Dataset, DatasetSeries, pick_text
from catalog.search.text import SEARCH_COLUMNS, search_columns

__all__ = [
    "Prepared",
    "UpsertAction",
    "UpsertItem",
    "UpsertResult",
    "canonical_json",
    "mint_uri",
    "prepare",
    "public_uri",
    "upsert_record",
    "upsert_records",
]

UpsertAction = Literal["created", "updated", "unchanged", "restored", "linked"]
AnyRecord = Dataset | DataService | DatasetSeries

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]
_RAW: Table = RawRecord.__table__  # type: ignore[assignment]
MAX_URI = 2000
MAX_REMOTE_ID = 1000


@dataclass(frozen=True, slots=True)
class Prepared:
    """What storing a record needs that depends on the record and its raw bytes alone (``prepare``).

    Worked out where the record was read (a page reader process), so that the process that writes only
    looks the values up.
    """

    text: str
    """The record as canonical JSON (``canonical_json``)."""
    digest: str
    """Its content hash."""
    raw_hash: str | None
    """SHA-256 of the raw bytes, or None without them."""
    packed_raw: bytes | None
    """The raw bytes as the store keeps them (``pack_raw``), or None without them."""
    values: dict[str, Any]
    """The ``datasets`` columns that follow from the record: kind, title, modified and the search text."""
    facets: dict[str, list[tuple[Any, ...]]]
    """``facet_values`` without the municipality (the writer decides it)."""


def prepare(record: AnyRecord, raw: bytes | None) -> Prepared:
    """The values ``upsert_records`` needs for ``record`` that do not depend on the store."""
    text, digest = canonical_json(record)
    title = pick_text(record.title)
    values = {
        "kind": record.kind,
        "record": text,
        "content_hash": digest,
        "title": title[:1000] if title else None,
        "modified": as_utc(record.modified) if record.modified is not None else None,
        **search_columns(record.title, record.description, record.keyword),
    }
    raw_hash = packed = None
    if raw is not None:
        raw_hash, packed = hashlib.sha256(raw).hexdigest(), pack_raw(raw)
    return Prepared(text, digest, raw_hash, packed, values, facet_values(record, None))


@dataclass(frozen=True, slots=True)
class UpsertItem:
    """One harvested record to store."""

    remote_id: str
    record: AnyRecord
    raw: bytes | None = None
    raw_format: str | None = None
    municipality: str | None = None
    """NIS code of the municipality the record belongs to (worked out by the normaliser)."""
    prepared: Prepared | None = None
    """``prepare(record, raw)`` when it was worked out already (else it is here)."""


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What the store did with one item."""

    action: UpsertAction
    remote_id: str
    dataset_id: str
    """The dataset's public id (slug)."""
    dataset_pk: int
    uri: str
    source_record_id: int


def canonical_json(record: AnyRecord) -> tuple[str, str]:
    """The record as canonical JSON and the SHA-256 of that JSON, its content hash.

    pydantic-core writes fields in declaration order and the model keeps lists and language maps sorted,
    so equal metadata gives equal JSON (about 4x cheaper than ``catalog.model.content_hash``).
    """
    text = record.model_dump_json(exclude_none=True)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _slug(key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8")).digest()[:10]
    return base64.b32encode(digest).decode("ascii").lower()


def mint_uri(base_uri: str, slug: str) -> str:
    """The URI the catalogue gives a dataset that has no http(s) URI of its own."""
    return f"{base_uri.rstrip('/')}/datasets/{slug}"


def public_uri(record: AnyRecord, *, source_url: str, remote_id: str, base_uri: str) -> tuple[str, str]:
    """The (URI, slug) a record is known by in the catalogue."""
    uri = record.uri
    if uri and uri.lower().startswith(("http://", "https://")) and len(uri) <= MAX_URI:
        return uri, _slug(uri)
    slug = _slug(f"{source_url}\x1f{remote_id}")
    return mint_uri(base_uri, slug), slug


@dataclass(slots=True, eq=False)
class _DatasetState:
    pk: int | None
    slug: str
    uri: str
    withdrawn: bool
    is_new: bool = False
    dirty: bool = False
    values: dict[str, Any] = field(default_factory=dict)
    facets: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class _LinkState:
    id: int | None
    remote_id: str
    dataset: _DatasetState
    is_owner: bool
    content_hash: str | None
    raw_hash: str | None
    withdrawn: bool
    is_new: bool = False
    dirty: bool = False
    raw_changed: bool = False
    packed_raw: bytes | None = None
    raw_format: str | None = None


class _Batch:
    """Decides every item against the store's state, then writes the outcome in a few bulk statements."""

    def __init__(self, session: Session, source: Source, base_uri: str, now: datetime, job_id: int | None):
        self.session = session
        self.source = source
        self.base_uri = base_uri
        self.now = now
        self.job_id = job_id
        self.links: dict[str, _LinkState] = {}
        self.by_uri: dict[str, _DatasetState] = {}
        self.owner_cleared: list[int] = []

    def load(self, items: Sequence[UpsertItem], uris: list[str]) -> None:
        remote_ids = sorted({item.remote_id for item in items})
        sr, d = _LINKS.c, _DATASETS.c
        found: list[Any] = []
        for chunk in _chunks(remote_ids):  # two index lookups, not a join: good plans even on fresh stats
            query = select(
                sr.id, sr.remote_id, sr.dataset_id, sr.is_owner, sr.content_hash, sr.raw_hash, sr.withdrawn_at
            ).where(sr.source_id == self.source.id, in_values(self.session, sr.remote_id, chunk))
            found.extend(self.session.execute(query))
        datasets: dict[int, _DatasetState] = {}
        for chunk in _chunks(sorted({row.dataset_id for row in found})):
            query = select(d.id, d.slug, d.uri, d.withdrawn_at).where(in_values(self.session, d.id, chunk))
            for row in self.session.execute(query):
                ds = _DatasetState(row.id, row.slug, row.uri, row.withdrawn_at is not None)
                datasets[row.id] = self.by_uri[row.uri] = ds
        for row in found:
            self.links[row.remote_id] = _LinkState(
                row.id, row.remote_id, datasets[row.dataset_id], row.is_owner, row.content_hash, row.raw_hash,
                row.withdrawn_at is not None,
            )  # fmt: skip
        wanted = sorted({u for u in uris if u not in self.by_uri})
        for chunk in _chunks(wanted):
            query = select(d.id, d.slug, d.uri, d.withdrawn_at).where(in_values(self.session, d.uri, chunk))
            for row in self.session.execute(query):
                self.by_uri[row.uri] = _DatasetState(row.id, row.slug, row.uri, row.withdrawn_at is not None)

    def decide(self, item: UpsertItem, uri: str, slug: str) -> tuple[_LinkState, UpsertAction]:
        prepared = item.prepared or prepare(item.record, item.raw)
        digest, raw_hash = prepared.digest, prepared.raw_hash
        link = self.links.get(item.remote_id)
        if link is None:
            ds = self.by_uri.get(uri)
            if ds is None:
                ds = _DatasetState(None, slug, uri, withdrawn=False, is_new=True)
                self.by_uri[uri] = ds
                action: UpsertAction = "created"
                owner = True
            elif ds.withdrawn:
                self._take_ownership_from_others(ds)
                action, owner = "restored", True
            else:
                action, owner = "linked", False
            link = _LinkState(None, item.remote_id, ds, owner, None, None, withdrawn=False, is_new=True)
            self.links[item.remote_id] = link
        else:
            ds = link.dataset
            if uri != ds.uri and link.is_owner and uri not in self.by_uri and not self._uri_taken(uri):
                self.by_uri.pop(ds.uri, None)
                ds.uri = uri
                self.by_uri[uri] = ds
                ds.dirty = True
            if not link.is_owner and ds.withdrawn:
                self._take_ownership_from_others(ds)
                link.is_owner = True
                link.dirty = True
            if link.is_owner:
                if ds.withdrawn or link.withdrawn:
                    action = "restored"
                elif digest != link.content_hash or ds.dirty:
                    action = "updated"
                else:
                    action = "unchanged"
            else:
                action = "linked" if (digest != link.content_hash or link.withdrawn) else "unchanged"
        if raw_hash != link.raw_hash:
            link.raw_changed = True
        if action != "unchanged" or link.raw_changed:
            link.dirty = True
        link.content_hash, link.raw_hash, link.withdrawn = digest, raw_hash, False
        link.packed_raw, link.raw_format = prepared.packed_raw, item.raw_format
        if link.is_owner and action != "unchanged":
            self._write_record(ds, item, prepared)
        return link, action

    def _uri_taken(self, uri: str) -> bool:
        found = self.session.execute(select(_DATASETS.c.id).where(_DATASETS.c.uri == uri)).first()
        return found is not None

    def _take_ownership_from_others(self, ds: _DatasetState) -> None:
        for other in self.links.values():
            if other.dataset is ds and other.is_owner:
                other.is_owner = False
                other.dirty = True
                if other.id is not None:
                    self.owner_cleared.append(other.id)
        if ds.pk is not None:
            sr = _LINKS.c
            query = select(sr.id).where(sr.dataset_id == ds.pk, sr.is_owner)
            self.owner_cleared.extend(self.session.scalars(query))

    def _write_record(self, ds: _DatasetState, item: UpsertItem, prepared: Prepared) -> None:
        municipality = item.municipality
        ds.values.update(prepared.values, municipality_nis=municipality, updated_at=self.now)
        facets = dict(prepared.facets)
        facets["municipality"] = [(municipality,)] if municipality else []
        ds.facets = facets
        ds.withdrawn = False
        ds.dirty = True

    def flush(self) -> None:
        """Write every decision: datasets, source records, facets."""
        datasets = list({id(ds): ds for ds in self.by_uri.values()}.values())
        new = [ds for ds in datasets if ds.is_new]
        if new:
            rows = [(ds.slug, ds.uri, *(ds.values[c] for c in _DATASET_VALUES), self.now) for ds in new]
            bulk_insert(self.session, _DATASETS, _DATASET_INSERT, rows)
            pks = self._lookup(_DATASETS.c.slug, [ds.slug for ds in new])
            for ds in new:
                ds.pk = pks[ds.slug]
        changed = [ds for ds in datasets if ds.dirty and not ds.is_new]
        if changed:
            rows = [(ds.pk, ds.uri, *(ds.values[c] for c in _DATASET_VALUES), None, None) for ds in changed]
            bulk_update(self.session, _DATASETS, "id", _DATASET_UPDATE, rows)
            delete_facets(self.session, [ds.pk for ds in changed if ds.pk is not None])
        self._write_facets([ds for ds in datasets if ds.dirty or ds.is_new])
        self._flush_links()

    def _lookup(self, column: Any, keys: list[str], *where: Any) -> dict[str, int]:
        found: dict[str, int] = {}
        table = column.table
        for chunk in _chunks(keys):
            query = select(column, table.c.id).where(in_values(self.session, column, chunk), *where)
            found.update((row[0], row[1]) for row in self.session.execute(query))
        return found

    def _write_facets(self, datasets: list[_DatasetState]) -> None:
        for name, table in FACET_TABLES.items():
            rows = [(ds.pk, *values) for ds in datasets for values in ds.facets.get(name, ())]
            bulk_insert(self.session, table, ("dataset_id", *FACET_COLUMNS[name]), rows)

    def _flush_links(self) -> None:
        sr = _LINKS.c
        cleared = sorted(set(self.owner_cleared))
        for chunk in _chunks(cleared):
            self.session.execute(
                update(_LINKS).where(in_values(self.session, sr.id, chunk)).values(is_owner=False)
            )
        links = list(self.links.values())
        dirty = [link for link in links if link.dirty and not link.is_new]
        bulk_update(
            self.session, _LINKS, "id", _LINK_VALUES, [(ln.id, *self._link_values(ln)) for ln in dirty]
        )
        new = [link for link in links if link.is_new]
        if new:
            rows = [
                (self.source.id, ln.remote_id, ln.dataset.pk, self.now, *self._link_values(ln)) for ln in new
            ]
            bulk_insert(
                self.session,
                _LINKS,
                ("source_id", "remote_id", "dataset_id", "first_seen", *_LINK_VALUES),
                rows,
            )
            ids = self._lookup(sr.remote_id, [ln.remote_id for ln in new], sr.source_id == self.source.id)
            for link in new:
                link.id = ids[link.remote_id]
        self._write_raw([link for link in links if link.raw_changed])
        touched = sorted(link.id for link in links if not link.dirty and link.id is not None)
        for chunk in _chunks(touched):
            stmt = update(_LINKS).where(in_values(self.session, sr.id, chunk))
            stmt = stmt.values(last_seen=self.now, last_job_id=self.job_id)
            self.session.execute(stmt)

    def _write_raw(self, links: list[_LinkState]) -> None:
        stale = sorted(link.id for link in links if not link.is_new and link.id is not None)
        for chunk in _chunks(stale):
            self.session.execute(delete(_RAW).where(in_values(self.session, _RAW.c.source_record_id, chunk)))
        rows = [
            (link.id, link.packed_raw, link.raw_format, RAW_COMPRESSION)
            for link in links
            if link.packed_raw is not None
        ]
        bulk_insert(self.session, _RAW, ("source_record_id", "raw", "raw_format", "compression"), rows)

    def _link_values(self, link: _LinkState) -> tuple[Any, ...]:
        return (
            link.is_owner,
            link.content_hash,
            link.raw_hash,
            self.now,
            self.job_id,
            None,
            None,
        )


_DATASET_VALUES = (
    "kind",
    "record",
    "content_hash",
    "title",
    "modified",
    "municipality_nis",
    "updated_at",
    *SEARCH_COLUMNS,
)
_DATASET_INSERT = ("slug", "uri", *_DATASET_VALUES, "first_seen")
_DATASET_UPDATE = ("uri", *_DATASET_VALUES, "withdrawn_at", "withdrawn_reason")
_LINK_VALUES = (
    "is_owner",
    "content_hash",
    "raw_hash",
    "last_seen",
    "last_job_id",
    "withdrawn_at",
    "withdrawn_reason",
)


def _chunks(values: Sequence[Any], size: int = 1000) -> list[Sequence[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def upsert_records(
    session: Session,
    *,
    source_id: int,
    items: Sequence[UpsertItem],
    base_uri: str | None = None,
    job_id: int | None = None,
    now: datetime | None = None,
) -> list[UpsertResult]:
    """Store a batch of harvested records with a handful of bulk statements; one result per item.

    ``base_uri`` (default: settings ``catalog.base_uri``) is where URIs are minted. ``job_id`` marks
    every record seen, for ``withdraw_missing(job_id=...)``. A remote id that appears twice in a batch
    is applied in order. Raises ``RecordError`` before writing anything when an item cannot be stored,
    ``NotFound`` for an unknown source.
    """
    if not items:
        return []
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    if base_uri is None:
        from catalog.settings import get_settings

        base_uri = get_settings().catalog.base_uri
    for item in items:
        if not item.remote_id or len(item.remote_id) > MAX_REMOTE_ID:
            raise RecordError("remote id is empty or longer than 1000 characters", remote_id=item.remote_id)
    now = as_utc(now) if now is not None else datetime.now(UTC)
    keys = [
        public_uri(i.record, source_url=source.url, remote_id=i.remote_id, base_uri=base_uri) for i in items
    ]
    batch = _Batch(session, source, base_uri, now, job_id)
    batch.load(items, [uri for uri, _ in keys])
    decided = [batch.decide(item, uri, slug) for item, (uri, slug) in zip(items, keys, strict=True)]
    batch.flush()
    results = []
    for (link, action), item in zip(decided, items, strict=True):
        ds = link.dataset
        assert ds.pk is not None and link.id is not None
        results.append(UpsertResult(action, item.remote_id, ds.slug, ds.pk, ds.uri, link.id))
    return results


def upsert_record(
    session: Session,
    *,
    source_id: int,
    remote_id: str,
    record: AnyRecord,
    raw: bytes | None,
    raw_format: str | None,
    municipality: str | None = None,
    base_uri: str | None = None,
    job_id: int | None = None,
    now: datetime | None = None,
) -> UpsertResult:
    """Store one harvested record (``upsert_records`` with a batch of one)."""
    item = UpsertItem(remote_id, record, raw, raw_format, municipality)
    return upsert_records(
        session, source_id=source_id, items=[item], base_uri=base_uri, job_id=job_id, now=now
    )[0]
