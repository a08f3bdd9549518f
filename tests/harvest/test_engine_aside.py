"""Pages stored by the page readers that read them (``harvest.store_in_readers``, ``catalog.harvest.aside``):
the same store, counts and log as storing them in the harvesting process, pages stored in feed order,
duplicates across pages skipped, and a reader killed while it stores leaves whole batches that the next
run completes; on an SQLite file (writer sessions) and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_support import FeedServer, assert_store_consistent, reader_settings, turtle_page
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import make_session_factory
from catalog.db.quality_tables import DatasetQuality
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, HarvestJobRecord, HarvestPage, SourceRecord
from catalog.harvest.readers import PageReaders
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from catalog.harvest.sync import AGAIN
from catalog.services import upgrade_database
from catalog.settings import Settings
from harvesters.base import HarvestedRecord
from harvesters.dcat import PageResult, page_records

Store = Any


def _settings(store: Store, *, aside: bool, workers: int = 2) -> Settings:
    return reader_settings(store.url, workers, store_in_readers=aside)


@pytest.fixture
def writers(store: Store) -> sessionmaker[Session]:
    """Writer sessions (``BEGIN IMMEDIATE`` on SQLite), as the ``catalog`` command and the workers use."""
    return make_session_factory(store.engine, writer=True)


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(task name, page URL) of every page given to a page reader process, in order."""
    given: list[tuple[str, str]] = []
    real = PageReaders.submit

    async def recording(self: PageReaders, func: Any, request: Any, *, label: str) -> Any:
        given.append((func.__name__, label))
        return await real(self, func, request, label=label)

    monkeypatch.setattr(PageReaders, "submit", recording)
    return given


def _third_page(url: str) -> bytes:
    """Page 3: datasets 20-29, dataset 3 of page 1 listed again, and a description without IRI or
    identifier (skipped)."""
    body = turtle_page(range(20, 30), next_url=None).decode()
    extra = (
        '<https://data.example.be/dataset/3> a dcat:Dataset ; dct:title "Again 3"@nl .\n'
        '[] a dcat:Dataset ; dct:title "Nameless"@nl .\n'
    )
    return (body + "\n" + extra).encode()


def _log(factory: sessionmaker[Session], job_id: int | None) -> list[tuple[str | None, str, str | None]]:
    """(remote id, action, reason) of the job's log lines, sorted (blank node labels, which differ from
    one parse to the next, as ``_:``)."""
    r = HarvestJobRecord.__table__.c
    with factory() as session:
        rows = session.execute(select(r.remote_id, r.action, r.reason).where(r.job_id == job_id)).all()

    def label(remote_id: str | None) -> str | None:
        return "_:" if remote_id is not None and remote_id.startswith("_:") else remote_id

    return sorted((label(row.remote_id), row.action, row.reason) for row in rows)


def _state(factory: sessionmaker[Session], source_id: int) -> dict[str, Any]:
    """What the store holds of a source's records, keyed by remote id: the dataset's record, hash, search
    text and facet of municipality, its quality, the raw record's hash (row ids, URIs and times left out)."""
    d, q, sr = DatasetRow.__table__.c, DatasetQuality.__table__.c, SourceRecord.__table__.c
    query = (
        select(sr.remote_id, sr.is_owner, sr.raw_hash, d.record, d.content_hash, d.search_text,
               d.municipality_nis, q.score, q.band, q.violations, q.warnings)
        .join(DatasetRow, DatasetRow.id == sr.dataset_id)
        .outerjoin(DatasetQuality, DatasetQuality.dataset_id == sr.dataset_id)
        .where(sr.source_id == source_id)
    )  # fmt: skip
    with factory() as session:
        return {row.remote_id: tuple(row[1:]) for row in session.execute(query)}


def test_readers_store_their_pages_as_the_harvesting_process_would(
    store: Store, writers: sessionmaker[Session], tasks: list[tuple[str, str]]
) -> None:
    aside, here = _settings(store, aside=True), _settings(store, aside=False)
    upgrade_database(settings=aside)
    results = {}
    with FeedServer(pages=3, per_page=10) as server:
        server.broken[3] = _third_page(server.url)
        for name, settings in (("aside", aside), ("here", here)):
            source_id = add_source(
                writers, settings, name=name, kind="dcat", url=server.url, municipality="44021"
            )
            tasks.clear()
            report = run_harvest(writers, source_id=source_id, settings=settings)
            assert report.status == "succeeded", report.summary()
            given = [task for task, _ in tasks]
            assert given == (["store_page"] * 2 if name == "aside" else ["read_page"] * 2)
            log = _log(writers, report.job_id)
            results[name] = (
                {k: n for k, n in report.counts.items() if n},
                dict(report.quality),
                log,
                _state(writers, source_id),
            )
            with writers() as session:  # the second source must create its own datasets
                session.execute(
                    update(DatasetRow).values(uri=DatasetRow.uri + "#" + name, slug=DatasetRow.slug + name)
                )
                session.commit()
    assert results["aside"] == results["here"]
    counts, quality, log, state = results["aside"]
    assert len(state) == 30 and all(row[6] is not None for row in state.values()), "stored and scored"
    assert counts == {"created": 30, "skipped": 2}
    assert quality["scored"] == 30
    skipped = [line for line in log if line[1] == "skipped"]
    assert ("https://data.example.be/dataset/3", "skipped", AGAIN) in skipped
    assert any("no IRI and no dct:identifier" in (reason or "") for _, _, reason in skipped)
    assert sum(1 for line in log if line[1] == "created") == 30
    with writers() as session:
        assert count_datasets(session) == 60
        assert_store_consistent(session)


def test_an_unchanged_rerun_of_pages_stored_aside_writes_nothing(
    store: Store, writers: sessionmaker[Session], tasks: list[tuple[str, str]]
) -> None:
    settings = _settings(store, aside=True)
    upgrade_database(settings=settings)
    with FeedServer(pages=4, per_page=10) as server:
        source_id = add_source(writers, settings, name="Gent", kind="dcat", url=server.url)
        first = run_harvest(writers, source_id=source_id, settings=settings)
        assert first.status == "succeeded" and first.counts["created"] == 40, first.summary()
        with writers() as session:  # every page parsed again, every record compared
            session.execute(HarvestPage.__table__.delete())
            session.commit()
        with writers() as session:
            before = dict(session.execute(select(DatasetRow.uri, DatasetRow.updated_at)).all())
        tasks.clear()
        second = run_harvest(writers, source_id=source_id, settings=settings)
    assert second.status == "succeeded", second.summary()
    assert {k: n for k, n in second.counts.items() if n} == {"unchanged": 40}
    assert [task for task, _ in tasks] == ["store_page"] * 3
    with writers() as session:
        assert dict(session.execute(select(DatasetRow.uri, DatasetRow.updated_at)).all()) == before
        assert_store_consistent(session)


class _DiesWhileStoring(HarvestedRecord):
    """A record whose storing kills the page reader process (the writer looks at ``record``)."""

    def __getattribute__(self, name: str) -> Any:
        if name == "record":
            os._exit(9)
        return super().__getattribute__(name)


def _dying_records(result: PageResult, url: str) -> list[HarvestedRecord]:
    records = page_records(result, url)
    if url.endswith("page=3"):  # batches of 7: three whole batches of page 3, then the reader dies
        victim = records[23]
        records[23] = _DiesWhileStoring(victim.remote_id, victim.raw, victim.raw_format, victim.record)
    return records


def test_a_reader_killed_while_it_stores_leaves_whole_batches_and_the_next_run_completes(
    store: Store, writers: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(store, aside=True)
    upgrade_database(settings=settings)
    import harvesters.dcat as dcat

    with FeedServer(pages=4, per_page=25) as server:
        source_id = add_source(writers, settings, name="Gent", kind="dcat", url=server.url)
        monkeypatch.setattr(dcat, "page_records", _dying_records)  # read in this process: given by name
        first = run_harvest(writers, source_id=source_id, settings=settings)
        assert first.status == "failed"
        assert first.error is not None and f"{server.url}?page=3: the page reader process died" in first.error
        with writers() as session:
            stored = count_datasets(session)
            assert_store_consistent(session)
        assert stored == 25 + 25 + 21, "pages 1 and 2 and the three whole batches of page 3"
        assert first.counts["withdrawn"] == 0
        monkeypatch.undo()
        second = run_harvest(writers, source_id=source_id, settings=settings)
    assert second.status == "succeeded", second.summary()
    assert second.counts["created"] == 100 - stored
    with writers() as session:
        assert count_datasets(session) == 100
        assert_store_consistent(session)


def _notices_when_the_harvester_goes(request: str, head: Callable[[Any], None]) -> str:
    """A task that is answered, then waits (at most 10 s) until the harvesting process's end of the pipe
    closes, and leaves a mark in the file ``request``."""
    from catalog.harvest.readers import ask, harvester_gone

    head(None)
    answer = ask("may I?")
    for _ in range(1000):
        if harvester_gone():
            Path(request).write_text(f"gone after {answer}")
            break
        time.sleep(0.01)
    return "done"


def test_a_reader_sees_that_the_harvesting_process_went_away(tmp_path: Path) -> None:
    """What keeps a page reader from committing a batch for a harvest that was killed meanwhile."""
    mark = tmp_path / "mark.txt"

    async def scenario() -> None:
        async with PageReaders(1) as readers:
            ticket = await readers.submit(_notices_when_the_harvester_goes, str(mark), label="page")
            assert await ticket.question() == "may I?"
            ticket.answer("yes")
            await asyncio.sleep(0.2)
            assert not mark.exists(), "the harvesting process is still there"
            # The end of the pipe closes as when the harvesting process dies (its receiving thread keeps the
            # descriptor itself open, so the socket is shut down, which the reader sees the same way).
            end = socket.socket(fileno=os.dup(ticket._worker.conn.fileno()))
            end.shutdown(socket.SHUT_WR)
            end.close()
            for _ in range(500):
                if mark.exists():
                    break
                await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert mark.read_text() == "gone after yes"
