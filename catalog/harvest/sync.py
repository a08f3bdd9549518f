"""Writing harvested records to the store in batches, one transaction each, with the job's record log.

A batch is written by ``catalog.db.upsert.upsert_records`` (which decides created / updated / unchanged /
restored / linked by content hash: an unchanged record costs no dataset write) together with its lines of
the job's log, in one transaction: a run killed at any moment leaves whole batches or nothing. When the
store refuses a batch because of one record (an invalid remote id, a value too long for a column), the
batch is written again record by record and only the culprit fails, with the store's reason.

What the log holds: one line for every record created, updated, restored, linked, withdrawn, failed or
skipped, with the link to the original (``HarvestedRecord.url``) and, for written records, the problems the
mapping met. Unchanged records are only counted: a nightly run of a large, quiet source would otherwise
add a line per dataset per night for nothing a steward acts on.

Records of a page not parsed again (unchanged since the last run, see ``catalog.harvest.pagememory``) are
only touched (``touch``): their source records' ``last_seen`` and ``last_job_id`` in one statement per page,
as ``upsert_records`` does for unchanged records, so withdrawal sees them; no dataset row is written.

In a dry run each batch is written and rolled back, so the counts are exactly what a real run would do
and nothing stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Table, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.bulk import in_values
from catalog.db.engine import session_scope
from catalog.db.jobs import JobRecord, add_job_records
from catalog.db.tables import SourceRecord
from catalog.db.upsert import UpsertItem, upsert_records
from catalog.exceptions import CatalogError, RecordError
from catalog.harvest.readers import PreparedRecord, paused_gc
from catalog.harvest.report import HarvestReport, LoggedRecord
from catalog.normalise import municipality_of
from catalog.quality.store import score_written
from catalog.settings import Settings
from harvesters.base import HarvestedRecord

if TYPE_CHECKING:
    from catalog.harvest.aside import PageOutcome

__all__ = ["AGAIN", "BatchWriter", "problems_text"]

_LINKS: Table = SourceRecord.__table__  # type: ignore[assignment]

_REFUSED = (RecordError, IntegrityError, DataError)
"""What one bad record can make the store raise; anything else (a lost connection, the source removed
meanwhile) ends the run."""
_MAX_REASON = 2000
_TOUCH_CHUNK = 5000
AGAIN = "listed more than once in this run; the first one was kept"


def problems_text(record: HarvestedRecord) -> str | None:
    """The mapping's problems with a record, on one line, or None."""
    if not record.problems:
        return None
    parts = []
    for problem in record.problems:
        value = f" ({problem.value[:200]})" if problem.value else ""
        parts.append(f"{problem.path}: {problem.message}{value}")
    return ("kept with problems: " + "; ".join(parts))[:_MAX_REASON]


def _logged_line(record: HarvestedRecord) -> LoggedRecord | None:
    """The log line of a record that failed or was skipped; None for one to store."""
    if record.error is not None:
        return LoggedRecord(record.remote_id, "failed", record.error, record.url)
    if record.skipped is not None or record.record is None:
        return LoggedRecord(record.remote_id, "skipped", record.skipped or "no record", record.url)
    return None


@dataclass(frozen=True, slots=True)
class _Pending:
    harvested: HarvestedRecord
    item: UpsertItem


class BatchWriter:
    """Collects harvested records and writes them ``batch_size`` at a time."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        report: HarvestReport,
        *,
        batch_size: int,
        base_uri: str,
        default_municipality: str | None = None,
        dry_run: bool = False,
        settings: Settings | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        """The run's settings (whether to score quality); the process's when None."""
        self.report = report
        self.batch_size = batch_size
        self.base_uri = base_uri
        self.default_municipality = default_municipality
        self.dry_run = dry_run
        self.batches = 0
        self._pending: list[_Pending] = []
        self._log: list[LoggedRecord] = []
        self.troubled: set[str] = set()
        """Remote ids logged as failed or skipped in this run."""
        self.before_commit: Callable[[], None] | None = None
        """Called before each batch commits; what it raises rolls the batch back (a page reader storing a
        page checks that the harvesting process is still there)."""

    @property
    def pending(self) -> int:
        return len(self._pending)

    def admit(self, harvested: HarvestedRecord, seen: set[str], *, write: bool = True) -> bool:
        """Take one record the plugin gave: log it when it has no remote id, was listed before in this
        run (``seen``), failed or was skipped; else queue it (``add``). True when the batch is full."""
        remote_id = harvested.remote_id
        if not remote_id:
            self.log([LoggedRecord(None, "failed", "the record has no remote id", harvested.url)])
            return False
        if remote_id in seen:
            self.log([LoggedRecord(remote_id, "skipped", AGAIN, harvested.url)])
            return False
        seen.add(remote_id)
        logged = _logged_line(harvested)
        if logged is not None:
            self.log([logged])
            return False
        return self.add(harvested, write=write)

    def add(self, harvested: HarvestedRecord, *, write: bool = True) -> bool:
        """Queue a mapped record; write the batch when it is full (True then; with ``write=False`` the
        caller writes it, with ``flush``)."""
        record = harvested.record
        assert record is not None, "failed and skipped records are logged, not written"
        prepared = None
        if isinstance(harvested, PreparedRecord):  # read in a page reader, which did the record's part
            prepared = harvested.prepared
            municipality = harvested.municipality or self.default_municipality
        else:
            municipality = municipality_of(record, default=self.default_municipality)
        item = UpsertItem(
            harvested.remote_id, record, harvested.raw, harvested.raw_format, municipality, prepared
        )
        self._pending.append(_Pending(harvested, item))
        if len(self._pending) >= self.batch_size:
            if write:
                self.flush()
            return True
        return False

    def absorb(self, outcome: PageOutcome) -> None:
        """Count what a page reader's storing of a page did (``catalog.harvest.aside``)."""
        report = self.report
        for problem in outcome.problems:
            if len(report.problems) >= report.max_problems:
                break
            report.problems.append(problem)
        report.counts.update(outcome.counts)
        report.quality.update(outcome.quality)
        self.troubled.update(outcome.troubled)
        self.batches += outcome.batches

    def log(self, records: Sequence[LoggedRecord]) -> None:
        """Count failed or skipped records; their log lines go out with the next write."""
        for record in records:
            self.report.note(record)
            if record.remote_id is not None:
                self.troubled.add(record.remote_id)
        self._log.extend(records)
        if len(self._log) >= self.batch_size:
            self._write_log()

    def _write_log(self) -> None:
        lines, self._log = self._log, []
        if self.dry_run or self.report.job_id is None or not lines:
            return
        rows = [JobRecord(r.remote_id, r.action, r.reason[:_MAX_REASON], None, r.url) for r in lines]
        with session_scope(self.factory) as session:
            add_job_records(session, job_id=self.report.job_id, records=rows)

    def flush(self) -> None:
        """Write the queued records and log lines (no-op when none)."""
        batch, self._pending = self._pending, []
        if not batch:
            self._write_log()
            return
        try:
            self._write(batch)
        except _REFUSED:
            for pending in batch:
                try:
                    self._write([pending])
                except _REFUSED as exc:
                    reason = _reason(exc)
                    harvested = pending.harvested
                    self.log([LoggedRecord(harvested.remote_id, "failed", reason, harvested.url)])
        self._write_log()
        self.batches += 1

    def touch(self, remote_ids: Sequence[str]) -> None:
        """Count records known unchanged without reading them, and mark them seen by this job."""
        if remote_ids and not self.dry_run:
            sr = _LINKS.c
            now = datetime.now(UTC)
            with session_scope(self.factory) as session:
                for start in range(0, len(remote_ids), _TOUCH_CHUNK):
                    chosen = (
                        sr.source_id == self.report.source_id,
                        in_values(session, sr.remote_id, remote_ids[start : start + _TOUCH_CHUNK]),
                        sr.withdrawn_at.is_(None),
                    )
                    links = update(_LINKS).where(*chosen)
                    session.execute(links.values(last_seen=now, last_job_id=self.report.job_id))
        self.report.counts["unchanged"] += len(remote_ids)

    def _write(self, batch: list[_Pending]) -> None:
        with paused_gc(), self.factory() as session:
            try:
                results = upsert_records(
                    session,
                    source_id=self.report.source_id,
                    items=[p.item for p in batch],
                    base_uri=self.base_uri,
                    job_id=self.report.job_id,
                )
                lines = [
                    JobRecord(
                        result.remote_id,
                        result.action,
                        problems_text(pending.harvested),
                        result.source_record_id,
                        pending.harvested.url,
                    )
                    for result, pending in zip(results, batch, strict=True)
                    if result.action != "unchanged"
                ]
                if self.report.job_id is not None and not self.dry_run:
                    add_job_records(session, job_id=self.report.job_id, records=lines)
                written = [
                    (r.action, r.dataset_pk, p.item.record) for r, p in zip(results, batch, strict=True)
                ]
                job_id = None if self.dry_run else self.report.job_id
                tally = score_written(session, written, job_id=job_id, settings=self.settings)
                if self.before_commit is not None and not self.dry_run:
                    self.before_commit()
            except BaseException:
                session.rollback()
                raise
            if self.dry_run:
                session.rollback()
            else:
                session.commit()
        self.report.counts.update(result.action for result in results)
        if tally is not None:
            self.report.quality.update(tally.as_dict())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, CatalogError):
        return str(exc)[:_MAX_REASON]
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"the store refused the record: {first}"[:_MAX_REASON]
