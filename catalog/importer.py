"""Loading a parsed DCAT document into the store as one source's complete harvest.

Records are written in batches, one transaction each, so a run cut off at any moment leaves whole batches
or nothing. Withdrawal of what the source no longer lists happens only after every record was read, and
is held (nothing withdrawn, the job ``partial``) when it would take more than ``withdraw_threshold`` of
the source's live records, unless the caller confirms it.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import session_scope
from catalog.db.jobs import JobRecord, add_job_records, finish_job, start_job
from catalog.db.tables import SourceRecord
from catalog.db.upsert import UpsertItem, upsert_records
from catalog.db.withdraw import withdraw_missing
from catalog.exceptions import CatalogError, RecordError
from catalog.normalise import municipality_of
from catalog.rdf.parse import FeedReader, ParsedRecord

__all__ = ["ImportReport", "import_feed", "remote_id_of"]


@dataclass
class ImportReport:
    """What one import did."""

    source_id: int
    job_id: int
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)
    """``(remote id or subject, reason)`` for every record that failed."""
    held_withdrawals: int = 0
    """Records the run would have withdrawn but did not, because of the threshold."""
    status: str = "running"
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def summary(self) -> str:
        order = ("created", "updated", "unchanged", "restored", "linked", "withdrawn", "skipped", "failed")
        parts = [f"{key} {self.counts[key]}" for key in order if self.counts[key]]
        line = f"source {self.source_id}, job {self.job_id}: {self.status}; " + (
            ", ".join(parts) or "nothing"
        )
        line += f" ({self.seconds:.1f} s)"
        if self.held_withdrawals:
            line += (
                f"\nwithdrawal held: {self.held_withdrawals} records are no longer in the feed, more than the"
                " allowed share; run again with --confirm-withdrawal to withdraw them"
            )
        for remote_id, reason in self.failures[:20]:
            line += f"\nfailed {remote_id}: {reason}"
        if len(self.failures) > 20:
            line += f"\n... and {len(self.failures) - 20} more failures"
        return line


def remote_id_of(parsed: ParsedRecord) -> str | None:
    """A record's key within its source: its IRI, else its first ``dct:identifier``."""
    if not parsed.subject.startswith("_:"):
        return parsed.subject
    return parsed.record.identifier[0] if parsed.record.identifier else None


def _live_links(session: Session, source_id: int) -> int:
    query = select(func.count()).where(
        SourceRecord.source_id == source_id, SourceRecord.withdrawn_at.is_(None)
    )
    return int(session.execute(query).scalar_one())


def _unseen_links(session: Session, source_id: int, job_id: int) -> int:
    query = select(func.count()).where(
        SourceRecord.source_id == source_id,
        SourceRecord.withdrawn_at.is_(None),
        (SourceRecord.last_job_id != job_id) | SourceRecord.last_job_id.is_(None),
    )
    return int(session.execute(query).scalar_one())


def import_feed(
    factory: sessionmaker[Session],
    *,
    source_id: int,
    reader: FeedReader,
    default_municipality: str | None = None,
    batch_size: int = 500,
    withdraw_threshold: float = 0.2,
    confirm_withdrawal: bool = False,
    base_uri: str | None = None,
) -> ImportReport:
    """Store every record of ``reader`` for the source and withdraw what it no longer lists."""
    started = time.perf_counter()
    with session_scope(factory) as session:
        job_id = start_job(session, source_id=source_id).id
    report = ImportReport(source_id=source_id, job_id=job_id)
    try:
        _load(factory, report, reader, default_municipality, batch_size, base_uri)
        for subject, reason in reader.failures:
            report.failures.append((subject, reason))
            report.counts["failed"] += 1
        with session_scope(factory) as session:
            add_job_records(
                session,
                job_id=job_id,
                records=[JobRecord(subject, "failed", reason) for subject, reason in reader.failures],
            )
            live = _live_links(session, source_id)
            unseen = _unseen_links(session, source_id, job_id)
            if unseen and not confirm_withdrawal and unseen > withdraw_threshold * live:
                report.held_withdrawals = unseen
            elif unseen:
                report.counts["withdrawn"] += withdraw_missing(
                    session, source_id=source_id, job_id=job_id, reason="no longer in the source's feed"
                )
        report.status = "partial" if report.failed or report.held_withdrawals else "succeeded"
    except BaseException as exc:
        report.status = "failed"
        with session_scope(factory) as session:
            finish_job(session, job_id=job_id, status="failed", stats=_stats(report), error=str(exc)[:2000])
        raise
    finally:
        report.seconds = time.perf_counter() - started
    with session_scope(factory) as session:
        finish_job(session, job_id=job_id, status=report.status, stats=_stats(report))
    return report


def _stats(report: ImportReport) -> dict[str, int]:
    return {key: value for key, value in report.counts.items()}


def _load(
    factory: sessionmaker[Session],
    report: ImportReport,
    reader: FeedReader,
    default_municipality: str | None,
    batch_size: int,
    base_uri: str | None,
) -> None:
    batch: list[UpsertItem] = []
    seen: set[str] = set()
    for parsed in reader:
        remote_id = remote_id_of(parsed)
        if remote_id is None:
            report.counts["skipped"] += 1
            report.failures.append((parsed.subject, "skipped: no IRI and no dct:identifier"))
            continue
        if remote_id in seen:
            report.counts["skipped"] += 1
            continue
        seen.add(remote_id)
        municipality = municipality_of(parsed.record, default=default_municipality)
        batch.append(UpsertItem(remote_id, parsed.record, parsed.raw, "ntriples", municipality))
        if len(batch) >= batch_size:
            _flush(factory, report, batch, base_uri)
            batch = []
    _flush(factory, report, batch, base_uri)


def _flush(
    factory: sessionmaker[Session], report: ImportReport, batch: list[UpsertItem], base_uri: str | None
) -> None:
    if not batch:
        return
    try:
        with session_scope(factory) as session:
            results = upsert_records(
                session, source_id=report.source_id, items=batch, base_uri=base_uri, job_id=report.job_id
            )
            report.counts.update(result.action for result in results)
    except RecordError:
        # One bad record must not sink its batch: store the others one at a time.
        for item in batch:
            _flush_one(factory, report, item, base_uri)


def _flush_one(
    factory: sessionmaker[Session], report: ImportReport, item: UpsertItem, base_uri: str | None
) -> None:
    try:
        with session_scope(factory) as session:
            results = upsert_records(
                session, source_id=report.source_id, items=[item], base_uri=base_uri, job_id=report.job_id
            )
            report.counts.update(result.action for result in results)
    except (RecordError, CatalogError) as exc:
        report.counts["failed"] += 1
        report.failures.append((item.remote_id, str(exc)))
        with session_scope(factory) as session:
            add_job_records(
                session, job_id=report.job_id, records=[JobRecord(item.remote_id, "failed", str(exc))]
            )
