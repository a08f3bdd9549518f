"""The full-text side of search behind one interface: which datasets match the words, and how well.

A ``TextBackend`` turns the parsed terms of a query into a ``SELECT dataset_id, rank`` over live
datasets (lower rank = better match); the search engine joins it for relevance order and uses it as a
filter everywhere else, so filters, facets, totals and paging are the same SQL whatever the backend.

- ``Fts5Backend``: SQLite FTS5 (``dataset_search``, migration 0003), bm25 weighted title > keywords >
  stems > descriptions.
- ``LikeBackend``: ``LIKE`` over the folded search columns, on any database; the PostgreSQL fallback
  until the PostgreSQL full-text backend (``tsvector``, ``dutch`` configuration, GIN index) replaces it.

Both match a term as a whole word or by its light stem, and the last term also as a word prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from catalog.db.tables import DatasetRow
from catalog.search.text import QueryTerm

__all__ = [
    "FTS5_WEIGHTS",
    "Fts5Backend",
    "LikeBackend",
    "TextBackend",
    "backend_for",
    "fts5_expression",
]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c

FTS5_WEIGHTS = (10.0, 5.0, 1.0, 2.0)
"""bm25 weights of the index columns: title, keywords, descriptions, stems."""


class TextBackend(Protocol):
    """Full-text matching for the search engine."""

    name: str

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        """``SELECT dataset_id, rank`` of the live datasets matching every term; lower rank is better."""
        ...


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_expression(terms: Sequence[QueryTerm]) -> str:
    """The FTS5 MATCH expression: every term as a word (or prefix) or by its stem, all required."""
    parts = []
    for term in terms:
        word = _quoted(term.token) + ("*" if term.prefix else "")
        alternatives = [word] if term.stem == term.token and not term.prefix else [word, _quoted(term.stem)]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


class Fts5Backend:
    """SQLite FTS5 over ``dataset_search`` (the index holds live datasets only)."""

    name = "sqlite-fts5"

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
        index = table("dataset_search", column("rowid"))
        query: Select[Any] = select(
            index.c.rowid.label("dataset_id"),
            literal_column(f"bm25(dataset_search, {weights})").label("rank"),
        )
        return query.where(literal_column("dataset_search").op("MATCH")(fts5_expression(terms)))


_LIKE_COLUMNS = (("search_title", 10), ("search_keywords", 5), ("search_text", 1))


def _padded(column: str) -> ColumnElement[str]:
    return literal(" ") + func.coalesce(_d[column], "") + literal(" ")


class LikeBackend:
    """``LIKE`` over the folded columns; ranks by weighted column hits (title 10, keywords 5, text 1)."""

    name = "like"

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        conditions: list[ColumnElement[bool]] = []
        score: ColumnElement[Any] = literal(0)
        for term in terms:
            pattern = f"% {term.token}%" if term.prefix else f"% {term.token} %"
            hits = []
            for name, weight in _LIKE_COLUMNS:
                hit = _padded(name).like(pattern)
                hits.append(hit)
                score = score + case((hit, weight), else_=0)
            stem_hit = _padded("search_stems").like(f"% {term.stem} %")
            score = score + case((stem_hit, 2), else_=0)
            conditions.append(or_(*hits, stem_hit))
        return select(_d.id.label("dataset_id"), (-score).label("rank")).where(
            _d.withdrawn_at.is_(None), and_(*conditions)
        )


def backend_for(session: Session) -> TextBackend:
    """The text backend for the session's database: FTS5 on SQLite, ``LIKE`` elsewhere (for now)."""
    if session.get_bind().dialect.name == "sqlite":
        return Fts5Backend()
    return LikeBackend()
