"""Counts for the municipality pages and the catalogue statistics, from the narrow facet tables.

Everything counted here is live: facet tables hold rows of datasets that are not withdrawn, and source
links count only while not withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from catalog.db.facets import FACET_TABLES
from catalog.db.tables import DatasetRow, HarvestJob, Municipality, Source, SourceRecord
from catalog.search.engine import FacetValue
from catalog.search.facets import FACETS, facet_labels
from catalog.search.memory import facet_index

__all__ = [
    "CatalogueStats",
    "MunicipalityDetail",
    "MunicipalityLookup",
    "MunicipalitySummary",
    "SourceSummary",
    "catalogue_stats",
    "find_municipality",
    "municipality_detail",
    "municipality_summaries",
]

_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]
_SOURCES: Table = Source.__table__  # type: ignore[assignment]
_JOBS: Table = HarvestJob.__table__  # type: ignore[assignment]
_MUNICIPALITIES: Table = Municipality.__table__  # type: ignore[assignment]
GEMEENTE = "https://data.vlaanderen.be/id/gemeente/"


@dataclass(frozen=True, slots=True)
class MunicipalitySummary:
    nis: str
    name: str
    province: str | None
    uri: str
    datasets: int
    sources: int
    last_harvest: datetime | None
    """When a harvest of one of its sources last succeeded."""


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """A source's public facts (never its options or state)."""

    id: int
    name: str
    kind: str
    url: str
    active: bool
    datasets: int
    """Live datasets of this municipality the source brings."""
    last_harvest: datetime | None


@dataclass(frozen=True, slots=True)
class MunicipalityDetail:
    summary: MunicipalitySummary
    publishers: list[FacetValue]
    sources: list[SourceSummary]
    themes: list[FacetValue]


@dataclass(frozen=True, slots=True)
class MunicipalityLookup:
    """What a NIS code names: a current municipality, one merged into another, or nothing."""

    nis: str
    current: bool
    merged_into: str | None


@dataclass(frozen=True, slots=True)
class CatalogueStats:
    datasets: int
    services: int
    series: int
    sources: int
    municipalities_with_data: int
    per_theme: list[FacetValue]
    per_format: list[FacetValue]
    per_licence: list[FacetValue]
    per_province: list[FacetValue]


def _last_harvests(session: Session) -> dict[int, datetime]:
    j = _JOBS.c
    query = select(j.source_id, func.max(j.finished_at)).where(j.status == "succeeded").group_by(j.source_id)
    return {row[0]: row[1] for row in session.execute(query) if row[1] is not None}


def _current_municipalities(session: Session, nis: str | None = None) -> list[Any]:
    m = _MUNICIPALITIES.c
    query = select(m.nis, m.name, m.province).where(m.merged_into.is_(None), m.valid_until.is_(None))
    if nis is not None:
        query = query.where(m.nis == nis)
    return list(session.execute(query.order_by(m.name, m.nis)))


def _sources_by_municipality(session: Session, nis: str | None) -> dict[str, set[int]]:
    """NIS code -> the sources registered for it or bringing any of its live datasets."""
    s = _SOURCES.c
    registered = select(s.municipality_nis, s.id).where(s.municipality_nis.is_not(None))
    if nis is not None:
        registered = registered.where(s.municipality_nis == nis)
    out: dict[str, set[int]] = {}
    for row in session.execute(registered):
        out.setdefault(row[0], set()).add(row[1])
    for municipality, sources in facet_index(session).sources_of.items():
        if nis is None or municipality == nis:
            out.setdefault(municipality, set()).update(int(source) for source in sources)
    return out


def municipality_summaries(session: Session, *, nis: str | None = None) -> list[MunicipalitySummary]:
    """Every current municipality (or the one with ``nis``) by name, with its counts.

    Its sources are those registered for it and those that bring any of its live datasets.
    """
    index = facet_index(session)
    datasets = index.counts("municipality", index.live)
    sources = _sources_by_municipality(session, nis)
    harvests = _last_harvests(session)
    out = []
    for row in _current_municipalities(session, nis):
        own = sources.get(row.nis, set())
        last = max((harvests[s] for s in own if s in harvests), default=None)
        out.append(
            MunicipalitySummary(
                row.nis, row.name, row.province, GEMEENTE + row.nis, datasets.get(row.nis, 0), len(own), last
            )
        )
    return out


def find_municipality(session: Session, nis: str) -> MunicipalityLookup | None:
    """What ``nis`` names in the store's municipality table; None when unknown."""
    m = _MUNICIPALITIES.c
    row = session.execute(select(m.nis, m.merged_into, m.valid_until).where(m.nis == nis)).first()
    if row is None:
        return None
    current = row.merged_into is None and row.valid_until is None
    return MunicipalityLookup(row.nis, current, row.merged_into)


def _counted(session: Session, name: str, rows: list[tuple[Any, int]]) -> list[FacetValue]:
    spec = FACETS[name]
    values = [(spec.from_db(value), int(count)) for value, count in rows]
    labels = facet_labels(session, name, [v for v, _ in values])
    return [FacetValue(value, labels.get(value), count) for value, count in values]


def _within(session: Session, name: str, nis: str) -> list[FacetValue]:
    """A facet's counts over the live datasets of one municipality."""
    spec = FACETS[name]
    dm = FACET_TABLES["municipality"]
    counts = spec.counts().where(spec.dataset_column.in_(select(dm.c.dataset_id).where(dm.c.value == nis)))
    n = counts.selected_columns.n
    rows = [(row.value, row.n) for row in session.execute(counts.order_by(n.desc(), "value"))]
    return _counted(session, name, rows)


def municipality_detail(session: Session, nis: str) -> MunicipalityDetail | None:
    """A current municipality with its publishers, sources and themes; None when ``nis`` is not current."""
    summaries = municipality_summaries(session, nis=nis)
    if not summaries:
        return None
    dm = FACET_TABLES["municipality"]
    sr, s = _LINKS.c, _SOURCES.c
    brought = (
        select(sr.source_id, func.count(sr.dataset_id.distinct()))
        .where(sr.withdrawn_at.is_(None), sr.dataset_id.in_(select(dm.c.dataset_id).where(dm.c.value == nis)))
        .group_by(sr.source_id)
    )
    counts = {row[0]: int(row[1]) for row in session.execute(brought)}
    query = select(s.id, s.name, s.kind, s.url, s.active).where(
        (s.municipality_nis == nis) | s.id.in_(list(counts))
    )
    harvests = _last_harvests(session)
    sources = [
        SourceSummary(
            row.id, row.name, row.kind, row.url, bool(row.active), counts.get(row.id, 0), harvests.get(row.id)
        )
        for row in session.execute(query.order_by(s.name, s.id))
    ]
    return MunicipalityDetail(
        summaries[0], _within(session, "publisher", nis), sources, _within(session, "theme", nis)
    )


def _all(session: Session, name: str) -> list[FacetValue]:
    """Every value of a facet over the live catalogue, from the in-memory facet index."""
    index = facet_index(session)
    counts = sorted(index.counts(name, index.live).items(), key=lambda item: (-item[1], item[0]))
    labels = facet_labels(session, name, [value for value, _ in counts])
    return [FacetValue(value, labels.get(value), n) for value, n in counts]


def catalogue_stats(session: Session) -> CatalogueStats:
    """Totals of the live catalogue and its datasets per theme, format, licence and province."""
    d = _DATASETS.c
    query = select(d.kind, func.count()).where(d.withdrawn_at.is_(None)).group_by(d.kind)
    kinds = {str(row[0]): int(row[1]) for row in session.execute(query)}
    dm = FACET_TABLES["municipality"]
    with_data = session.execute(select(func.count(dm.c.value.distinct()))).scalar_one()
    sources = session.execute(select(func.count()).select_from(_SOURCES)).scalar_one()
    return CatalogueStats(
        datasets=int(kinds.get("Dataset", 0)),
        services=int(kinds.get("DataService", 0)),
        series=int(kinds.get("DatasetSeries", 0)),
        sources=int(sources),
        municipalities_with_data=int(with_data),
        per_theme=_all(session, "theme"),
        per_format=_all(session, "format"),
        per_licence=_all(session, "licence"),
        per_province=_all(session, "province"),
    )
