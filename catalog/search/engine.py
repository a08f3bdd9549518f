"""Search: free text, filters with disjunctive facet counts, sorting and paging, on either database.

``search(session, SearchQuery(...))`` answers one page of live datasets, the total, and the counts of
every facet value. Within a filter several values are alternatives (OR); filters combine with AND.
Each facet is counted over the datasets matching the query with *its own* filter left out, so a user
who picked one theme still sees how many datasets each other theme would add ("disjunctive
faceting"). Values a user selected are always listed, even outside the top ``facet_limit``.

The datasets matching a query's words (and, for relevance, their ranks or tiers) are found once per
facet index and remembered by it (``FacetIndex.recall``): the next page of the same query, the same
words with other filters, or the same search from someone else reads no matches from the database
until the store changes. The last word is a prefix only from ``MIN_PREFIX`` characters on.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import Select, Table, func, literal, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from catalog.db.queries import STORED_COLUMNS, StoredDataset
from catalog.db.tables import DatasetRow
from catalog.quality.store import ids_by_score, scored_ids
from catalog.search.backend import TextBackend, TierColumn, backend_for
from catalog.search.facets import FACETS, facet_labels
from catalog.search.memory import FacetIndex, Keys, facet_index, keys_array, keys_of
from catalog.search.text import QueryTerm, parse_query

__all__ = [
    "MIN_PREFIX",
    "RANK_LIMIT",
    "FacetValue",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "SortDirection",
    "search",
]

Sort = Literal["relevance", "modified", "title", "score"]
SortDirection = Literal["asc", "desc"]

RANK_LIMIT = 2000
"""Up to this many text matches, relevance is the backend's rank (bm25 on FTS5, about 5 us a match).
Beyond, datasets whose titles match come first, then those whose keywords match, then the rest, each
tier newest first: ranking every match of a very common word would cost more than the search."""

MIN_PREFIX = 3
"""The last word is also matched as a prefix (search-as-you-type) once it has this many characters; a
shorter one only as a whole word: one or two letters would match most of the catalogue while someone
is still typing (at 1,000,000 generated datasets on PostgreSQL, ``g`` matched 550,000 in 1.2 s)."""

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c


@dataclass(frozen=True)
class SearchQuery:
    """What to search for. ``filters`` maps a facet name (``FACETS``) to the values wanted."""

    q: str | None = None
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    modified_since: datetime | None = None
    sort: Sort | None = None
    """None: relevance when there is a text query, else most recently modified first."""
    direction: SortDirection | None = None
    """None: best match first (``desc``), newest first (``desc``), titles A to Z (``asc``)."""
    page: int = 1
    per_page: int = 20
    facets: Sequence[str] | None = None
    """Facets to count (None: all of ``FACETS``; empty: none)."""
    facet_limit: int = 20
    min_score: float | None = None
    """Only datasets with at least this MQA score (``catalog.quality``)."""
    bands: Sequence[str] = ()
    """Only datasets in one of these MQA bands (excellent, good, sufficient, bad)."""


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str | None
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[StoredDataset]
    facets: dict[str, list[FacetValue]]


def _terms(q: str | None) -> list[QueryTerm]:
    terms = parse_query(q)
    if terms and terms[-1].prefix and len(terms[-1].token) < MIN_PREFIX:
        terms[-1] = replace(terms[-1], prefix=False)
    return terms


def _active_filters(query: SearchQuery) -> dict[str, list[str]]:
    active: dict[str, list[str]] = {}
    for name, values in query.filters.items():
        if name not in FACETS:
            raise ValueError(f"unknown filter {name!r}")
        distinct = list(dict.fromkeys(v for v in values if v))
        if distinct:
            active[name] = distinct
    return active


def _index_values(name: str, values: Sequence[str]) -> list[str]:
    """Filter values as the facet index keys them (a province by NIS code, a source by its id)."""
    spec = FACETS[name]
    if spec.to_db is None:
        return list(values)
    return [spec.from_db(stored) for stored in spec.stored_values(values)]


def _order(query: SearchQuery, has_text: bool) -> tuple[Sort, bool]:
    sort: Sort = query.sort or ("relevance" if has_text else "modified")
    if sort == "relevance" and not has_text:
        sort = "modified"
    default_desc = sort in ("relevance", "modified", "score")
    descending = default_desc if query.direction is None else query.direction == "desc"
    return sort, descending


def _by_relevance(
    index: FacetIndex, rows: list[Any], candidates: int, descending: bool, offset: int, limit: int
) -> list[int]:
    """Page through ``(key, rank)`` rows of the candidates, best (lowest rank) first when ``descending``."""
    mask = index.mask(candidates)
    size = index.size
    ranked = [(float(rank), key) for key, rank in rows if key < size and mask[key]]
    ranked.sort(reverse=not descending)  # lower rank is better: best first is ascending
    return [dataset_id for _, dataset_id in ranked[offset : offset + limit]]


def _by_tiers(index: FacetIndex, tiers: list[int], descending: bool, offset: int, limit: int) -> list[int]:
    """Page through tiers (best first when ``descending``), newest first within a tier."""
    out: list[int] = []
    for tier in tiers if descending else tiers[::-1]:
        size = tier.bit_count()
        if offset >= size:
            offset -= size
            continue
        out += index.ordered("modified", descending, tier, offset, limit - len(out))
        offset = 0
        if len(out) == limit:
            break
    return out


def _raw(session: Session, query: Select[Any]) -> list[Any]:
    """Rows through the driver's cursor: matches come by the thousand and need no result processing."""
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _keys(session: Session, query: Select[Any]) -> Keys:
    """The keys ``query`` selects (one ``bigint`` column), as an array.

    On PostgreSQL the server packs them into one ``bytea`` (8 bytes a key, big-endian) read by numpy:
    tens of thousands of keys arrive as one value, not as as many rows made into Python tuples (13 ms
    for 62,000 keys as rows, 2 ms packed).
    """
    if session.get_bind().dialect.name != "postgresql":
        return keys_array(_raw(session, query))
    keys = query.subquery("matched").c[0]
    packed = _raw(session, select(func.string_agg(func.int8send(keys), literal(b""))))[0][0]
    return np.frombuffer(packed or b"", ">i8").astype(np.int64)


class _Matched:
    """The datasets matching a query's words, with what relevance needs, found once per facet index.

    A query repeated while the store does not change (the same words, paging, other filters) reads
    them from the index's memo instead of the text backend: a broad word's matches (tens of thousands
    of keys from the database) are most of a search's cost. The ranks, and each tier, are asked only
    when a page needs them.
    """

    def __init__(self, bits: int, count: int, pending: dict[TierColumn, Future[Keys]] | None = None) -> None:
        self.bits = bits
        self.count = count
        """How many datasets the backend found (before the facet index drops any it does not hold)."""
        self._tiers: dict[TierColumn, int] = {}
        self._pending = pending or {}
        """Tiers being found beside the matches (``_beside``)."""
        self._ranks: list[tuple[int, float]] | None = None

    def ranks(self, session: Session, text: TextBackend, terms: list[QueryTerm]) -> list[tuple[int, float]]:
        """(key, rank) of every match, lower is better."""
        if self._ranks is None:
            ranks = {int(row[0]): float(row[1]) for row in _raw(session, text.ranked(terms))}
            self._ranks = list(ranks.items())
        return self._ranks

    def tier(
        self,
        session: Session,
        index: FacetIndex,
        text: TextBackend,
        terms: list[QueryTerm],
        column: TierColumn,
    ) -> int:
        """The bitset of the matches whose titles (or keywords) alone match every term."""
        bits = self._tiers.get(column)
        if bits is None:
            pending = self._pending.pop(column, None)
            keys = pending.result() if pending is not None else _keys(session, text.matches_in(terms, column))
            bits = self._tiers[column] = index.bits_of_ids(keys)
        return bits


BESIDE_SLOTS = 2
"""Queries running beside searches (``_beside``) at most; a search that finds none free asks itself."""
_BESIDE = ThreadPoolExecutor(max_workers=BESIDE_SLOTS, thread_name_prefix="search-beside")
_beside_slots = threading.BoundedSemaphore(BESIDE_SLOTS)


def _beside(session: Session, query: Select[Any]) -> Future[Keys] | None:
    """``_keys(query)`` started in another connection of the session's engine, so that PostgreSQL works
    on it while the session's own query runs; None where that does not pay (SQLite answers in process),
    would not see the same datasets (the session's transaction has written), or when ``BESIDE_SLOTS``
    such queries are running already. The slots are taken without waiting and are fewer than the
    engine's pool holds, so searches waiting for such queries can never hold every connection that the
    queries need."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql" or not isinstance(bind, Engine):
        return None
    if session.execute(sql("SELECT pg_current_xact_id_if_assigned()")).scalar() is not None:
        return None
    if not _beside_slots.acquire(blocking=False):
        return None

    def run() -> Keys:
        try:
            with Session(bind) as other:
                return _keys(other, query)
        finally:
            _beside_slots.release()

    try:
        return _BESIDE.submit(run)
    except BaseException:
        _beside_slots.release()
        raise


def _text_matches(
    session: Session, index: FacetIndex, backend: TextBackend, terms: list[QueryTerm], relevance: bool
) -> _Matched:
    """The matches of ``terms``; for relevance, the title tier is asked at the same time (a broad word's
    matches are ranked by tiers, and the title tier is then two thirds of the wait: it runs in parallel)."""
    key = ("matches", backend.name, tuple(terms))
    found = index.recall(key)
    if isinstance(found, _Matched):
        return found
    title = _beside(session, backend.matches_in(terms, "title")) if relevance else None
    keys = _keys(session, backend.matches(terms))
    pending: dict[TierColumn, Future[Keys]] = {"title": title} if title and len(keys) > RANK_LIMIT else {}
    matched = _Matched(index.bits_of_ids(keys), len(keys), pending)
    index.remember(key, matched)
    return matched


def _tiers(
    session: Session,
    index: FacetIndex,
    text: TextBackend,
    terms: list[QueryTerm],
    matched: _Matched,
    matching: int,
    enough: int | None,
) -> list[int]:
    """The candidates in tiers, best first: title matches, keyword matches, the rest. With ``enough``,
    the title tier alone when it holds that many (a first page of a broad word asks nothing more)."""
    title = matched.tier(session, index, text, terms, "title") & matching
    if enough is not None and title.bit_count() >= enough:
        return [title]
    keywords = matched.tier(session, index, text, terms, "keywords") & matching & ~title
    return [title, keywords, matching & ~title & ~keywords]


def _fetch(session: Session, ids: list[int]) -> list[StoredDataset]:
    if not ids:
        return []
    # by key only (a condition on withdrawn_at would lead SQLite to scan the live-datasets index)
    rows: dict[int, Any] = {
        row[0]: row for row in session.execute(select(*STORED_COLUMNS).where(_d.id.in_(ids)))
    }
    hits = [StoredDataset(*rows[i]) for i in ids if i in rows]
    return [hit for hit in hits if hit.withdrawn_at is None]  # the index may lag behind a withdrawal


def _facet(
    session: Session,
    index: FacetIndex,
    name: str,
    top: list[tuple[str, int]],
    among: int,
    selected: list[str],
) -> list[FacetValue]:
    shown = {value for value, _ in top}
    top = top + [(value, index.count_of(name, value, among)) for value in selected if value not in shown]
    known = index.labels.get(name)
    values = [value for value, _ in top]
    labels = {v: known.get(v) for v in values} if known is not None else facet_labels(session, name, values)
    return [FacetValue(value, labels.get(value), count) for value, count in top]


def search(session: Session, query: SearchQuery, *, backend: TextBackend | None = None) -> SearchResult:
    """One page of live datasets matching ``query``, the total, and the facet counts.

    Raises ``ValueError`` for an unknown filter or facet name.
    """
    names = list(FACETS) if query.facets is None else list(query.facets)
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}")
    filters = {name: _index_values(name, values) for name, values in _active_filters(query).items()}
    index = facet_index(session)
    base = index.everything
    terms = _terms(query.q)
    text = backend or backend_for(session)
    sort, descending = _order(query, bool(terms))
    matched: _Matched | None = None
    if terms:
        matched = _text_matches(session, index, text, terms, sort == "relevance")
        base = matched.bits
    if query.modified_since is not None:
        base &= index.modified_since_bits(query.modified_since)
    if query.min_score is not None or query.bands:
        base &= index.bits_of_ids(scored_ids(session, min_score=query.min_score, bands=query.bands))
    narrowing = {name: index.filter_bits(name, values) for name, values in filters.items()}

    def candidates(exclude: str | None) -> int:
        bits = base
        for name, filter_bits in narrowing.items():
            if name != exclude:
                bits &= filter_bits
        return bits

    matching = candidates(None)
    total = matching.bit_count()
    offset, limit = (query.page - 1) * query.per_page, query.per_page
    if total <= offset:
        ids: list[int] = []
    elif matched is not None and sort == "relevance" and matched.count <= RANK_LIMIT:
        ids = _by_relevance(index, matched.ranks(session, text, terms), matching, descending, offset, limit)
    elif matched is not None and sort == "relevance":
        enough = offset + limit if descending else None
        tiers = _tiers(session, index, text, terms, matched, matching, enough)
        ids = _by_tiers(index, tiers, descending, offset, limit)
    elif sort == "score":
        ids = ids_by_score(session, keys_of(matching), descending=descending, offset=offset, limit=limit)
    else:
        ids = index.ordered(sort, descending, matching, offset, limit)
    prepared: dict[int, Any] = {}
    facets: dict[str, list[FacetValue]] = {}
    for name in names:
        among = matching if name not in narrowing else candidates(name)
        if among != index.live and among not in prepared:
            prepared[among] = index.candidates(among, total if among is matching else None)
        top = index.top(name, among, query.facet_limit, prepared.get(among))
        facets[name] = _facet(session, index, name, top, among, filters.get(name, []))
    return SearchResult(total, _fetch(session, ids), facets)
