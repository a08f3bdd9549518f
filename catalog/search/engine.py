"""Search: free text, filters with disjunctive facet counts, sorting and paging, on either database.

``search(session, SearchQuery(...))`` answers one page of live datasets, the total, and the counts of
every facet value. Within a filter several values are alternatives (OR); filters combine with AND.
Each facet is counted over the datasets matching the query with *its own* filter left out, so a user
who picked one theme still sees how many datasets each other theme would add ("disjunctive
faceting"). Values a user selected are always listed, even outside the top ``facet_limit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from catalog.db.queries import StoredDataset
from catalog.db.tables import DatasetRow
from catalog.db.types import as_utc
from catalog.search.backend import TextBackend, backend_for
from catalog.search.facets import FACETS, facet_labels
from catalog.search.text import QueryTerm, parse_query

__all__ = ["FacetValue", "SearchQuery", "SearchResult", "Sort", "SortDirection", "search"]

Sort = Literal["relevance", "modified", "title"]
SortDirection = Literal["asc", "desc"]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c
_COLUMNS = (
    _d.id, _d.slug, _d.uri, _d.kind, _d.title, _d.modified, _d.municipality_nis, _d.content_hash,
    _d.first_seen, _d.last_seen, _d.updated_at, _d.withdrawn_at, _d.withdrawn_reason, _d.record,
)  # fmt: skip
"""In the order of ``StoredDataset``'s fields."""


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


def _active_filters(query: SearchQuery) -> dict[str, list[str]]:
    active: dict[str, list[str]] = {}
    for name, values in query.filters.items():
        if name not in FACETS:
            raise ValueError(f"unknown filter {name!r}")
        distinct = list(dict.fromkeys(v for v in values if v))
        if distinct:
            active[name] = distinct
    return active


class _Plan:
    """The conditions of one search, shared by the page, the total and the facet counts."""

    def __init__(self, query: SearchQuery, backend: TextBackend) -> None:
        self.query = query
        self.terms: list[QueryTerm] = parse_query(query.q)
        self.filters = _active_filters(query)
        self.matches = backend.matches(self.terms).subquery("text_match") if self.terms else None

    def conditions(self, *, exclude: str | None = None, with_text: bool = True) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [_d.withdrawn_at.is_(None)]
        if with_text and self.matches is not None:
            conditions.append(_d.id.in_(select(self.matches.c.dataset_id)))
        if self.query.modified_since is not None:
            conditions.append(_d.modified >= as_utc(self.query.modified_since))
        for name, values in self.filters.items():
            if name != exclude:
                conditions.append(_d.id.in_(FACETS[name].dataset_ids(values)))
        return conditions

    def unrestricted(self, exclude: str) -> bool:
        """True when only the facet's own filter (or nothing) narrows the search: count every live row."""
        others = [name for name in self.filters if name != exclude]
        return not others and self.matches is None and self.query.modified_since is None


def _order(query: SearchQuery, plan: _Plan) -> tuple[Sort, bool]:
    sort: Sort = query.sort or ("relevance" if plan.terms else "modified")
    if sort == "relevance" and plan.matches is None:
        sort = "modified"
    default_desc = sort in ("relevance", "modified")
    descending = default_desc if query.direction is None else query.direction == "desc"
    return sort, descending


def _page(session: Session, query: SearchQuery, plan: _Plan) -> list[StoredDataset]:
    sort, descending = _order(query, plan)
    if sort == "relevance" and plan.matches is not None:
        rank = plan.matches.c.rank
        statement: Select[Any] = (
            select(*_COLUMNS)
            .join(plan.matches, plan.matches.c.dataset_id == _d.id)
            .where(*plan.conditions(with_text=False))
            .order_by(rank if descending else rank.desc(), _d.id)
        )
    else:
        column = _d.modified if sort == "modified" else _d.title
        statement = (
            select(*_COLUMNS)
            .where(*plan.conditions())
            .order_by(column.is_(None), column.desc() if descending else column.asc(), _d.id)
        )
    statement = statement.limit(query.per_page).offset((query.page - 1) * query.per_page)
    return [StoredDataset(*row) for row in session.execute(statement)]


def _facet(session: Session, name: str, plan: _Plan, limit: int) -> list[FacetValue]:
    spec = FACETS[name]
    counts = spec.counts()
    if not plan.unrestricted(name):
        counts = counts.where(spec.dataset_column.in_(select(_d.id).where(*plan.conditions(exclude=name))))
    n = counts.selected_columns.n
    top = [
        (row.value, int(row.n)) for row in session.execute(counts.order_by(n.desc(), "value").limit(limit))
    ]
    shown = {str(value) for value, _ in top}
    selected = [v for v in spec.stored_values(plan.filters.get(name, [])) if str(v) not in shown]
    if selected:
        extra = counts.where(spec.value_column.in_(selected))
        found = {str(row.value): int(row.n) for row in session.execute(extra)}
        top += [(v, found.get(str(v), 0)) for v in selected]
    values = [(spec.from_db(value), count) for value, count in top]
    labels = facet_labels(session, name, [v for v, _ in values])
    return [FacetValue(value, labels.get(value), count) for value, count in values]


def search(session: Session, query: SearchQuery, *, backend: TextBackend | None = None) -> SearchResult:
    """One page of live datasets matching ``query``, the total, and the facet counts.

    Raises ``ValueError`` for an unknown filter or facet name.
    """
    plan = _Plan(query, backend or backend_for(session))
    names = list(FACETS) if query.facets is None else list(query.facets)
    unknown = [name for name in names if name not in FACETS]
    if unknown:
        raise ValueError(f"unknown facet {unknown[0]!r}")
    total = int(
        session.execute(select(func.count()).select_from(_DATASETS).where(*plan.conditions())).scalar_one()
    )
    hits = _page(session, query, plan) if total else []
    facets = {name: _facet(session, name, plan, query.facet_limit) for name in names}
    return SearchResult(total, hits, facets)
