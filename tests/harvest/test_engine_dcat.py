"""End to end: the engine with the real DCAT harvester and the real fetcher against a loopback feed server,
on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import FeedServer, assert_store_consistent
from sqlalchemy import func, select

from catalog.db.engine import session_scope
from catalog.db.jobs import list_job_records, list_jobs
from catalog.db.queries import count_datasets
from catalog.db.sources import create_source
from catalog.db.tables import DatasetRow, HarvestPage
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
    upgrade_database(settings=s)  # loads the municipalities the records point at
    return s


def dcat_source(store: Store, settings: Settings, url: str) -> int:
    return add_source(store.sessions, settings, name="Gent", kind="dcat", url=url, municipality="44021")


def test_paged_feed_then_unchanged_rerun_with_conditional_get(store: Store, settings: Settings) -> None:
    with FeedServer(pages=3, per_page=10, etag=True) as server:
        source_id = dcat_source(store, settings, server.url)
        first = run_harvest(store.sessions, source_id=source_id, settings=settings)
        assert first.status == "succeeded", first.summary()
        assert first.counts["created"] == 30 and first.complete
        with store.sessions() as session:
            stamps = dict(session.execute(select(DatasetRow.id, DatasetRow.updated_at)).all())
            assert session.execute(select(func.count()).select_from(HarvestPage)).scalar_one() == 3
        second = run_harvest(store.sessions, source_id=source_id, settings=settings)
        assert second.status == "succeeded" and second.counts["unchanged"] == 30
        assert server.statuses == [200, 200, 200, 304, 304, 304], "the second run sent the validators"
    with store.sessions() as session:
        assert dict(session.execute(select(DatasetRow.id, DatasetRow.updated_at)).all()) == stamps
        assert count_datasets(session) == 30
        created = list_job_records(session, job_id=first.job_id, action="created", limit=100)
        assert len(created) == 30 and all(line.url and "feed.ttl" in line.url for line in created)
        assert_store_consistent(session)


def test_malformed_page_two_of_three(store: Store, settings: Settings) -> None:
    with FeedServer(pages=3, per_page=10) as server:
        source_id = dcat_source(store, settings, server.url)
        assert run_harvest(store.sessions, source_id=source_id, settings=settings).counts["created"] == 30
        server.broken[2] = (
            b'@prefix dct: <http://purl.org/dc/terms/> .\n<https://x.example/a> dct:title "open\n'
        )
        server.title = "Nieuw"
        report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert report.status == "failed" and report.counts["withdrawn"] == 0
    assert f"{server.url}?page=2" in (report.error or ""), report.error
    assert report.counts["updated"] == 10, "page 1's records were stored"
    with store.sessions() as session:
        assert count_datasets(session) == 30
        titles = list(session.scalars(select(DatasetRow.title)))
        assert sum(1 for t in titles if t and t.startswith("Nieuw")) == 10
        job = list_jobs(session)[0]
        assert job.status == "failed" and "page=2" in (job.error or "")
        assert_store_consistent(session)


def test_empty_feed_withdraws_nothing(store: Store, settings: Settings) -> None:
    with FeedServer(pages=1, per_page=10) as server:
        source_id = dcat_source(store, settings, server.url)
        run_harvest(store.sessions, source_id=source_id, settings=settings)
        server.per_page = 0
        report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert report.status == "partial" and report.counts["withdrawn"] == 0 and report.held_withdrawals == 10
    with store.sessions() as session:
        assert count_datasets(session) == 10


def test_unreachable_source_fails_the_job_with_the_url(store: Store, settings: Settings) -> None:
    with session_scope(store.sessions) as session:
        source = create_source(session, name="Weg", kind="dcat", url="http://127.0.0.1:9/feed.ttl")
        session.flush()
        source_id = source.id
    report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert report.status == "failed" and "127.0.0.1:9/feed.ttl" in (report.error or "")
    with store.sessions() as session:
        assert list_jobs(session)[0].status == "failed"


def test_private_address_is_refused_when_saving_a_source(store: Store, settings: Settings) -> None:
    from catalog.exceptions import InputError

    strict = settings.model_copy(
        update={"harvest": settings.harvest.model_copy(update={"allow_private_networks": False})}
    )
    with pytest.raises(InputError, match="internal address"):
        dcat_source(store, strict, "http://127.0.0.1:8080/feed.ttl")
    with pytest.raises(InputError, match="allow_file_urls"):
        dcat_source(store, strict, "file:///etc/hosts")
