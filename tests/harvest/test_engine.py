"""The harvest engine with a scripted plugin, on SQLite and PostgreSQL (schema from Alembic)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from engine_support import (
    FakeHttp,
    ListHarvester,
    assert_store_consistent,
    item,
    page,
    page_url,
    paged,
)
from sqlalchemy import event, func, select

from catalog.db.engine import session_scope
from catalog.db.jobs import JobRunning, list_job_records, list_jobs
from catalog.db.queries import count_datasets
from catalog.db.sources import create_source
from catalog.db.tables import DatasetRow, HarvestJob, Source
from catalog.harvest.registry import register
from catalog.harvest.runner import run_harvest, run_harvest_async
from catalog.settings import Settings

Store = Any


@pytest.fixture(autouse=True)
def plugin() -> Iterator[type[ListHarvester]]:
    with register(ListHarvester) as cls:
        yield cls  # type: ignore[misc]
    ListHarvester.gate = None


@pytest.fixture
def settings(store: Store) -> Settings:
    return Settings(
        database={"url": store.url},
        harvest={"batch_size": 4, "withdraw_threshold": 0.2},
        catalog={"base_uri": "https://catalog.example/"},
    )


def make_source(store: Store, pages: int = 1, **options: Any) -> int:
    with session_scope(store.sessions) as session:
        source = create_source(
            session, name="Portaal", kind="test-list", url=page_url(1), options={"pages": pages, **options}
        )
        session.flush()
        return source.id


def harvest(store: Store, settings: Settings, source_id: int, http: FakeHttp, **kw: Any):  # type: ignore[no-untyped-def]
    return run_harvest(store.sessions, source_id=source_id, settings=settings, fetcher=http, **kw)


TEN = page(*(item(n) for n in range(10)))


def test_created_then_unchanged_costs_no_dataset_write(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    first = harvest(store, settings, source_id, paged(TEN))
    assert first.status == "succeeded" and first.counts["created"] == 10 and first.complete
    with store.sessions() as session:
        before = {row.id: (row.updated_at, row.content_hash) for row in session.scalars(select(DatasetRow))}

    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()).lower())

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        again = harvest(store, settings, source_id, paged(TEN))
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert again.status == "succeeded" and again.counts["unchanged"] == 10 and again.counts["created"] == 0
    with store.sessions() as session:
        after = {row.id: (row.updated_at, row.content_hash) for row in session.scalars(select(DatasetRow))}
    assert after == before
    writes = re.compile(r"(insert into|update|delete from|copy) datasets\b")
    dataset_writes = [s for s in statements if writes.match(s)]
    assert dataset_writes == [], "an unchanged record rewrote its dataset row"
    other = re.compile(r"(insert into|update|delete from|copy) (dataset_\w+|raw_records)\b")
    assert not [s for s in statements if other.match(s)], "facets or raw payloads rewritten"
    with store.sessions() as session:
        assert list_job_records(session, job_id=again.job_id) == []  # unchanged: counted, not logged


def test_page_two_of_three_malformed_keeps_page_one_and_withdraws_nothing(
    store: Store, settings: Settings
) -> None:
    source_id = make_source(store, pages=3)
    pages = [page(*(item(n) for n in range(i * 3, i * 3 + 3))) for i in range(3)]
    assert harvest(store, settings, source_id, paged(*pages)).counts["created"] == 9
    changed = page(*(item(n, title="Nieuw") for n in range(3)))
    report = harvest(store, settings, source_id, paged(changed, b'[{"id": "ds-3", ', pages[2]))
    assert report.status == "failed"
    assert page_url(2) in (report.error or "") and "not JSON" in (report.error or "")
    assert report.counts["updated"] == 3 and report.counts["withdrawn"] == 0
    with store.sessions() as session:
        assert count_datasets(session) == 9
        titles = sorted(t for t in session.scalars(select(DatasetRow.title)) if t and t.startswith("Nieuw"))
        assert titles == ["Nieuw 0", "Nieuw 1", "Nieuw 2"]
        job = list_jobs(session)[0]
        assert job.status == "failed" and page_url(2) in (job.error or "")
        assert job.stats["updated"] == 3 and job.stats["withdrawn"] == 0
        state = session.get(Source, source_id)
        assert state is not None and state.state == {"runs": 1}, "a failed run keeps no plugin state"
        assert_store_consistent(session)


def test_empty_catalogue_withdraws_nothing_even_at_full_threshold(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    lenient = settings.model_copy(
        update={"harvest": settings.harvest.model_copy(update={"withdraw_threshold": 1})}
    )
    report = harvest(store, lenient, source_id, paged(b"[]"))
    assert report.status == "partial" and report.counts["withdrawn"] == 0 and report.held_withdrawals == 10
    assert "listed no records" in report.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 10
        assert "withdrawal held" in (list_jobs(session)[0].error or "")


def test_withdrawal_below_threshold_then_return(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    report = harvest(store, settings, source_id, paged(page(*(item(n) for n in range(1, 10)))))
    assert report.status == "succeeded" and report.counts["withdrawn"] == 1
    with store.sessions() as session:
        assert count_datasets(session) == 9
        lines = list_job_records(session, job_id=report.job_id, action="withdrawn")
        assert [line.remote_id for line in lines] == ["ds-0"] and lines[0].reason
    back = harvest(store, settings, source_id, paged(TEN))
    assert back.counts["restored"] == 1 and back.counts["unchanged"] == 9


def test_mass_withdrawal_is_held_until_confirmed(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    five = page(*(item(n) for n in range(5)))
    held = harvest(store, settings, source_id, paged(five))
    assert held.status == "partial" and held.held_withdrawals == 5 and held.counts["withdrawn"] == 0
    assert "--confirm-withdrawal" in held.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 10
    done = harvest(store, settings, source_id, paged(five), confirm_withdrawal=True)
    assert done.status == "succeeded" and done.counts["withdrawn"] == 5
    with store.sessions() as session:
        assert count_datasets(session) == 5


def test_failed_and_skipped_records_are_logged_with_reason_and_link(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    listing = page(
        item(1),
        item(2, error="dct:title missing"),
        item(3, skip="not a dataset"),
        item(1),  # listed twice
        item(4),
    )
    report = harvest(store, settings, source_id, paged(listing))
    assert report.status == "partial"
    assert report.counts["created"] == 2 and report.counts["failed"] == 1 and report.counts["skipped"] == 2
    assert "failed ds-2" in report.summary() and "dct:title missing" in report.summary()
    with store.sessions() as session:
        failed = list_job_records(session, job_id=report.job_id, action="failed")
        assert [(r.remote_id, r.reason, r.url) for r in failed] == [
            ("ds-2", "dct:title missing", page_url(1))
        ]
        skipped = list_job_records(session, job_id=report.job_id, action="skipped")
        assert {r.remote_id for r in skipped} == {"ds-3", "ds-1"}
        created = list_job_records(session, job_id=report.job_id, action="created")
        assert {(r.remote_id, r.url) for r in created} == {
            ("ds-1", page_url(1) + "#ds-1"),
            ("ds-4", page_url(1) + "#ds-4"),
        }
        assert all(r.source_record_id for r in created)
        job = list_jobs(session)[0]
        assert job.stats["failed"] == 1 and job.stats["skipped"] == 2


def test_a_failed_record_is_not_withdrawn(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(page(item(1), item(2))))
    report = harvest(store, settings, source_id, paged(page(item(1), item(2, error="broken now"))))
    assert report.counts["withdrawn"] == 0 and report.counts["failed"] == 1
    with store.sessions() as session:
        assert count_datasets(session) == 2


def test_a_record_the_store_refuses_fails_alone(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    listing = page(item(1), {"id": "x" * 1001, "title": "Te lang"}, item(2))
    report = harvest(store, settings, source_id, paged(listing))
    assert report.counts["created"] == 2 and report.counts["failed"] == 1 and report.status == "partial"
    with store.sessions() as session:
        assert count_datasets(session) == 2
        (line,) = list_job_records(session, job_id=report.job_id, action="failed")
        assert "remote id" in (line.reason or "")


def test_plugin_exception_fails_the_job_naming_the_page(store: Store, settings: Settings) -> None:
    source_id = make_source(store, pages=2)
    harvest(store, settings, source_id, paged(page(item(1)), page(item(2))))
    report = harvest(store, settings, source_id, paged(page(item(1)), page({"id": "x", "raise": True})))
    assert report.status == "failed" and report.counts["withdrawn"] == 0
    assert "RuntimeError: the plugin broke" in (report.error or "") and page_url(2) in (report.error or "")
    with store.sessions() as session:
        assert count_datasets(session) == 2


def test_limit_stops_early_and_withdraws_nothing(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    report = harvest(store, settings, source_id, paged(TEN), limit=3)
    assert report.processed == 3 and not report.complete and report.counts["withdrawn"] == 0
    assert report.status == "partial" and "stopped after 3 records" in report.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 10
        source = session.get(Source, source_id)
        assert source is not None and source.state == {"runs": 1}, "a cut-off run keeps no plugin state"
        assert list_jobs(session)[0].status == "partial"


def test_incremental_listing_withdraws_nothing(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    with session_scope(store.sessions) as session:
        source = session.get(Source, source_id)
        assert source is not None
        source.options = {"pages": 1, "incremental": True}
    report = harvest(store, settings, source_id, paged(page(item(1))))
    assert report.status == "succeeded" and not report.complete and report.counts["withdrawn"] == 0
    with store.sessions() as session:
        assert count_datasets(session) == 10
        source = session.get(Source, source_id)
        assert source is not None and source.state == {"runs": 2}, "an incremental run keeps its state"


def test_dry_run_reports_and_writes_nothing(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    report = harvest(store, settings, source_id, paged(TEN), dry_run=True)
    assert report.dry_run and report.job_id is None and report.counts["created"] == 10
    assert "dry run" in report.summary()
    with store.sessions() as session:
        assert count_datasets(session) == 0
        assert list_jobs(session) == []
        source = session.get(Source, source_id)
        assert source is not None and source.state == {}
    harvest(store, settings, source_id, paged(TEN))
    would = harvest(store, settings, source_id, paged(page(item(0), item(1, title="Nieuw"))), dry_run=True)
    assert would.counts["unchanged"] == 1 and would.counts["updated"] == 1
    assert would.held_withdrawals == 8
    with store.sessions() as session:
        assert count_datasets(session) == 10 and len(list_jobs(session)) == 1


def test_plugin_state_is_kept_and_given_back(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    harvest(store, settings, source_id, paged(TEN))
    harvest(store, settings, source_id, paged(TEN))
    with store.sessions() as session:
        source = session.get(Source, source_id)
        assert source is not None and source.state == {"runs": 2}


def test_second_run_of_a_source_is_refused_while_the_first_runs(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    listing = page(item(1), item(2, wait=True), item(3))

    async def both() -> tuple[Any, BaseException | None]:
        ListHarvester.gate = asyncio.Event()
        first = asyncio.create_task(
            run_harvest_async(store.sessions, source_id=source_id, settings=settings, fetcher=paged(listing))
        )
        await asyncio.sleep(0.2)  # the first run is waiting inside the plugin, its job running
        refused: BaseException | None = None
        try:
            await run_harvest_async(
                store.sessions, source_id=source_id, settings=settings, fetcher=paged(listing)
            )
        except JobRunning as exc:
            refused = exc
        ListHarvester.gate.set()
        return await first, refused

    report, refused = asyncio.run(both())
    assert refused is not None and "being harvested already" in str(refused)
    assert report.status == "succeeded" and report.counts["created"] == 3
    with store.sessions() as session:
        assert [job.status for job in list_jobs(session)] == ["succeeded"]


def test_stale_running_job_is_aborted_and_the_run_goes_ahead(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with session_scope(store.sessions) as session:
        session.add(
            HarvestJob(
                source_id=source_id,
                status="running",
                created_at=long_ago,
                started_at=long_ago,
                heartbeat_at=long_ago,
                stats={},
            )
        )
    report = harvest(store, settings, source_id, paged(TEN))
    assert report.status == "succeeded" and len(report.aborted_jobs) == 1
    assert "aborted stale job" in report.summary()
    with store.sessions() as session:
        stale = session.get(HarvestJob, report.aborted_jobs[0])
        assert stale is not None and stale.status == "aborted" and "no heartbeat" in (stale.error or "")
        assert stale.finished_at is not None


def test_recent_running_job_is_not_taken_over(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    now = datetime.now(UTC)
    with session_scope(store.sessions) as session:
        session.add(
            HarvestJob(
                source_id=source_id,
                status="running",
                created_at=now,
                started_at=now,
                heartbeat_at=now,
                stats={},
            )
        )
    with pytest.raises(JobRunning):
        harvest(store, settings, source_id, paged(TEN))


def test_heartbeat_is_renewed_while_the_run_goes_on(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    fast = settings.model_copy(
        update={"harvest": settings.harvest.model_copy(update={"job_heartbeat_seconds": 0.05})}
    )
    beats: list[datetime] = []

    async def run() -> Any:
        ListHarvester.gate = asyncio.Event()
        task = asyncio.create_task(
            run_harvest_async(
                store.sessions, source_id=source_id, settings=fast, fetcher=paged(page(item(1, wait=True)))
            )
        )
        for _ in range(3):
            await asyncio.sleep(0.25)
            with store.sessions() as session:
                beat = session.scalars(select(HarvestJob.heartbeat_at)).one()
                assert beat is not None
                beats.append(beat)
        ListHarvester.gate.set()
        return await task

    report = asyncio.run(run())
    assert report.status == "succeeded"
    assert beats[0] < beats[1] < beats[2]


def test_a_job_taken_over_stops_without_touching_the_store(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    fast = settings.model_copy(
        update={"harvest": settings.harvest.model_copy(update={"job_heartbeat_seconds": 0.05})}
    )

    async def run() -> Any:
        ListHarvester.gate = asyncio.Event()
        task = asyncio.create_task(
            run_harvest_async(
                store.sessions,
                source_id=source_id,
                settings=fast,
                fetcher=paged(page(item(1, wait=True), item(2))),
            )
        )
        await asyncio.sleep(0.1)
        with session_scope(store.sessions) as session:  # another process judged it stale
            job = session.scalars(select(HarvestJob)).one()
            job.status, job.error = "aborted", "taken over"
        await asyncio.sleep(0.2)
        ListHarvester.gate.set()
        return await task

    report = asyncio.run(run())
    assert report.status == "aborted" and "took the source over" in (report.error or "")
    with store.sessions() as session:
        assert count_datasets(session) == 0
        assert session.scalars(select(HarvestJob.error)).one() == "taken over"


def test_unknown_source_and_bad_limit(store: Store, settings: Settings) -> None:
    from catalog.exceptions import InputError, NotFound

    with pytest.raises(NotFound):
        harvest(store, settings, 999, paged(TEN))
    source_id = make_source(store)
    with pytest.raises(InputError, match="limit"):
        harvest(store, settings, source_id, paged(TEN), limit=0)
    with store.sessions() as session:
        assert session.execute(select(func.count()).select_from(HarvestJob)).scalar_one() == 0


def test_interrupted_run_is_marked_aborted(store: Store, settings: Settings) -> None:
    source_id = make_source(store)

    class Interrupting(FakeHttp):
        async def get(self, url: str, **kw: Any) -> Any:  # type: ignore[override]
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvest(store, settings, source_id, Interrupting({}))
    with store.sessions() as session:
        job = list_jobs(session)[0]
        assert job.status == "aborted" and job.finished_at is not None
    assert harvest(store, settings, source_id, paged(TEN)).status == "succeeded"


def test_heartbeat_beats_even_when_the_plugin_never_awaits(store: Store, settings: Settings) -> None:
    source_id = make_source(store)
    fast = settings.model_copy(
        update={"harvest": settings.harvest.model_copy(update={"job_heartbeat_seconds": 0.05})}
    )
    listing = page(*(item(n, block=0.02) for n in range(40)))  # 0.8 s of work, batches of 4
    report = harvest(store, fast, source_id, paged(listing))
    assert report.status == "succeeded" and report.counts["created"] == 40
    with store.sessions() as session:
        job = session.scalars(select(HarvestJob)).one()
        assert job.heartbeat_at is not None and job.started_at is not None
        assert (job.heartbeat_at - job.started_at).total_seconds() > 0.4


def test_store_failure_while_concluding_fails_the_job_instead_of_leaving_it_running(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog.harvest import runner

    source_id = make_source(store)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(runner, "plan_withdrawal", broken)
    report = harvest(store, settings, source_id, paged(TEN))
    assert report.status == "failed" and "the store went away" in (report.error or "")
    with store.sessions() as session:
        (job,) = list_jobs(session)
        assert job.status == "failed" and job.finished_at is not None
        assert count_datasets(session) == 10  # the batches written stay


CLAIM = """
import sys, time
from catalog.db.engine import make_engine, make_session_factory
from catalog.db.jobs import JobRunning
from catalog.harvest.lock import claim_job
factory = make_session_factory(make_engine(sys.argv[1]))
while time.time() < float(sys.argv[3]):
    pass
try:
    claim_job(factory, source_id=int(sys.argv[2]), stale_after=300)
    print("claimed")
except JobRunning:
    print("refused")
"""


def test_only_one_of_several_processes_claims_a_source(store: Store) -> None:
    import subprocess
    import sys
    import time

    source_id = make_source(store)
    start = time.time() + 2.0
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM, store.url, str(source_id), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    answers = [p.communicate(timeout=60) for p in processes]
    outcomes = sorted(out.strip() for out, _ in answers)
    assert outcomes == ["claimed", "refused", "refused", "refused"], [err[-300:] for _, err in answers]
    with store.sessions() as session:
        assert [job.status for job in list_jobs(session)] == ["running"]
