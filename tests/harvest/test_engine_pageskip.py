"""Unchanged pages are not parsed again: a page answered 304 whose records the engine remembers is only
touched (SQLite and PostgreSQL), with the real DCAT harvester and fetcher against a loopback feed."""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import FeedServer, assert_store_consistent, turtle_page
from sqlalchemy import select, update

import harvesters.dcat
from catalog.db.engine import session_scope
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, HarvestPage, Source, SourceRecord
from catalog.harvest.readers import PageReaders
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from catalog.services import upgrade_database
from catalog.settings import Settings

Store = Any


@pytest.fixture
def settings(store: Store) -> Settings:
    s = Settings(
        database={"url": store.url},
        harvest={"batch_size": 7, "withdraw_threshold": 0.2, "allow_private_networks": True, "retries": 0},
        catalog={"base_uri": "https://catalog.example/"},
    )
    upgrade_database(settings=s)
    return s


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The base IRIs of the pages the DCAT harvester parses (in this process or given to a page reader
    process), in order."""
    calls: list[str] = []
    real = harvesters.dcat.parse_feed
    real_submit = PageReaders.submit

    def counting(data: bytes, **kwargs: Any) -> Any:
        calls.append(kwargs["base_iri"])
        return real(data, **kwargs)

    async def counting_submit(self: PageReaders, func: Any, request: Any, *, label: str) -> Any:
        calls.append(request.url)
        return await real_submit(self, func, request, label=label)

    monkeypatch.setattr(harvesters.dcat, "parse_feed", counting)
    monkeypatch.setattr(PageReaders, "submit", counting_submit)
    return calls


def _source(store: Store, settings: Settings, url: str) -> int:
    return add_source(store.sessions, settings, name="Gent", kind="dcat", url=url, municipality="44021")


def _run(store: Store, settings: Settings, source_id: int, **kwargs: Any) -> Any:
    return run_harvest(store.sessions, source_id=source_id, settings=settings, **kwargs)


def _stamps(store: Store) -> dict[int, Any]:
    with store.sessions() as session:
        return dict(session.execute(select(DatasetRow.id, DatasetRow.updated_at)).all())


def _jobs_of_records(store: Store) -> set[int | None]:
    with store.sessions() as session:
        return set(session.scalars(select(SourceRecord.last_job_id)))


def test_unchanged_rerun_parses_no_page_and_writes_no_dataset(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = _source(store, settings, server.url)
        assert _run(store, settings, source_id).counts["created"] == 30
        assert len(parsed) == 3
        stamps = _stamps(store)
        parsed.clear()
        again = _run(store, settings, source_id)
        assert server.statuses[3:] == [304, 304, 304]
    assert again.status == "succeeded", again.summary()
    assert parsed == [], "no page was parsed"
    assert again.counts["unchanged"] == 30 and again.processed == 30
    assert _stamps(store) == stamps, "no dataset row was written"
    assert _jobs_of_records(store) == {again.job_id}, "every record was marked seen by the re-run"
    with store.sessions() as session:
        assert count_datasets(session) == 30
        assert_store_consistent(session)


def test_a_changed_page_alone_is_parsed_again(store: Store, settings: Settings, parsed: list[str]) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = _source(store, settings, server.url)
        _run(store, settings, source_id)
        server.broken[2] = turtle_page(range(10, 20), next_url=f"{server.url}?page=3", title="Nieuw")
        parsed.clear()
        changed = _run(store, settings, source_id)
        assert parsed == [f"{server.url}?page=2"]
        assert changed.status == "succeeded" and changed.counts["updated"] == 10
        assert changed.counts["unchanged"] == 20
        parsed.clear()
        quiet = _run(store, settings, source_id)
    assert parsed == [], "the changed page is remembered after it was read"
    assert quiet.counts["unchanged"] == 30
    with store.sessions() as session:
        titles = list(session.scalars(select(DatasetRow.title)))
        assert sum(1 for t in titles if t and t.startswith("Nieuw")) == 10


def test_withdrawal_after_a_rerun_that_skipped_pages(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = _source(store, settings, server.url)
        _run(store, settings, source_id)
        _run(store, settings, source_id)
        server.broken[3] = turtle_page(range(20, 28), next_url=None)
        parsed.clear()
        report = _run(store, settings, source_id)
    assert parsed == [f"{server.url}?page=3"]
    assert report.status == "succeeded" and report.counts["withdrawn"] == 2, report.summary()
    assert report.counts["unchanged"] == 28
    with store.sessions() as session:
        assert count_datasets(session) == 28
        gone = session.scalars(select(SourceRecord.remote_id).where(SourceRecord.withdrawn_at.is_not(None)))
        assert sorted(gone) == ["https://data.example.be/dataset/28", "https://data.example.be/dataset/29"]
        assert_store_consistent(session)


def test_a_page_with_a_skipped_record_is_parsed_every_time(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    blank = (
        b'\n[] a <http://www.w3.org/ns/dcat#Dataset> ; <http://purl.org/dc/terms/title> "Zonder IRI"@nl .\n'
    )
    with FeedServer(pages=2, per_page=5, etag=True) as server:
        server.broken[2] = turtle_page(range(5, 10), next_url=None) + blank
        source_id = _source(store, settings, server.url)
        _run(store, settings, source_id)
        parsed.clear()
        report = _run(store, settings, source_id)
    assert parsed == [f"{server.url}?page=2"], "only the page with a record not stored is read again"
    assert report.counts["unchanged"] == 10 and report.counts["skipped"] == 1


def test_changed_options_or_a_withdrawn_record_mean_parsing(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    with FeedServer(pages=2, per_page=5, etag=True) as server:
        source_id = _source(store, settings, server.url)
        _run(store, settings, source_id)
        with session_scope(store.sessions) as session:
            source = session.get(Source, source_id)
            assert source is not None
            source.options = {"format": "turtle"}
        parsed.clear()
        assert _run(store, settings, source_id).counts["unchanged"] == 10
        assert len(parsed) == 2, "other options: every page is read again"
        with session_scope(store.sessions) as session:
            session.execute(
                update(SourceRecord)
                .where(SourceRecord.remote_id == "https://data.example.be/dataset/7")
                .values(content_hash=None)
            )
        parsed.clear()
        report = _run(store, settings, source_id)
    assert parsed == [f"{server.url}?page=2"], "a record marked for rewriting: its page is read again"
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 9


def test_dry_run_and_limit_run_keep_the_store_and_the_memory(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = _source(store, settings, server.url)
        first = _run(store, settings, source_id)
        parsed.clear()
        dry = _run(store, settings, source_id, dry_run=True)
        assert parsed == [] and dry.counts["unchanged"] == 30 and dry.job_id is None
        assert _jobs_of_records(store) == {first.job_id}, "a dry run marks nothing"
        limited = _run(store, settings, source_id, limit=5)
        assert limited.status == "partial" and limited.counts["unchanged"] == 5
        parsed.clear()
        full = _run(store, settings, source_id)
    assert parsed == [] and full.counts["unchanged"] == 30
    with store.sessions() as session:
        assert session.scalars(select(HarvestPage.produced)).all().count(None) == 0


def test_a_failed_run_withdraws_nothing_and_the_next_one_completes(
    store: Store, settings: Settings, parsed: list[str]
) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = _source(store, settings, server.url)
        _run(store, settings, source_id)
        server.broken[3] = (
            b'@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/a> dct:title "open\n'
        )
        parsed.clear()
        failed = _run(store, settings, source_id)
        assert failed.status == "failed" and failed.counts["withdrawn"] == 0
        assert f"{server.url}?page=3" in (failed.error or "")
        assert parsed == [f"{server.url}?page=3"], "pages 1 and 2 were skipped"
        del server.broken[3]
        parsed.clear()
        report = _run(store, settings, source_id)
    assert parsed == [f"{server.url}?page=3"]
    assert report.status == "succeeded" and report.counts["unchanged"] == 30
    with store.sessions() as session:
        assert count_datasets(session) == 30
        assert_store_consistent(session)
