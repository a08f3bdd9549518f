"""Quality summed up: per source, publisher, municipality and province, and for the whole catalogue.

Every aggregate is over live (not withdrawn) datasets that have a score: how many, the average total and
per dimension, how many in each band, the violations and warnings the validator found, and how many
scores rest on link checks. ``grouped`` gives one aggregate per source / publisher / municipality /
province in one query; ``score_histogram`` and ``common_problems`` feed the catalogue-wide overview.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, Table, case, func, select
from sqlalchemy.orm import Session

from catalog.db.quality_tables import BANDS, DatasetQuality
from catalog.db.tables import DatasetPublisher, DatasetRow, Municipality, Source, SourceRecord
from catalog.quality.score import DIMENSIONS

__all__ = [
    "Aggregate",
    "GroupBy",
    "Problem",
    "aggregate",
    "common_problems",
    "grouped",
    "score_histogram",
]

GroupBy = Literal["source", "publisher", "municipality", "province"]

_Q: Table = DatasetQuality.__table__  # type: ignore[assignment]
_D: Table = DatasetRow.__table__  # type: ignore[assignment]
_SR: Table = SourceRecord.__table__  # type: ignore[assignment]
_PUB: Table = DatasetPublisher.__table__  # type: ignore[assignment]
_MUN: Table = Municipality.__table__  # type: ignore[assignment]
_SRC: Table = Source.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Aggregate:
    """The quality of a set of datasets."""

    datasets: int
    average: float | None
    """The average total score (None when no dataset is scored)."""
    dimensions: dict[str, float | None]
    bands: dict[str, int]
    violations: int
    warnings: int
    links_checked: int
    """Scores computed with every link checked."""
    key: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Problem:
    """A finding that many datasets share."""

    severity: str
    path: str | None
    message: str
    message_nl: str | None
    datasets: int


def _measures() -> list[Any]:
    q = _Q.c
    return [
        func.count().label("datasets"),
        func.avg(q.score).label("average"),
        *(func.avg(q[d]).label(d) for d in DIMENSIONS),
        *(func.sum(case((q.band == band, 1), else_=0)).label(band) for band in BANDS),
        func.coalesce(func.sum(q.violations), 0).label("violations"),
        func.coalesce(func.sum(q.warnings), 0).label("warnings"),
        func.sum(case((q.links_checked, 1), else_=0)).label("links_checked"),
    ]


def _base(*columns: Any) -> Select[Any]:
    return (
        select(*columns, *_measures())
        .select_from(_Q.join(_D, _D.c.id == _Q.c.dataset_id))
        .where(_D.c.withdrawn_at.is_(None))
    )


def _round(value: Any) -> float | None:
    return round(float(value), 1) if value is not None else None


def _aggregate(row: Any, key: str | None = None, label: str | None = None) -> Aggregate:
    return Aggregate(
        datasets=int(row.datasets or 0),
        average=_round(row.average),
        dimensions={d: _round(getattr(row, d)) for d in DIMENSIONS},
        bands={band: int(getattr(row, band) or 0) for band in BANDS},
        violations=int(row.violations or 0),
        warnings=int(row.warnings or 0),
        links_checked=int(row.links_checked or 0),
        key=key,
        label=label,
    )


def _owned_by(source_id: int) -> Any:
    return _D.c.id.in_(select(_SR.c.dataset_id).where(_SR.c.source_id == source_id, _SR.c.is_owner))


def aggregate(
    session: Session,
    *,
    source_id: int | None = None,
    publisher: str | None = None,
    municipality: str | None = None,
    province: str | None = None,
) -> Aggregate:
    """The quality of the live scored datasets that match every filter given (all of them when none).

    ``source_id``: datasets the source owns; ``publisher``: the publisher facet value (URI, or
    ``name:`` + name); ``municipality``: a NIS code; ``province``: a province name.
    """
    query = _base()
    if source_id is not None:
        query = query.where(_owned_by(source_id))
    if publisher is not None:
        query = query.where(_D.c.id.in_(select(_PUB.c.dataset_id).where(_PUB.c.value == publisher)))
    if municipality is not None:
        query = query.where(_D.c.municipality_nis == municipality)
    if province is not None:
        nis = select(_MUN.c.nis).where(_MUN.c.province == province)
        query = query.where(_D.c.municipality_nis.in_(nis))
    return _aggregate(session.execute(query).one())


def grouped(session: Session, by: GroupBy, *, limit: int = 1000) -> list[Aggregate]:
    """One aggregate per source, publisher, municipality or province, best average first."""
    key: Any
    label: Any
    if by == "source":
        join = _SR.join(_SRC, _SRC.c.id == _SR.c.source_id)
        key, label = _SRC.c.id, _SRC.c.name
        query = _base(key, label).join(join, (_SR.c.dataset_id == _D.c.id) & _SR.c.is_owner)
    elif by == "publisher":
        key, label = _PUB.c.value, func.max(_PUB.c.label)
        query = _base(key, label.label("label")).join(_PUB, _PUB.c.dataset_id == _D.c.id)
    elif by == "municipality":
        key, label = _MUN.c.nis, _MUN.c.name
        query = _base(key, label).join(_MUN, _MUN.c.nis == _D.c.municipality_nis)
    elif by == "province":
        key = label = _MUN.c.province
        query = _base(key).join(_MUN, _MUN.c.nis == _D.c.municipality_nis).where(key.is_not(None))
    else:  # pragma: no cover - typed
        raise ValueError(f"cannot group by {by!r}")
    groups = [key] if by in ("publisher", "province") else [key, label]
    query = query.group_by(*groups).order_by(func.avg(_Q.c.score).desc(), key).limit(limit)
    out = []
    for row in session.execute(query):
        name = row[1] if by != "province" else row[0]
        out.append(_aggregate(row, key=str(row[0]), label=name))
    return out


def score_histogram(session: Session, *, width: int = 50) -> list[tuple[int, int]]:
    """(lowest score of the bucket, datasets) for buckets of ``width`` points from 0 to 405."""
    bucket = func.floor(_Q.c.score / width)
    query = (
        select(bucket.label("bucket"), func.count())
        .select_from(_Q.join(_D, _D.c.id == _Q.c.dataset_id))
        .where(_D.c.withdrawn_at.is_(None))
        .group_by(bucket)
    )
    counts = {int(b): int(n) for b, n in session.execute(query)}
    return [(b * width, counts.get(b, 0)) for b in range(0, 405 // width + 1)]


@dataclass
class _Tally:
    count: Counter[tuple[str, str | None, str]] = field(default_factory=Counter)
    dutch: dict[tuple[str, str | None, str], str | None] = field(default_factory=dict)


def _problems(rows: Iterable[Any]) -> _Tally:
    tally = _Tally()
    for (findings,) in rows:
        seen = set()
        for finding in findings or ():
            if finding.get("severity") not in ("violation", "warning"):
                continue
            key = (str(finding["severity"]), finding.get("path"), str(finding.get("message") or ""))
            if key not in seen:
                seen.add(key)
                tally.count[key] += 1
                tally.dutch.setdefault(key, finding.get("message_nl"))
    return tally


def common_problems(session: Session, *, limit: int = 20, source_id: int | None = None) -> list[Problem]:
    """The violations and warnings found in the most live datasets (each counted once per dataset)."""
    query = (
        select(_Q.c.findings)
        .select_from(_Q.join(_D, _D.c.id == _Q.c.dataset_id))
        .where(_D.c.withdrawn_at.is_(None), (_Q.c.violations + _Q.c.warnings) > 0)
    )
    if source_id is not None:
        query = query.where(_owned_by(source_id))
    tally = _problems(session.execute(query.execution_options(yield_per=1000)))
    ranked = sorted(tally.count.items(), key=lambda item: (-item[1], item[0][0] != "violation", item[0]))
    return [
        Problem(severity, path, message, tally.dutch.get((severity, path, message)), n)
        for (severity, path, message), n in ranked[:limit]
    ]
