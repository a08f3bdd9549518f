"""The search facets: for each, which datasets have any of some values, and how many have each value.

Every facet reads a narrow table that holds rows for live datasets only (``dataset_theme`` ...,
``source_records`` where not withdrawn, ``dataset_municipality`` joined to ``municipalities`` for
provinces), so a count is one ``GROUP BY`` over an index. The SQL is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.orm import Session

from catalog.db.facets import FACET_TABLES
from catalog.db.tables import Municipality, Source, SourceRecord
from vocab.concepts import label as concept_label
from vocab.formats import format_label
from vocab.licences import licence_label
from vocab.municipalities import by_nis, provinces
from vocab.themes import theme_label

__all__ = ["FACETS", "FacetSpec", "facet_labels", "preload_labels", "province_nis"]

_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]
_MUNICIPALITIES: Table = Municipality.__table__  # type: ignore[assignment]
_SOURCES: Table = Source.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class FacetSpec:
    """How to filter and count one facet.

    ``dataset_ids(values)``: ``SELECT dataset_id`` of the datasets having any of ``values``.
    ``counts()``: ``SELECT value, n`` over all live datasets; the engine restricts it with
    ``dataset_column`` and orders and limits it.
    """

    name: str
    dataset_column: ColumnElement[Any]
    value_column: ColumnElement[Any]
    count: ColumnElement[int]
    select_from: Any
    where: tuple[ColumnElement[bool], ...] = ()
    to_db: Callable[[str], Any] | None = None
    """Turns a parameter value into the stored value (None: the value is not valid, matches nothing)."""
    from_db: Callable[[Any], str] = str

    def stored_values(self, values: Sequence[str]) -> list[Any]:
        if self.to_db is None:
            return list(values)
        converted = (self.to_db(v) for v in values)
        return [v for v in converted if v is not None]

    def dataset_ids(self, values: Sequence[str]) -> Select[Any]:
        query = select(self.dataset_column).select_from(self.select_from).where(*self.where)
        return query.where(self.value_column.in_(self.stored_values(values)))

    def counts(self) -> Select[Any]:
        query = select(self.value_column.label("value"), self.count.label("n"))
        return query.select_from(self.select_from).where(*self.where).group_by(self.value_column)


def _table_facet(name: str) -> FacetSpec:
    table = FACET_TABLES[name]
    distinct = name == "keyword"  # one row per (keyword, language): count each dataset once
    count = func.count(table.c.dataset_id.distinct()) if distinct else func.count()
    return FacetSpec(name, table.c.dataset_id, table.c.value, count, table)


@cache
def _province_names() -> dict[str, str]:
    """Province NIS code -> name, and folded name -> name, for the province filter."""
    out: dict[str, str] = {}
    for province in provinces():
        out[province.nis] = province.name
        out[province.name.lower()] = province.name
    return out


def province_nis(name: str) -> str:
    """The NIS code of a province by its name (the name itself when unknown)."""
    return next((p.nis for p in provinces() if p.name == name), name)


def _source_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


def _province_facet() -> FacetSpec:
    dm = FACET_TABLES["municipality"]
    m = _MUNICIPALITIES.c
    return FacetSpec(
        "province",
        dm.c.dataset_id,
        m.province,
        func.count(),
        dm.join(_MUNICIPALITIES, m.nis == dm.c.value),
        to_db=lambda v: _province_names().get(v) or _province_names().get(v.lower()),
        from_db=province_nis,
    )


def _source_facet() -> FacetSpec:
    sr = _LINKS.c
    return FacetSpec(
        "source",
        sr.dataset_id,
        sr.source_id,
        func.count(sr.dataset_id.distinct()),
        _LINKS,
        where=(sr.withdrawn_at.is_(None),),
        to_db=_source_id,
    )


FACETS: dict[str, FacetSpec] = {
    "municipality": _table_facet("municipality"),
    "province": _province_facet(),
    "publisher": _table_facet("publisher"),
    "theme": _table_facet("theme"),
    "format": _table_facet("format"),
    "licence": _table_facet("licence"),
    "keyword": _table_facet("keyword"),
    "source": _source_facet(),
    "language": _table_facet("language"),
    "access_rights": _table_facet("access_rights"),
}
"""Facet name (and filter parameter name) -> its spec, in the order the API lists facets."""


def _publisher_labels(session: Session, values: Sequence[str]) -> dict[str, str | None]:
    table = FACET_TABLES["publisher"]
    query = (
        select(table.c.value, func.max(table.c.label))
        .where(table.c.value.in_(values))
        .group_by(table.c.value)
    )
    found: dict[str, str | None] = {row[0]: row[1] for row in session.execute(query)}
    return {v: found.get(v) or (v[5:] if v.startswith("name:") else None) for v in values}


def _source_labels(session: Session, values: Sequence[str]) -> dict[str, str | None]:
    ids = [int(v) for v in values if v.isdigit()]
    query = select(_SOURCES.c.id, _SOURCES.c.name).where(_SOURCES.c.id.in_(ids))
    names = {str(row[0]): row[1] for row in session.execute(query)}
    return {v: names.get(v) for v in values}


def _vocab_label(name: str, value: str) -> str | None:
    if name == "theme":
        return theme_label(value)
    if name == "format":
        return format_label(value) or concept_label(value)
    if name == "licence":
        return licence_label(value) or concept_label(value)
    if name == "municipality":
        municipality = by_nis(value)
        return municipality.name if municipality else None
    if name == "province":
        return _province_names().get(value)
    if name == "keyword":
        return value
    return concept_label(value)


def facet_labels(session: Session, name: str, values: Sequence[str]) -> dict[str, str | None]:
    """Display labels (Dutch) of facet values: from the vocabularies, the publisher rows or source names."""
    if not values:
        return {}
    if name == "publisher":
        return _publisher_labels(session, values)
    if name == "source":
        return _source_labels(session, values)
    return {v: _vocab_label(name, v) for v in values}


_UNKNOWN = "https://catalog.invalid/unknown"


def preload_labels() -> None:
    """Load the vocabularies that facet labels come from (themes, file types, licences, every concept
    scheme, municipalities and provinces). They are loaded once per process, when first used; a server
    calls this at start, so that no user's search pays for it (about 70 ms)."""
    for name in FACETS:
        if name not in ("publisher", "source"):
            _vocab_label(name, _UNKNOWN)
