"""Withdrawing what a source no longer lists, after a complete gather only, and never too much at once.

The records missing are the source's live ones whose remote id the run did not see (a record that failed
this time was seen: the source still lists it, so it stays). The withdrawal is held (nothing withdrawn,
the job ``partial``, the reason in its error) when it would take more than ``withdraw_threshold`` of the
source's live records, or when the gather found nothing at all (a portal that suddenly answers with an
empty catalogue is far more often broken than emptied), unless the caller confirms it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.db.jobs import JobRecord, add_job_records
from catalog.db.tables import SourceRecord
from catalog.db.withdraw import find_missing, withdraw_source_records

__all__ = ["WITHDRAWN_REASON", "WithdrawalPlan", "apply_withdrawal", "plan_withdrawal"]

WITHDRAWN_REASON = "no longer listed by the source"


@dataclass(frozen=True, slots=True)
class WithdrawalPlan:
    """What a complete gather would withdraw, and whether it may."""

    missing: dict[str, int]
    """Remote id -> source record id of the live records the run did not see."""
    live: int
    """The source's live records before the run's withdrawals."""
    held: str | None
    """Why the withdrawal is held, or None when it may go ahead."""


def _live(session: Session, source_id: int) -> int:
    query = select(func.count()).where(
        SourceRecord.source_id == source_id, SourceRecord.withdrawn_at.is_(None)
    )
    return int(session.execute(query).scalar_one())


def plan_withdrawal(
    session: Session, *, source_id: int, seen: Collection[str], threshold: float, confirmed: bool
) -> WithdrawalPlan:
    """Work out what to withdraw after a complete gather that saw ``seen`` remote ids."""
    missing = find_missing(session, source_id=source_id, seen_remote_ids=seen)
    live = _live(session, source_id)
    held = None
    if missing and not confirmed:
        share = len(missing) / live if live else 1.0
        if not seen:
            held = (
                f"withdrawal held: the source listed no records at all, so its {len(missing)} live records"
                " were kept; run again with --confirm-withdrawal if the catalogue really is empty now"
            )
        elif share > threshold:
            held = (
                f"withdrawal held: {len(missing)} of {live} live records ({share:.0%}) are no longer"
                f" listed, more than the allowed {threshold:.0%}; run again with --confirm-withdrawal to"
                " withdraw them"
            )
    return WithdrawalPlan(missing, live, held)


def apply_withdrawal(session: Session, *, plan: WithdrawalPlan, job_id: int | None) -> int:
    """Withdraw the plan's missing records (and the datasets left without any), log them; return how many."""
    if plan.held or not plan.missing:
        return 0
    count = withdraw_source_records(session, ids=list(plan.missing.values()), reason=WITHDRAWN_REASON)
    if job_id is not None:
        lines = [
            JobRecord(remote_id, "withdrawn", WITHDRAWN_REASON, record_id)
            for remote_id, record_id in sorted(plan.missing.items())
        ]
        add_job_records(session, job_id=job_id, records=lines)
    return count
