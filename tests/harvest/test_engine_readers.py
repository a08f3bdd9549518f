"""Pages read in worker processes (``harvest.parse_workers``): the same store as reading them in the
harvesting process, a reader that dies fails the job clearly, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from engine_support import FeedServer, assert_store_consistent, reader_settings
from sqlalchemy import delete, select, update

from catalog.db.facets import FACET_TABLES
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, HarvestPage, RawRecord, SourceRecord
from catalog.db.types import unpack_raw
from catalog.harvest.readers import PageReaders
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from catalog.services import upgrade_database
from catalog.settings import Settings
from harvesters.dcat import DcatHarvester, PageRequest, PageResult, read_page

Store = Any
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _settings(store: Store, workers: int) -> Settings:
    return reader_settings(store.url, workers)


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages given to a page reader process, in order."""
    urls: list[str] = []
    real = PageReaders.submit

    async def counting(self: PageReaders, func: Any, request: Any, *, label: str) -> Any:
        urls.append(label)
        return await real(self, func, request, label=label)

    monkeypatch.setattr(PageReaders, "submit", counting)
    return urls


@pytest.fixture(scope="module")
def generated_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The benchmark's generated feed (rich records: two languages, keywords, three distributions,
    municipalities), 60 datasets in Turtle pages of 25 linked by ``hydra:next``."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from generate_feed import generate
        from harvest_bench import split_pages
    finally:
        sys.path.remove(str(BENCHMARKS))
    folder = tmp_path_factory.mktemp("generated")
    feed = folder / "feed.ttl"
    generate(60, feed, format="turtle")
    split_pages(feed, folder / "pages", page_size=25)
    return folder / "pages"


@pytest.fixture
def pages_url(generated_pages: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(generated_pages)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/page-00001.ttl"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


def _stored(store: Store) -> dict[str, Any]:
    """Everything a harvest stores of its datasets, keyed by URI and remote id (not by row id)."""
    d = DatasetRow.__table__.c
    with store.sessions() as session:
        rows = session.execute(
            select(
                d.id, d.uri, d.slug, d.kind, d.record, d.content_hash, d.title, d.modified,
                d.municipality_nis, d.search_title, d.search_keywords, d.search_text, d.search_stems,
            )
        ).all()  # fmt: skip
        uri_of = {row.id: row.uri for row in rows}
        datasets = {row.uri: tuple(row[1:]) for row in rows}
        facets = {
            name: sorted(
                (uri_of[r.dataset_id], *(v for k, v in r._mapping.items() if k not in {"id", "dataset_id"}))
                for r in session.execute(select(table))
            )
            for name, table in FACET_TABLES.items()
        }
        raw = {
            remote_id: unpack_raw(data, compression)
            for remote_id, data, compression in session.execute(
                select(SourceRecord.remote_id, RawRecord.raw, RawRecord.compression).join(
                    RawRecord, RawRecord.source_record_id == SourceRecord.id
                )
            )
        }
        hashes = dict(session.execute(select(SourceRecord.remote_id, SourceRecord.raw_hash)).all())
    return {"datasets": datasets, "facets": facets, "raw": raw, "raw_hashes": hashes}


def test_readers_store_what_the_harvesting_process_stores(
    store: Store, pages_url: str, submitted: list[str]
) -> None:
    pooled, inline = _settings(store, 2), _settings(store, 0)
    upgrade_database(settings=pooled)
    source_id = add_source(
        store.sessions, pooled, name="Gen", kind="dcat", url=pages_url, municipality="44021"
    )
    first = run_harvest(store.sessions, source_id=source_id, settings=pooled)
    assert first.status == "succeeded", first.summary()
    assert first.counts["created"] == 60
    assert len(submitted) == 2 and pages_url not in submitted, "pages 2 and 3 went to page readers"
    by_readers = _stored(store)
    assert len(by_readers["datasets"]) == 60 and by_readers["facets"]["municipality"]
    with store.sessions() as session:  # make the next run write every dataset and raw record again
        session.execute(update(SourceRecord).values(content_hash="x", raw_hash="x"))
        session.execute(delete(HarvestPage))  # and parse every page again
        session.commit()
    submitted.clear()
    second = run_harvest(store.sessions, source_id=source_id, settings=inline)
    assert second.status == "succeeded", second.summary()
    assert second.counts["updated"] == 60 and not submitted, "read in the harvesting process"
    assert _stored(store) == by_readers
    with store.sessions() as session:
        assert count_datasets(session) == 60
        assert_store_consistent(session)


def _dies_on_page_two(request: PageRequest, head: Callable[[Any], None]) -> PageResult:
    if request.url.endswith("page=2"):
        os._exit(3)
    return read_page(request, head)


class _DyingDcat(DcatHarvester):
    def read_task(self) -> Callable[[PageRequest, Callable[[Any], None]], PageResult]:
        return _dies_on_page_two


def test_a_page_reader_that_dies_fails_the_job_naming_the_page(store: Store, submitted: list[str]) -> None:
    settings = _settings(store, 2)
    upgrade_database(settings=settings)
    with FeedServer(pages=3, per_page=10) as server:
        source_id = add_source(store.sessions, settings, name="Gent", kind="dcat", url=server.url)
        report = run_harvest(store.sessions, source_id=source_id, settings=settings, harvester=_DyingDcat)
    assert report.status == "failed"
    assert report.error is not None
    assert f"{server.url}?page=2: the page reader process died (exit code 3)" in report.error
    assert report.counts["created"] == 10, "page 1 was stored"
    assert report.counts["withdrawn"] == 0
    with store.sessions() as session:
        assert count_datasets(session) == 10
        assert_store_consistent(session)
    assert submitted[:1] == [f"{server.url}?page=2"], "page 1 was read in the harvesting process"


def test_a_one_page_feed_starts_no_page_reader(store: Store, submitted: list[str]) -> None:
    settings = _settings(store, 2)
    upgrade_database(settings=settings)
    with FeedServer(pages=1, per_page=10) as server:
        source_id = add_source(store.sessions, settings, name="Gent", kind="dcat", url=server.url)
        report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert report.status == "succeeded" and report.counts["created"] == 10
    assert submitted == [], "a portal of one page is read in the harvesting process"


def test_opening_the_pool_starts_the_forkserver_and_no_reader() -> None:
    """The forkserver's imports (about half a second) overlap the first page's reading: opening a pool
    starts it in the background, but no reader process until a task comes. Checked in a fresh interpreter,
    since a forkserver, once started, serves the whole process."""
    import subprocess

    code = (
        "import asyncio\n"
        "from multiprocessing import forkserver\n"
        "from catalog.harvest.readers import PageReaders\n"
        "async def main():\n"
        "    pool = PageReaders(2, preload=('harvesters.dcat',))\n"
        "    async with pool:\n"
        "        await pool._warming\n"
        "        print(forkserver._forkserver._forkserver_pid is not None, pool.started)\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "0"]


def test_a_limit_stops_the_readers(store: Store, submitted: list[str]) -> None:
    settings = _settings(store, 2)
    upgrade_database(settings=settings)
    with FeedServer(pages=4, per_page=10) as server:
        source_id = add_source(store.sessions, settings, name="Gent", kind="dcat", url=server.url)
        report = run_harvest(store.sessions, source_id=source_id, settings=settings, limit=15)
    assert report.status == "partial" and report.counts["created"] == 15
    assert len(submitted) <= 3, "at most two pages read ahead of the one being stored"
    with store.sessions() as session:
        assert count_datasets(session) == 15


def test_page_two_goes_to_a_reader_while_page_one_is_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next page is fetched and given to a reader as soon as the first is parsed, not once its records
    are all stored: the readers start and read while the harvesting process stores page 1."""
    settings = _settings(store, 2)
    upgrade_database(settings=settings)
    stored_at_submit: list[int] = []
    real = PageReaders.submit

    async def counting(self: PageReaders, func: Any, request: Any, *, label: str) -> Any:
        with store.sessions() as session:
            stored_at_submit.append(count_datasets(session))
        return await real(self, func, request, label=label)

    monkeypatch.setattr(PageReaders, "submit", counting)
    with FeedServer(pages=2, per_page=140) as server:
        source_id = add_source(store.sessions, settings, name="Gent", kind="dcat", url=server.url)
        report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert report.status == "succeeded" and report.counts["created"] == 280
    assert len(stored_at_submit) == 1
    assert stored_at_submit[0] < 140 - 7, "page 2 was given to a reader before page 1's last batch"
