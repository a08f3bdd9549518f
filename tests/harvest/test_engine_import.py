"""``catalog import URL`` is a harvest of a dcat source: Hydra paging, and no source left behind when the
first harvest fails (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from engine_support import FeedServer
from sqlalchemy import func, select

from catalog.db.jobs import list_jobs
from catalog.db.queries import count_datasets
from catalog.db.tables import Source
from catalog.exceptions import FeedError
from catalog.services import import_location, upgrade_database
from catalog.settings import Settings

Store = Any


@pytest.fixture
def settings(store: Store) -> Settings:
    s = Settings(
        database={"url": store.url},
        harvest={"batch_size": 8, "allow_private_networks": True, "retries": 0},
        catalog={"base_uri": "https://catalog.example/"},
    )
    upgrade_database(settings=s)
    return s


def _sources(store: Store) -> int:
    with store.sessions() as session:
        return int(session.execute(select(func.count()).select_from(Source)).scalar_one())


def test_url_import_follows_the_pages_and_reruns_unchanged(store: Store, settings: Settings) -> None:
    with FeedServer(pages=3, per_page=10) as server:
        first = import_location(server.url, settings=settings)
        assert first.status == "succeeded" and first.counts["created"] == 30
        again = import_location(server.url, settings=settings)
        assert again.counts["unchanged"] == 30
    assert len(server.requests) == 6
    with store.sessions() as session:
        assert count_datasets(session) == 30
        assert [job.status for job in list_jobs(session)] == ["succeeded", "succeeded"]
    assert _sources(store) == 1


def test_failed_first_import_leaves_no_source(store: Store, settings: Settings) -> None:
    with (
        FeedServer(pages=1, per_page=3, broken={1: b"@prefix broken"}) as server,
        pytest.raises(FeedError) as err,
    ):
        import_location(server.url, settings=settings)
    assert server.url in str(err.value)
    assert _sources(store) == 0


def test_failed_later_import_is_reported_and_keeps_the_source(store: Store, settings: Settings) -> None:
    with FeedServer(pages=2, per_page=3) as server:
        import_location(server.url, settings=settings)
        server.broken[2] = b"@prefix broken"
        report = import_location(server.url, settings=settings)
    assert report.status == "failed" and "page=2" in (report.error or "")
    assert _sources(store) == 1
    with store.sessions() as session:
        assert count_datasets(session) == 6
