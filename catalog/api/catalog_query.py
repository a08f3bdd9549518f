"""The datasets of the DCAT catalogue feed: filters, counts and a streamed walk over one page.

A page is read in small keyset batches (``id > last``) after one offset lookup, each batch in a short
query, so serving a page of 1,000 datasets, or the whole catalogue for a dump, holds one batch at a
time. Every walk is in primary-key order, which is stable while datasets are added.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.facets import FACET_TABLES
from catalog.db.queries import STORED_COLUMNS, StoredDataset
from catalog.db.tables import DatasetRow
from catalog.db.types import as_utc
from catalog.model import DataService, Dataset, DatasetSeries
from catalog.search.backend import backend_for
from catalog.search.text import parse_query

__all__ = [
    "CatalogFilters",
    "count_matching",
    "iter_matching",
    "live_in_key_range",
    "next_page_key",
    "public_record",
]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c


@dataclass(frozen=True, slots=True)
class CatalogFilters:
    """What a client may narrow the catalogue feed to; every filter given must hold."""

    modified_since: datetime | None = None
    municipality: str | None = None
    """NIS code."""
    publisher: str | None = None
    """Publisher URI (or ``name:`` key, as the publisher facet holds it)."""
    q: str | None = None
    """Free text, matched as the search API matches it (every word, accents folded, last as prefix)."""

    def query_params(self) -> dict[str, str]:
        """The filters as query parameters, for links to other pages."""
        params: dict[str, str] = {}
        if self.modified_since is not None:
            params["modified_since"] = self.modified_since.isoformat()
        for name in ("municipality", "publisher", "q"):
            value = getattr(self, name)
            if value:
                params[name] = value
        return params


def _where(session: Session, query: Select[Any], filters: CatalogFilters) -> Select[Any]:
    query = query.where(_d.withdrawn_at.is_(None))
    if filters.modified_since is not None:
        query = query.where(_d.modified >= as_utc(filters.modified_since))
    if filters.municipality:
        query = query.where(_d.municipality_nis == filters.municipality)
    if filters.publisher:
        table = FACET_TABLES["publisher"]
        query = query.where(exists().where(table.c.dataset_id == _d.id, table.c.value == filters.publisher))
    terms = parse_query(filters.q)
    if terms:
        matches = backend_for(session).matches(terms).subquery()
        query = query.where(_d.id.in_(select(matches.c.dataset_id)))
    return query


def store_version(session: Session) -> tuple[int, datetime | None]:
    """(rows, latest ``updated_at``): changes whenever the catalogue changes a dataset. Read from the
    ``updated_at`` index alone, so it is cheap enough to ask on every request."""
    rows, latest = session.execute(select(func.count(), func.max(_d.updated_at)).select_from(_DATASETS)).one()
    return int(rows), latest


_COUNTS: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_COUNTS_LOCK = threading.Lock()
_COUNTS_KEPT = 512


def count_matching(session: Session, filters: CatalogFilters) -> int:
    """How many live datasets the feed holds under ``filters``.

    Counting live datasets reads every matching row, so counts are remembered per store version:
    the number of rows and the latest ``updated_at`` (which moves with every change the catalogue
    makes), both read from the ``updated_at`` index. A harvester walking all pages pays once.
    """
    key = (str(session.get_bind().engine.url), filters, *store_version(session))
    with _COUNTS_LOCK:
        if key in _COUNTS:
            _COUNTS.move_to_end(key)
            return _COUNTS[key]
    query = _where(session, select(func.count()).select_from(_DATASETS), filters)
    count = int(session.execute(query).scalar_one())
    with _COUNTS_LOCK:
        _COUNTS[key] = count
        while len(_COUNTS) > _COUNTS_KEPT:
            _COUNTS.popitem(last=False)
    return count


def iter_matching(
    sessions: sessionmaker[Session],
    filters: CatalogFilters,
    *,
    offset: int = 0,
    limit: int | None = None,
    after: int | None = None,
    batch_size: int = 200,
) -> Iterator[StoredDataset]:
    """The live datasets under ``filters`` in key order, from ``offset`` (or, given ``after``, from
    the first key above it), at most ``limit`` of them.

    Opens its own session (a streamed response outlives the request's one) and fetches
    ``batch_size`` rows per query.
    """
    remaining = limit
    with sessions() as session:
        while remaining is None or remaining > 0:
            size = batch_size if remaining is None else min(batch_size, remaining)
            query = _where(session, select(*STORED_COLUMNS), filters).order_by(_d.id).limit(size)
            query = query.offset(offset) if after is None else query.where(_d.id > after)
            rows = [StoredDataset(*row) for row in session.execute(query)]
            session.rollback()  # end the read transaction between batches: no long-held snapshot
            yield from rows
            if len(rows) < size:
                return
            after = rows[-1].pk
            if remaining is not None:
                remaining -= len(rows)


def next_page_key(
    session: Session, filters: CatalogFilters, *, per_page: int, offset: int = 0, after: int | None = None
) -> int | None:
    """The key of the first dataset after the page that ``offset`` or ``after`` starts; None when
    that page is the last. Next links carry it, so each following page is read by key, not offset."""
    query = _where(session, select(_d.id), filters).order_by(_d.id).limit(1)
    if after is not None:
        query = query.where(_d.id > after).offset(per_page)
    else:
        query = query.offset(offset + per_page)
    key = session.execute(query).scalar()
    return int(key) if key is not None else None


def live_in_key_range(session: Session, low: int, high: int) -> list[StoredDataset]:
    """The live datasets with ``low <= key < high``, in key order."""
    query: Select[Any] = select(*STORED_COLUMNS).where(_d.id >= low, _d.id < high, _d.withdrawn_at.is_(None))
    return [StoredDataset(*row) for row in session.execute(query.order_by(_d.id))]


def public_record(stored: StoredDataset) -> Dataset | DataService | DatasetSeries:
    """The stored record under its public URI (the one the catalogue serves it at)."""
    record = stored.record
    return record if record.uri == stored.uri else record.model_copy(update={"uri": stored.uri})
