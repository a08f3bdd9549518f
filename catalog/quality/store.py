"""Quality in the store: validate and score records as they are written, recompute, and tally per job.

``score_and_store`` is what the harvest's batch writer calls (``catalog.harvest.sync``) for every record
it created, updated or restored, inside the batch's transaction: each record is validated
(``catalog.quality.validate.check_record``), scored (``catalog.quality.score``) with the cached link-check
results, and its ``dataset_quality`` row replaced; the job's ``harvest_job_quality`` row adds the batch's
counts. Unchanged records keep their row. ``recompute`` scores stored datasets again (after a release that
changes the scheme, or after link checks), batch by batch, one transaction each.
"""

from __future__ import annotations

import importlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.bulk import bulk_insert, in_values
from catalog.db.quality_tables import BANDS, DatasetQuality, HarvestJobQuality, LinkCheck
from catalog.db.tables import DatasetRow, SourceRecord
from catalog.model import DataService, Dataset, DatasetSeries
from catalog.quality.score import DIMENSIONS, Score, score_record

if TYPE_CHECKING:
    from catalog.settings import Settings

__all__ = [
    "FINDING_FIELDS",
    "QualityTally",
    "findings_json",
    "get_quality",
    "ids_by_score",
    "latest_job_quality",
    "load_links",
    "recompute",
    "record_urls",
    "score_and_store",
    "score_written",
    "scored_ids",
    "validate_record",
]

AnyRecord = Dataset | DataService | DatasetSeries
FINDING_FIELDS = ("focus", "path", "severity", "message", "message_nl", "value", "shape")
_QUALITY: Table = DatasetQuality.__table__  # type: ignore[assignment]
_LINKS: Table = LinkCheck.__table__  # type: ignore[assignment]
_JOBS: Table = HarvestJobQuality.__table__  # type: ignore[assignment]
_DATASETS: Table = DatasetRow.__table__  # type: ignore[assignment]
_SOURCE_RECORDS: Table = SourceRecord.__table__  # type: ignore[assignment]
_COLUMNS = (
    "dataset_id", "score", *DIMENSIONS, "band", "violations", "warnings", "findings", "links_checked",
    "job_id", "computed_at",
)  # fmt: skip
_MODELS: dict[str, type[AnyRecord]] = {
    "Dataset": Dataset,
    "DataService": DataService,
    "DatasetSeries": DatasetSeries,
}
_CHUNK = 1000
_log = logging.getLogger(__name__)


@cache
def _checker() -> Any:
    """``check_record`` of the validator, or None while that module is not installed."""
    try:
        return importlib.import_module("catalog.quality.validate").check_record
    except ImportError:
        return None


def validate_record(record: AnyRecord) -> list[Any] | None:
    """The validator's findings for ``record``; None when it cannot say (no compliance points then).

    None when no validator is installed, or when it failed on this record: a validator fault is logged
    and never costs the record its place in the store.
    """
    check = _checker()
    if check is None:
        return None
    try:
        return list(check(record))
    except Exception as exc:
        where = record.uri or "a record"
        _log.warning("the validator failed on %s (%s: %s); scored without compliance points", where,
                     type(exc).__name__, exc)  # fmt: skip
        return None


def validate_records(records: Sequence[AnyRecord]) -> list[list[Any] | None]:
    """The validator's findings for each record of a batch (one pass: ``check_records``), each as
    ``validate_record`` would give it; when the batch check fails, record by record."""
    if not records:
        return []
    try:
        module = importlib.import_module("catalog.quality.validate")
    except ImportError:
        return [None] * len(records)
    try:
        return [list(found) for found in module.check_records(list(records))]
    except Exception as exc:
        _log.warning(
            "the batch validation failed (%s: %s); checking record by record", type(exc).__name__, exc
        )
        return [validate_record(record) for record in records]


def findings_json(findings: Iterable[Any]) -> list[dict[str, Any]]:
    """Findings as JSON objects (``FINDING_FIELDS``); values that are not JSON become text."""
    out = []
    for finding in findings:
        item: dict[str, Any] = {}
        for name in FINDING_FIELDS:
            value = getattr(finding, name, None)
            item[name] = value if value is None or isinstance(value, str | int | float | bool) else str(value)
        out.append(item)
    return out


def record_urls(record: AnyRecord) -> list[str]:
    """The access and download URLs of a record's distributions (what link checks look at)."""
    if not isinstance(record, Dataset):
        return []
    return [url for d in record.distribution for url in (*d.access_url, *d.download_url)]


def load_links(session: Session, urls: Iterable[str]) -> dict[str, bool]:
    """The cached link-check result (answered or not) of each of ``urls`` that has one."""
    if session.execute(select(_LINKS.c.url).limit(1)).first() is None:
        return {}  # no link checked yet (a first harvest): nothing to look up
    wanted = sorted(set(urls))
    found: dict[str, bool] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(_LINKS.c.url, _LINKS.c.ok).where(in_values(session, _LINKS.c.url, chunk))
        found.update((row.url, bool(row.ok)) for row in session.execute(query))
    return found


@dataclass
class QualityTally:
    """Counts of one run of scoring: datasets per band, findings by severity."""

    scored: int = 0
    bands: Counter[str] = field(default_factory=Counter)
    violations: int = 0
    warnings: int = 0

    def add(self, score: Score) -> None:
        self.scored += 1
        self.bands[score.band] += 1
        self.violations += score.violations
        self.warnings += score.warnings

    def as_dict(self) -> dict[str, int]:
        return {
            "scored": self.scored,
            **{band: self.bands[band] for band in BANDS},
            "violations": self.violations,
            "warnings": self.warnings,
        }


def score_and_store(
    session: Session,
    items: Sequence[tuple[int, AnyRecord]],
    *,
    job_id: int | None = None,
    now: datetime | None = None,
    validate: bool = True,
) -> QualityTally:
    """Validate and score ``(dataset pk, record)`` pairs and replace their quality rows (caller commits).

    With ``validate`` False the validator is not run and no compliance points are given. ``job_id``
    adds the counts to that job's ``harvest_job_quality`` row.
    """
    tally = QualityTally()
    if not items:
        return tally
    now = now or datetime.now(UTC)
    links = load_links(session, (url for _, record in items for url in record_urls(record)))
    rows: dict[int, tuple[Any, ...]] = {}
    checked = validate_records([record for _, record in items]) if validate else [None] * len(items)
    for (pk, record), findings in zip(items, checked, strict=True):
        score = score_record(record, findings=findings, links=links)
        tally.add(score)
        rows[pk] = (
            pk, score.total, *(score.dimensions[d] for d in DIMENSIONS), score.band, score.violations,
            score.warnings, findings_json(findings or ()), score.links_checked, job_id, now,
        )  # fmt: skip
    pks = sorted(rows)
    for start in range(0, len(pks), _CHUNK):
        chunk = pks[start : start + _CHUNK]
        session.execute(delete(_QUALITY).where(in_values(session, _QUALITY.c.dataset_id, chunk)))
    bulk_insert(session, _QUALITY, _COLUMNS, [rows[pk] for pk in pks])
    if job_id is not None:
        _add_to_job(session, job_id, tally)
    return tally


def _add_to_job(session: Session, job_id: int, tally: QualityTally) -> None:
    counts = tally.as_dict()
    found = session.get(HarvestJobQuality, job_id)
    if found is None:
        session.execute(_JOBS.insert().values(job_id=job_id, **counts))
        return
    c = _JOBS.c
    session.execute(
        update(_JOBS).where(c.job_id == job_id).values({c[name]: c[name] + n for name, n in counts.items()})
    )
    session.expire(found)


def recompute(
    factory: sessionmaker[Session],
    *,
    source_id: int | None = None,
    dataset_ids: Sequence[int] | None = None,
    batch_size: int = 500,
    validate: bool = True,
    now: datetime | None = None,
) -> QualityTally:
    """Score the live datasets again (of one source, or the given dataset pks), one transaction per batch."""
    d = _DATASETS.c
    tally = QualityTally()
    after = 0
    while True:
        query = select(d.id, d.kind, d.record).where(d.withdrawn_at.is_(None), d.id > after)
        if source_id is not None:
            owned = select(_SOURCE_RECORDS.c.dataset_id).where(
                _SOURCE_RECORDS.c.source_id == source_id, _SOURCE_RECORDS.c.is_owner
            )
            query = query.where(d.id.in_(owned))
        with factory() as session:
            if dataset_ids is not None:
                wanted = sorted(i for i in set(dataset_ids) if i > after)[:batch_size]
                if not wanted:
                    break
                query = query.where(in_values(session, d.id, wanted))
            rows = session.execute(query.order_by(d.id).limit(batch_size)).all()
            if not rows and dataset_ids is None:
                break
            items = [(row.id, _MODELS[row.kind].model_validate_json(row.record)) for row in rows]
            batch = score_and_store(session, items, now=now, validate=validate)
            session.commit()
        tally.scored += batch.scored
        tally.bands.update(batch.bands)
        tally.violations += batch.violations
        tally.warnings += batch.warnings
        after = wanted[-1] if dataset_ids is not None else rows[-1].id
    return tally


_SCORED_ACTIONS = frozenset({"created", "updated", "restored"})
"""Upsert actions that (re)write a dataset's canonical record, and so its score."""


def score_written(
    session: Session,
    written: Iterable[tuple[str, int, AnyRecord]],
    *,
    job_id: int | None,
    settings: Settings | None = None,
) -> QualityTally | None:
    """The harvest hook: score ``(upsert action, dataset pk, record)`` whose record was written.

    Does nothing (None) when ``quality.score_on_harvest`` is off in ``settings`` (the run's settings;
    the process's ``get_settings()`` only when none are given). A dataset written twice in one batch is
    scored once, with its last record.
    """
    if settings is None:
        from catalog.settings import get_settings

        settings = get_settings()
    if not settings.quality.score_on_harvest:
        return None
    items = {pk: record for action, pk, record in written if action in _SCORED_ACTIONS}
    return score_and_store(session, list(items.items()), job_id=job_id)


def get_quality(session: Session, dataset_pk: int) -> DatasetQuality | None:
    """A dataset's stored quality row, or None when it was never scored."""
    return session.get(DatasetQuality, dataset_pk)


def latest_job_quality(session: Session, source_id: int) -> tuple[int, dict[str, int]] | None:
    """(job id, counts) of the source's newest harvest job that scored anything; None when none did."""
    from catalog.db.tables import HarvestJob

    query = (
        select(HarvestJobQuality)
        .join(HarvestJob, HarvestJob.id == HarvestJobQuality.job_id)
        .where(HarvestJob.source_id == source_id)
        .order_by(HarvestJobQuality.job_id.desc())
        .limit(1)
    )
    found = session.scalars(query).first()
    if found is None:
        return None
    counts = {"scored": found.scored, **{b: getattr(found, b) for b in BANDS}}
    return found.job_id, {**counts, "violations": found.violations, "warnings": found.warnings}


def scored_ids(session: Session, *, min_score: float | None = None, bands: Sequence[str] = ()) -> list[int]:
    """Keys of the datasets whose score is at least ``min_score`` and whose band is one of ``bands``."""
    q = _QUALITY.c
    query = select(q.dataset_id)
    if min_score is not None:
        query = query.where(q.score >= min_score)
    if bands:
        query = query.where(q.band.in_(list(bands)))
    return list(session.scalars(query))


def ids_by_score(
    session: Session, candidates: Sequence[int], *, descending: bool, offset: int, limit: int
) -> list[int]:
    """One page of ``candidates`` ordered by score (ties by key; datasets without a score last)."""
    wanted = set(candidates)
    scores = {
        pk: score
        for pk, score in session.execute(select(_QUALITY.c.dataset_id, _QUALITY.c.score))
        if pk in wanted
    }
    sign = -1.0 if descending else 1.0
    ordered = sorted(candidates, key=lambda pk: (pk not in scores, sign * scores.get(pk, 0.0), pk))
    return ordered[offset : offset + limit]
