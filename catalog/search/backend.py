"""The full-text side of search behind one interface: which datasets match the words, and how well.

A ``TextBackend`` turns the parsed terms of a query into ``SELECT dataset_id`` of the live datasets
that match (``matches``), the same with a rank (``ranked``, lower is better) and the datasets whose
titles or keywords alone match (``matches_in``, for tiered relevance when too many datasets match to
rank them all); filters, facets, totals and paging are then the same whatever the backend.

- ``Fts5Backend``: SQLite FTS5 (``dataset_search``, migration 0003), bm25 weighted title > keywords >
  stems > descriptions.
- ``LikeBackend``: ``LIKE`` over the folded search columns, on any database (the fallback for databases
  other than SQLite and PostgreSQL).
- ``catalog.search.postgres.PostgresBackend``: PostgreSQL full text (``tsvector`` documents with Dutch
  and English stemming, accents folded, GIN index; migration 0007).

Both match a term as a whole word or by its light stem, and the last term also as a word prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

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
    "TierColumn",
    "backend_for",
    "fts5_expression",
]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_d = _DATASETS.c

FTS5_WEIGHTS = (10.0, 5.0, 1.0, 2.0)
"""bm25 weights of the index columns: title, keywords, descriptions, stems."""


TierColumn = Literal["title", "keywords"]


class TextBackend(Protocol):
    """Full-text matching for the search engine."""

    name: str

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        """``SELECT dataset_id`` of the live datasets matching every term (cheap: no ranking)."""
        ...

    def ranked(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        """``SELECT dataset_id, rank`` of the same datasets; lower rank is better."""
        ...

    def matches_in(self, terms: Sequence[QueryTerm], column: TierColumn) -> Select[Any]:
        """``SELECT dataset_id`` of the live datasets whose titles (or keywords) alone match every term."""
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


_FTS_COLUMNS = {"title": "search_title", "keywords": "search_keywords"}


class Fts5Backend:
    """SQLite FTS5 over ``dataset_search`` (the index holds live datasets only)."""

    name = "sqlite-fts5"

    def _query(self, expression: str, *columns: Any) -> Select[Any]:
        index = table("dataset_search", column("rowid"))
        query: Select[Any] = select(index.c.rowid.label("dataset_id"), *columns)
        return query.where(literal_column("dataset_search").op("MATCH")(expression))

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        return self._query(fts5_expression(terms))

    def ranked(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        weights = ", ".join(str(w) for w in FTS5_WEIGHTS)
        return self._query(
            fts5_expression(terms), literal_column(f"bm25(dataset_search, {weights})").label("rank")
        )

    def matches_in(self, terms: Sequence[QueryTerm], column: TierColumn) -> Select[Any]:
        return self._query(f"{{{_FTS_COLUMNS[column]}}} : ({fts5_expression(terms)})")


_LIKE_COLUMNS = (("search_title", 10), ("search_keywords", 5), ("search_text", 1))


def _padded(column: str) -> ColumnElement[str]:
    return literal(" ") + func.coalesce(_d[column], "") + literal(" ")


class LikeBackend:
    """``LIKE`` over the folded columns; ranks by weighted column hits (title 10, keywords 5, text 1)."""

    name = "like"

    def _conditions(
        self, terms: Sequence[QueryTerm], columns: Sequence[tuple[str, int]], stems: bool
    ) -> tuple[list[ColumnElement[bool]], ColumnElement[Any]]:
        conditions: list[ColumnElement[bool]] = [_d.withdrawn_at.is_(None)]
        score: ColumnElement[Any] = literal(0)
        for term in terms:
            pattern = f"% {term.token}%" if term.prefix else f"% {term.token} %"
            hits = []
            for name, weight in columns:
                hit = _padded(name).like(pattern)
                hits.append(hit)
                score = score + case((hit, weight), else_=0)
            if stems:
                stem_hit = _padded("search_stems").like(f"% {term.stem} %")
                hits.append(stem_hit)
                score = score + case((stem_hit, 2), else_=0)
            conditions.append(or_(*hits))
        return conditions, score

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        conditions, _ = self._conditions(terms, _LIKE_COLUMNS, stems=True)
        return select(_d.id.label("dataset_id")).where(and_(*conditions))

    def ranked(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        conditions, score = self._conditions(terms, _LIKE_COLUMNS, stems=True)
        return select(_d.id.label("dataset_id"), (-score).label("rank")).where(and_(*conditions))

    def matches_in(self, terms: Sequence[QueryTerm], column: TierColumn) -> Select[Any]:
        name = "search_title" if column == "title" else "search_keywords"
        conditions, _ = self._conditions(terms, [(name, 1)], stems=False)
        return select(_d.id.label("dataset_id")).where(and_(*conditions))


def backend_for(session: Session) -> TextBackend:
    """The text backend for the session's database: FTS5 on SQLite, full text on PostgreSQL, else ``LIKE``."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return Fts5Backend()
    if dialect == "postgresql":
        from catalog.search.postgres import PostgresBackend  # imports this module

        return PostgresBackend(session)
    return LikeBackend()
