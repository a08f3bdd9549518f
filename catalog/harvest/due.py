"""Which sources the nightly harvest takes now: the schedule (``catalog.harvest.schedule``) over the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.db.sources import list_sources
from catalog.db.tables import HarvestJob
from catalog.db.types import as_utc
from catalog.harvest.schedule import DueSource, is_due, parse_cron, spread
from catalog.settings import Settings

__all__ = ["DuePlan", "due_sources"]

_DONE = ("succeeded", "partial")


@dataclass(frozen=True)
class DuePlan:
    """The latest tick of the schedule and the sources due at it, in the order to run them."""

    tick: datetime
    sources: list[DueSource]


def _latest_start(session: Session, *statuses: str) -> dict[int, datetime]:
    query = select(HarvestJob.source_id, func.max(HarvestJob.started_at)).group_by(HarvestJob.source_id)
    if statuses:
        query = query.where(HarvestJob.status.in_(statuses))
    return {
        source_id: as_utc(started) for source_id, started in session.execute(query) if started is not None
    }


def due_sources(session: Session, settings: Settings, *, now: datetime | None = None) -> DuePlan:
    """The active sources whose schedule is due at the latest tick at or before ``now``."""
    cron = parse_cron(settings.harvest.schedule, settings.harvest.timezone)
    tick = cron.previous(as_utc(now) if now is not None else datetime.now(UTC))
    started = _latest_start(session)
    succeeded = _latest_start(session, *_DONE)
    due = [
        source
        for source in list_sources(session, active=True)
        if is_due(
            source,
            tick=tick,
            zone=cron.zone,
            last_started=started.get(source.id),
            last_success_started=succeeded.get(source.id),
        )
    ]
    return DuePlan(tick, spread(due, host_spacing_seconds=settings.harvest.host_spacing_seconds))
