"""Due sources read from the store (SQLite and PostgreSQL): the latest runs of each source decide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from catalog.db.jobs import finish_job, start_job
from catalog.db.sources import create_source
from catalog.harvest.due import due_sources
from catalog.settings import Settings

Store = Any
TICK = datetime(2026, 11, 27, 1, tzinfo=UTC)  # 02:00 in Brussels


def _run(store: Store, source_id: int, started: datetime, status: str) -> None:
    with store.sessions() as session:
        job = start_job(session, source_id=source_id, now=started)
        finish_job(session, job_id=job.id, status=status, stats={}, now=started + timedelta(minutes=3))
        session.commit()


def test_due_sources_from_the_stored_runs(store: Store) -> None:
    with store.sessions() as session:
        ids = {
            name: create_source(session, name=name, kind="dcat", url=url, schedule=schedule, active=active).id
            for name, url, schedule, active in [
                ("new", "https://a.example/1", "daily", True),
                ("ran-last-night", "https://a.example/2", "daily", True),
                ("ran-tonight", "https://b.example/1", "daily", True),
                ("failed-tonight", "https://b.example/2", "daily", True),
                ("weekly-fresh", "https://c.example/1", "weekly", True),
                ("weekly-stale", "https://c.example/2", "weekly", True),
                ("by-hand", "https://d.example/1", "manual", True),
                ("inactive", "https://d.example/2", "daily", False),
            ]
        }
        session.commit()
    _run(store, ids["ran-last-night"], TICK - timedelta(days=1), "succeeded")
    _run(store, ids["ran-tonight"], TICK + timedelta(minutes=1), "partial")
    _run(store, ids["failed-tonight"], TICK - timedelta(days=1), "succeeded")
    _run(store, ids["failed-tonight"], TICK + timedelta(minutes=2), "failed")
    _run(store, ids["weekly-fresh"], TICK - timedelta(days=3), "succeeded")
    _run(store, ids["weekly-stale"], TICK - timedelta(days=7), "succeeded")
    _run(store, ids["weekly-stale"], TICK - timedelta(days=1), "failed")

    with store.sessions() as session:
        plan = due_sources(session, Settings(), now=TICK + timedelta(hours=1))
    assert plan.tick == TICK
    names = {v: k for k, v in ids.items()}
    assert sorted(names[d.source_id] for d in plan.sources) == ["new", "ran-last-night", "weekly-stale"]
    assert [d.host for d in plan.sources] == ["a.example", "c.example", "a.example"], "hosts interleaved"
    assert [d.offset_seconds for d in plan.sources] == [0, 0, 300]
