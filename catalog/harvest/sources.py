"""Registering, describing and removing harvest sources (what ``catalog sources`` does).

A source is saved only when its kind has a harvester, its options pass that harvester's ``Options`` (only
the options given are stored, so defaults can improve later), its municipality is known, and its URL
passes the SSRF guard (``file://`` only with ``harvest.allow_file_urls``). Removing a source withdraws
its datasets (their rows, URIs and public ids stay, answering "gone"; a dataset another source also lists
stays live through that source) and then forgets the source, its records and its jobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import session_scope
from catalog.db.jobs import JobRunning
from catalog.db.sources import create_source
from catalog.db.tables import HarvestJob, Municipality, Source, SourceRecord
from catalog.db.withdraw import withdraw_source_records
from catalog.exceptions import InputError, NotFound
from catalog.harvest.http import check_url
from catalog.harvest.lock import abort_stale_jobs, running_job
from catalog.harvest.registry import validate_options
from catalog.harvest.schedule import SCHEDULES
from catalog.settings import Settings

__all__ = [
    "REMOVED_REASON",
    "SourceSummary",
    "add_source",
    "check_source_url",
    "find_source",
    "remove_source",
    "source_summaries",
]

REMOVED_REASON = "the source was removed from the catalogue"


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """A source with its live record count and its last job, as ``sources list`` shows it."""

    id: int
    name: str
    kind: str
    url: str
    municipality: str | None
    active: bool
    options: dict[str, Any]
    state: dict[str, Any]
    live_records: int
    last_status: str | None
    last_finished: datetime | None


def check_source_url(url: str, settings: Settings) -> None:
    """Refuse a URL the harvester could not or must not fetch."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not settings.harvest.allow_file_urls:
            raise InputError("file:// sources are off; set harvest.allow_file_urls to allow them")
        if not Path(unquote(parts.path)).is_file():
            raise InputError(f"no such file: {unquote(parts.path)}")
        return
    check_url(url, allow_private_networks=settings.harvest.allow_private_networks)


def add_source(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    name: str,
    kind: str,
    url: str,
    municipality: str | None = None,
    options: Mapping[str, Any] | None = None,
    schedule: str = "daily",
) -> int:
    """Register a source after checking everything a harvest will rely on; return its id."""
    name = name.strip()
    if not name:
        raise InputError("a source needs a name")
    if schedule not in SCHEDULES:
        raise InputError(f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULES)}")
    checked = validate_options(kind, options or {})
    check_source_url(url, settings)
    with session_scope(factory) as session:
        if municipality is not None and session.get(Municipality, municipality) is None:
            raise InputError(
                f"unknown municipality NIS code {municipality!r} (run `catalog db upgrade` to load them)"
            )
        if session.scalars(select(Source.id).where(Source.name == name)).first() is not None:
            raise InputError(f"a source named {name!r} exists already")
        source = create_source(
            session,
            name=name,
            kind=kind,
            url=url,
            municipality=municipality,
            options=checked.model_dump(mode="json", exclude_unset=True),
            schedule=schedule,
        )
        session.flush()
        return source.id


def find_source(session: Session, name: str) -> Source:
    """The source of that name; ``NotFound`` (a user mistake) listing the names when there is none."""
    source = session.scalars(select(Source).where(Source.name == name)).first()
    if source is None:
        names = list(session.scalars(select(Source.name).order_by(Source.name).limit(20)))
        known = ", ".join(names) if names else "none registered"
        raise NotFound(f"no source named {name!r}; sources: {known}")
    return source


def source_summaries(session: Session, *, name: str | None = None) -> list[SourceSummary]:
    """Every source (or the one named), by id, with its live record count and last finished job."""
    query = select(Source).order_by(Source.id)
    sources = [find_source(session, name)] if name is not None else list(session.scalars(query))
    if not sources:
        return []
    ids = [s.id for s in sources]
    live = dict(
        session.execute(
            select(SourceRecord.source_id, func.count())
            .where(SourceRecord.source_id.in_(ids), SourceRecord.withdrawn_at.is_(None))
            .group_by(SourceRecord.source_id)
        ).all()
    )
    last_ids = (
        select(func.max(HarvestJob.id))
        .where(HarvestJob.source_id.in_(ids), HarvestJob.finished_at.is_not(None))
        .group_by(HarvestJob.source_id)
    )
    last = {
        job.source_id: job for job in session.scalars(select(HarvestJob).where(HarvestJob.id.in_(last_ids)))
    }
    return [
        SourceSummary(
            id=s.id,
            name=s.name,
            kind=s.kind,
            url=s.url,
            municipality=s.municipality_nis,
            active=s.active,
            options=dict(s.options or {}),
            state=dict(s.state or {}),
            live_records=int(live.get(s.id, 0)),
            last_status=last[s.id].status if s.id in last else None,
            last_finished=last[s.id].finished_at if s.id in last else None,
        )
        for s in sources
    ]


def remove_source(factory: sessionmaker[Session], settings: Settings, *, name: str) -> int:
    """Withdraw the source's records (and datasets left without any), then delete the source; return
    how many records were withdrawn. Refused while a harvest of the source runs."""
    with session_scope(factory) as session:
        source = find_source(session, name)
        abort_stale_jobs(session, source_id=source.id, stale_after=settings.harvest.job_stale_after_seconds)
        alive = running_job(session, source_id=source.id)
        if alive is not None:
            raise JobRunning(f"source {name!r} is being harvested (job {alive.id}); remove it afterwards")
        active = list(
            session.scalars(
                select(SourceRecord.id).where(
                    SourceRecord.source_id == source.id, SourceRecord.withdrawn_at.is_(None)
                )
            )
        )
        count = withdraw_source_records(session, ids=active, reason=REMOVED_REASON)
        session.delete(source)
        return count
