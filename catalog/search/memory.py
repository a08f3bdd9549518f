"""An in-memory facet index: every facet value's datasets as a bitset, rebuilt when the store changes.

Counting facets in SQL means one join per facet over the matching datasets (about 100 ms a facet for
10,000 matches in SQLite). Here a search's candidates are a bitset (a Python ``int``, bit ``i`` for
``datasets.id`` ``i``) and each facet value held by many datasets has its own bitset, so a filter is a
few ORs and ANDs and its count a popcount. The other values (most values of a facet with hundreds or
thousands of them: municipalities, publishers, keywords) keep their datasets' keys in numpy arrays,
grouped by value, and are counted together: the candidates as a boolean array, looked up for every
key, summed per value; or, when few datasets are candidates, from the candidates' side (each
candidate's values, counted). Counts over the whole catalogue (browsing without filters) are
computed once per build. A search's facet counts cost a few milliseconds for 100,000 datasets and
tens for 1,000,000.

The index is built from the same narrow facet tables (``catalog.search.facets``) on SQLite and
PostgreSQL, one per database engine, and rebuilt when the store's version changes (newest
``datasets.updated_at``, newest dataset and source-record keys; every write, withdrawal and restore moves
one of them) or after ``MAX_AGE`` seconds (a source record withdrawn while its dataset stays live moves
none of them).
"""

from __future__ import annotations

import threading
import time
import weakref
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, Select, Table, func, select
from sqlalchemy.orm import Session

from catalog.db.tables import DatasetRow, SourceRecord
from catalog.db.types import as_utc
from catalog.search.facets import FACETS, facet_labels

__all__ = [
    "MAX_AGE",
    "MEMO_SIZE",
    "SYNC_LIMIT",
    "Candidates",
    "FacetIndex",
    "Keys",
    "Mask",
    "facet_index",
    "keys_array",
    "keys_of",
]

MAX_AGE = 300.0
"""Seconds an index is used before the next search rebuilds it even if the version did not move."""
SYNC_LIMIT = 20_000
"""Up to this many dataset keys, a stale index is rebuilt before answering; above, in the background."""

Keys = NDArray[np.int64]
"""Dataset keys."""
Mask = NDArray[np.bool_]
"""A bitset as one boolean a dataset key."""

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]
_d = _DATASETS.c
_FEW = 4096
"""Candidates up to this many are sorted by rank; more are found by walking the precomputed order."""
MEMO_SIZE = 64
"""Text matches kept per index (a search repeated while the store does not change reads no matches
again; a million datasets' bitsets take 125 KB each)."""
_SPARSE = 64
"""A value held by fewer than 1/64 of the datasets keeps an array of keys (counted with the others),
more a bitset of its own (counted by a popcount)."""
_BY_CANDIDATES = 4
"""Values without a bitset are counted from the candidates' side (each candidate's values) when the
candidates are fewer than 1/4 of those values' keys, else by looking every key up among the candidates."""
_WALK = 65536
"""Keys of a precomputed order looked at per step when walking it for a page."""


def _nbytes(size: int) -> int:
    return (size >> 3) + 1


def _bits_of_keys(keys: NDArray[Any], size: int) -> int:
    """The bitset of ``keys`` (each below ``size``)."""
    mask = np.zeros(_nbytes(size) * 8, np.bool_)
    mask[keys] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def keys_array(values: Iterable[Any]) -> Keys:
    """Keys from an array, an iterable of keys, or one-key rows (as a cursor's ``fetchall`` gives them)."""
    if isinstance(values, np.ndarray):
        return values.astype(np.int64, copy=False)
    items = values if isinstance(values, list | tuple) else list(values)
    if not items or isinstance(items[0], int | np.integer):
        return np.fromiter(items, np.int64, len(items))
    return np.fromiter(chain.from_iterable(items), np.int64, len(items))


def _bits(positions: Iterable[Any], size: int) -> int:
    keys = keys_array(positions)
    return _bits_of_keys(keys[keys < size], size)


def _mask_of(bits: int, size: int) -> Mask:
    raw = np.frombuffer(bits.to_bytes(_nbytes(size), "little"), np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].view(np.bool_)


def keys_of(bits: int) -> list[int]:
    """The keys (bit positions) set in a bitset, ascending."""
    size = bits.bit_length()
    return np.flatnonzero(_mask_of(bits, size)).tolist() if size else []


@dataclass
class _Facet:
    dense: dict[str, int] = field(default_factory=dict)
    """Values held by many datasets -> their bitsets."""
    names: list[str] = field(default_factory=list)
    """The other values, in order (by value)."""
    code: dict[str, int] = field(default_factory=dict)
    """Such a value -> its place in ``names``."""
    starts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Where each of ``names`` starts in ``keys`` (and the end)."""
    keys: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    """Their datasets' keys, grouped by value, ascending within a value."""
    by_key: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, np.int64))
    """Per dataset key, where its values start in ``codes`` (and the end): the same pairs by key."""
    codes: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))

    @property
    def sparse(self) -> bool:
        return bool(self.names)

    def values(self) -> list[str]:
        return [*self.dense, *self.names]

    def value_keys(self, value: str) -> NDArray[np.int32]:
        at = self.code[value]
        return self.keys[self.starts[at] : self.starts[at + 1]]

    def bits(self, values: Iterable[str], size: int) -> int:
        out = 0
        arrays = []
        for value in values:
            if value in self.dense:
                out |= self.dense[value]
            elif value in self.code:
                arrays.append(self.value_keys(value))
        if arrays:
            out |= _bits_of_keys(np.concatenate(arrays), size)
        return out

    def sparse_counts(self, candidates: Candidates) -> NDArray[np.int64]:
        """How many of the candidates have each of ``names``."""
        if candidates.count * _BY_CANDIDATES < len(self.keys):  # few: from the candidates' side
            keys = candidates.keys
            begins = self.by_key[keys]
            lengths = self.by_key[keys + 1] - begins
            total = int(lengths.sum())
            if not total:
                return np.zeros(len(self.names), np.int64)
            ends = np.cumsum(lengths)
            places = np.arange(total, dtype=np.int64) + np.repeat(begins - (ends - lengths), lengths)
            return np.bincount(self.codes[places], minlength=len(self.names))
        hit = np.concatenate(([0], np.cumsum(candidates.mask[self.keys], dtype=np.int64)))
        return hit[self.starts[1:]] - hit[self.starts[:-1]]


class Candidates:
    """One search's candidates as a bitset, a boolean array and (when first asked) their keys."""

    def __init__(self, bits: int, size: int, count: int | None = None) -> None:
        self.bits = bits
        self.count = bits.bit_count() if count is None else count
        self.mask = _mask_of(bits, size)
        self._keys: Keys | None = None

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            self._keys = np.flatnonzero(self.mask)
        return self._keys


@dataclass
class FacetIndex:
    """Live datasets as a bitset by key, their facet values as bitsets, their orders for sorting.

    A bit's position is the dataset's key (``datasets.id``), so matches from SQL need no mapping.
    """

    size: int
    """Bits in a bitset: the largest dataset key + 1."""
    live: int
    """The bitset of every live dataset."""
    facets: dict[str, _Facet]
    modified: list[datetime]
    """The dates of the live datasets that have one, ascending (as ``orders[("modified", False)]``)."""
    orders: dict[tuple[str, bool], Keys]
    """(``modified``/``title``, descending) -> keys in that order, undated/untitled last."""
    ranks: dict[tuple[str, bool], NDArray[np.int64]]
    """The same orders as a rank by key."""
    version: tuple[Any, ...]
    built: float
    labels: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Facet -> value -> label, for the facets whose labels live in the store (publishers, sources)."""
    sources_of: dict[str, set[str]] = field(default_factory=dict)
    """Municipality (NIS) -> ids of the sources that bring any of its live datasets."""
    live_count: int = 0
    _everywhere: dict[str, dict[str, int]] = field(default_factory=dict)
    """Facet -> counts over every live dataset (computed when first asked)."""
    _everywhere_top: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """Facet -> the same, most frequent first."""
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def everything(self) -> int:
        return self.live

    def bits_of_ids(self, ids: Iterable[Any]) -> int:
        """The live datasets among ``ids`` (keys, or one-key rows), as a bitset."""
        keys = keys_array(ids)
        keys = keys[(keys >= 0) & (keys < self.size)]
        return _bits_of_keys(keys, self.size) & self.live

    def filter_bits(self, facet: str, values: Sequence[str]) -> int:
        return self.facets[facet].bits(values, self.size)

    def modified_since_bits(self, since: datetime) -> int:
        start = bisect_left(self.modified, as_utc(since))
        ascending = self.orders[("modified", False)]  # dated keys by date first, as in ``modified``
        return _bits_of_keys(ascending[start : len(self.modified)], self.size)

    def recall(self, key: Hashable) -> Any:
        """What ``remember`` kept under ``key`` for this index (None: nothing)."""
        with self._memo_lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
            return found

    def remember(self, key: Hashable, value: Any) -> None:
        """Keep a search's intermediate result (text matches) while this index is in use, the
        ``MEMO_SIZE`` most recently used."""
        with self._memo_lock:
            self._memo[key] = value
            self._memo.move_to_end(key)
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)

    def mask(self, candidates: int) -> Mask:
        """The bitset as one boolean a key."""
        return _mask_of(candidates, self.size)

    def candidates(self, bits: int, count: int | None = None) -> Candidates:
        """The candidates prepared for counting (``count``: their number, when known)."""
        return Candidates(bits, self.size, count)

    def counts(self, facet: str, candidates: int, prepared: Candidates | None = None) -> dict[str, int]:
        """Value -> how many of the ``candidates`` have it (values with none left out)."""
        if candidates == self.live:
            if facet not in self._everywhere:
                self._everywhere[facet] = self._counts(facet, self.candidates(candidates))
            return self._everywhere[facet]
        return self._counts(facet, prepared or self.candidates(candidates))

    def _counts(self, facet: str, candidates: Candidates) -> dict[str, int]:
        facet_ = self.facets[facet]
        counts = {value: (candidates.bits & bits).bit_count() for value, bits in facet_.dense.items()}
        if facet_.sparse:
            sparse = facet_.sparse_counts(candidates)
            names = facet_.names
            counts.update((names[at], int(sparse[at])) for at in np.flatnonzero(sparse).tolist())
        return {value: n for value, n in counts.items() if n}

    def top(
        self, facet: str, candidates: int, limit: int, prepared: Candidates | None = None
    ) -> list[tuple[str, int]]:
        """The ``limit`` values the most candidates have (ties by value), with their counts."""
        if candidates == self.live:
            if facet not in self._everywhere_top:
                counts = self.counts(facet, candidates)
                self._everywhere_top[facet] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            return self._everywhere_top[facet][:limit]
        facet_ = self.facets[facet]
        prepared = prepared or self.candidates(candidates)
        pairs = [(value, (candidates & bits).bit_count()) for value, bits in facet_.dense.items()]
        if facet_.sparse:
            sparse = facet_.sparse_counts(prepared)
            held = np.flatnonzero(sparse)
            if len(held) > limit:  # only values that can be in the top: at least the limit-th count
                floor = np.partition(sparse[held], len(held) - limit)[len(held) - limit]
                held = held[sparse[held] >= floor]
            names = facet_.names
            pairs += [(names[at], int(sparse[at])) for at in held.tolist()]
        return sorted((pair for pair in pairs if pair[1]), key=lambda item: (-item[1], item[0]))[:limit]

    def count_of(self, facet: str, value: str, candidates: int) -> int:
        """How many of the candidates have one value."""
        facet_ = self.facets[facet]
        if value in facet_.dense:
            return (candidates & facet_.dense[value]).bit_count()
        if value in facet_.code:
            return int(np.count_nonzero(self.mask(candidates)[facet_.value_keys(value)]))
        return 0

    def ordered(self, sort: str, descending: bool, candidates: int, offset: int, limit: int) -> list[int]:
        """Dataset keys of the candidates at ``offset``..``offset + limit`` in the given order."""
        mask = self.mask(candidates)
        if candidates.bit_count() <= _FEW:  # sort the few candidates rather than walk the whole order
            rank = self.ranks[(sort, descending)]
            keys = np.flatnonzero(mask)
            return [int(k) for k in keys[np.argsort(rank[keys], kind="stable")][offset : offset + limit]]
        order = self.orders[(sort, descending)]
        found: list[Keys] = []
        wanted = offset + limit
        have = 0
        step = _WALK
        for start in range(0, len(order), step):
            chunk = order[start : start + step]
            hits = chunk[mask[chunk]]
            found.append(hits)
            have += len(hits)
            if have >= wanted:
                break
        keys = np.concatenate(found) if found else np.zeros(0, np.int64)
        return [int(key) for key in keys[offset:wanted]]


def _version(session: Session) -> tuple[Any, ...]:
    # one aggregate per subquery, so that each is a single index lookup
    query = select(
        select(func.max(_d.updated_at)).scalar_subquery(),
        select(func.max(_d.id)).scalar_subquery(),
        select(func.max(_LINKS.c.id)).scalar_subquery(),
    )
    return tuple(session.execute(query).one())


def _order(ordered: list[int], nulls: list[int], descending: bool) -> Keys:
    """Keys by value (ties by key, in the same direction), keys without a value last."""
    return np.array((ordered[::-1] if descending else ordered) + nulls, np.int64)


def _by_value(keys: list[int], values: list[Any]) -> tuple[list[int], list[Any]]:
    """Keys (ascending) and their values, ordered by value, ties by key."""
    order = sorted(range(len(values)), key=values.__getitem__)  # stable: ties stay by key
    return [keys[at] for at in order], [values[at] for at in order]


def _rows(session: Session, query: Select[Any]) -> list[Any]:
    """All rows at once through the driver's cursor (the index reads about 15 rows a dataset).

    Only for the index's own fixed queries: constants are rendered inline.
    """
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(str(compiled))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _facet(rows: list[Any], size: int, from_db: Any) -> tuple[_Facet, dict[str, Keys]]:
    """A facet from its (stored value, dataset key) rows; also every value's keys."""
    value_of, key_of = itemgetter(0), itemgetter(1)  # rows are walked by C code, not a Python loop
    stored = list(set(map(value_of, rows)))
    lookup = {value: at for at, value in enumerate(stored)}
    codes = np.fromiter(map(lookup.__getitem__, map(value_of, rows)), np.int64, len(rows))
    keys = np.fromiter(map(key_of, rows), np.int64, len(rows))
    names = [from_db(value) for value in stored]
    # stored values that name the same value (never expected) are merged
    merged: dict[str, int] = {}
    recode = np.array([merged.setdefault(name, len(merged)) for name in names], np.int64)
    codes = recode[codes] if len(codes) else codes
    inside = keys < size  # a dataset written while the index was being read waits for the next build
    codes, keys = codes[inside], keys[inside]
    order = np.lexsort((keys, codes))
    codes, keys = codes[order], keys[order]
    if len(codes):
        keep = np.ones(len(codes), np.bool_)
        keep[1:] = (codes[1:] != codes[:-1]) | (keys[1:] != keys[:-1])
        codes, keys = codes[keep], keys[keep]
    bounds = np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=len(merged)))))
    grouped = {name: keys[bounds[at] : bounds[at + 1]] for name, at in merged.items()}
    facet = _Facet()
    few = sorted(name for name, held in grouped.items() if len(held) * _SPARSE < size)
    for name, held in grouped.items():
        if len(held) * _SPARSE >= size:
            facet.dense[name] = _bits_of_keys(held, size)
    if few:
        facet.names = few
        facet.code = {name: at for at, name in enumerate(few)}
        lengths = np.array([len(grouped[name]) for name in few], np.int64)
        facet.starts = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        facet.keys = np.concatenate([grouped[name] for name in few]).astype(np.int32)
        sparse_codes = np.repeat(np.arange(len(few), dtype=np.int32), lengths)
        by_key = np.argsort(facet.keys, kind="stable")
        facet.codes = sparse_codes[by_key]  # the same pairs ordered by key
        per_key = np.bincount(facet.keys, minlength=size)
        facet.by_key = np.concatenate(([0], np.cumsum(per_key))).astype(np.int64)
    return facet, grouped


def _build(session: Session, version: tuple[Any, ...]) -> FacetIndex:
    dated: list[int] = []
    dates: list[datetime] = []
    undated: list[int] = []
    titled: list[int] = []
    titles: list[str] = []
    untitled: list[int] = []
    # by key, so that orders break ties by key
    kept_live = _d.withdrawn_at.is_(None)
    rows: list[Any]
    if session.get_bind().dialect.name == "postgresql":
        # one read of the wide table through the driver, which gives the dates with their zone
        wide = select(_d.id, _d.modified, _d.title).where(kept_live)
        rows = sorted(_rows(session, wide), key=itemgetter(0))
        rows = [(key, None if when is None else as_utc(when), title) for key, when, title in rows]
    else:
        # SQLite keeps dates as text: the column's type reads them; titles by the driver alone
        dates_query = select(_d.id, _d.modified).where(kept_live)
        by_key = dict(_rows(session, select(_d.id, _d.title).where(kept_live)))
        dated_rows = sorted(session.execute(dates_query), key=itemgetter(0))
        rows = [(key, when, by_key.get(key)) for key, when in dated_rows]
    ids = [row[0] for row in rows]
    for dataset_id, when, title in rows:
        if when is None:
            undated.append(dataset_id)
        else:
            dated.append(dataset_id)
            dates.append(when)
        if title is None:
            untitled.append(dataset_id)
        else:
            titled.append(dataset_id)
            titles.append(title)
    del rows
    size = max(ids, default=0) + 1
    facets: dict[str, _Facet] = {}
    kept: dict[str, dict[str, Keys]] = {}
    for name, spec in FACETS.items():
        query = (
            select(spec.value_column, spec.dataset_column).select_from(spec.select_from).where(*spec.where)
        )
        facets[name], grouped = _facet(_rows(session, query), size, spec.from_db)
        if name in ("municipality", "source"):
            kept[name] = grouped
    dated, modified = _by_value(dated, dates)
    titled, _ = _by_value(titled, titles)
    orders = {
        ("modified", False): _order(dated, undated, False),
        ("modified", True): _order(dated, undated, True),
        ("title", False): _order(titled, untitled, False),
        ("title", True): _order(titled, untitled, True),
    }
    municipality_of = np.full(size, -1, np.int64)
    municipalities = list(kept["municipality"])
    for at, nis in enumerate(municipalities):
        municipality_of[kept["municipality"][nis]] = at
    sources_of: dict[str, set[str]] = {}
    for source, keys in kept["source"].items():
        for at in np.unique(municipality_of[keys]).tolist():
            if at >= 0:
                sources_of.setdefault(municipalities[at], set()).add(str(source))
    ranks: dict[tuple[str, bool], NDArray[np.int64]] = {}
    for which, order in orders.items():
        rank = np.zeros(size, np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64)
        ranks[which] = rank
    labels = {
        name: facet_labels(session, name, sorted(facets[name].values())) for name in ("publisher", "source")
    }
    live = _bits_of_keys(np.array(ids, np.int64), size)
    return FacetIndex(
        size, live, facets, modified, orders, ranks, version, time.monotonic(), labels, sources_of, len(ids)
    )


_indexes: weakref.WeakKeyDictionary[Engine, FacetIndex] = weakref.WeakKeyDictionary()
_building: weakref.WeakSet[Engine] = weakref.WeakSet()
_lock = threading.Lock()


def _install(engine: Engine, fresh: FacetIndex) -> FacetIndex:
    """Make ``fresh`` the engine's index (under ``_lock``). Rebuilt only for its age, with the store's
    version unchanged, it keeps what the previous index remembered (the same datasets match)."""
    previous = _indexes.get(engine)
    if previous is not None and previous.version == fresh.version and previous.size == fresh.size:
        with previous._memo_lock:
            fresh._memo.update(previous._memo)
    _indexes[engine] = fresh
    return fresh


def _rebuild_later(engine: Engine, version: tuple[Any, ...]) -> None:
    """Build a fresh index in a thread of its own; searches meanwhile use the previous one."""

    def run() -> None:
        try:
            with Session(engine) as session:
                fresh = _build(session, version)
            with _lock:
                _install(engine, fresh)
        finally:
            _building.discard(engine)

    if engine not in _building:
        _building.add(engine)
        threading.Thread(target=run, name="facet-index", daemon=True).start()


def facet_index(session: Session) -> FacetIndex:
    """The index of the session's database, rebuilt when the store moved on or it is ``MAX_AGE`` old.

    A catalogue of up to ``SYNC_LIMIT`` datasets is rebuilt before the search answers, so it always
    sees the last write. A larger one (seconds to build) is rebuilt in the background while searches
    use the previous index: counts may then lag the store by one build, but pages never show a
    withdrawn dataset (hits are read from the store) and new matches appear once the build is done.
    """
    bind = session.get_bind()
    engine = bind.engine if not isinstance(bind, Engine) else bind
    version = _version(session)
    current = _indexes.get(engine)
    if current is not None and current.version == version and time.monotonic() - current.built < MAX_AGE:
        return current
    if current is not None and current.size > SYNC_LIMIT:
        _rebuild_later(engine, version)
        return current
    with _lock:
        current = _indexes.get(engine)
        if current is None or current.version != version or time.monotonic() - current.built >= MAX_AGE:
            current = _install(engine, _build(session, version))
        return current
