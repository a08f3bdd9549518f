"""Fault tests through ``run_harvest`` with the real DCAT harvester and the real fetcher, on both stores.

Every test first harvests a clean three-page feed (Hydra ``PartialCollectionView`` / ``next``) served on
127.0.0.1, then serves one fault on the second run and checks the job, the store (every dataset of the
first run still there and live, none half-written, none rewritten) and that a third, clean run succeeds
with every dataset present once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from engine_support import assert_store_consistent
from sqlalchemy import func, select

from catalog.db.jobs import list_jobs
from catalog.db.tables import DatasetRow, SourceRecord
from catalog.harvest.report import HarvestReport
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from catalog.services import upgrade_database
from catalog.settings import Settings

Store = Any

PAGES, PER_PAGE = 3, 10
DATASETS = PAGES * PER_PAGE
MAX_BYTES = 64 * 1024
READ_TIMEOUT = 0.4
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
"""
MALFORMED = PREFIXES.encode() + b'<https://data.example.be/dataset/x> dct:title "never closed\n'
EMPTY = PREFIXES.encode() + b"<https://data.example.be/catalog> a dcat:Catalog .\n"
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
XML_BOMB = (
    '<?xml version="1.0"?>\n'
    f'<!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{LAUGHS}]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">\n'
    '<dcat:Dataset rdf:about="https://data.example.be/dataset/bomb"><dct:title>&l9;</dct:title>'
    "</dcat:Dataset></rdf:RDF>\n"
).encode()


def feed_page(number: int, base: str, *, next_url: str | None) -> bytes:
    """Page ``number`` (1-based) of the feed: ``PER_PAGE`` datasets and, unless last, a Hydra next link."""
    self_url = base if number == 1 else f"{base}?page={number}"
    parts = [PREFIXES]
    if next_url:
        parts.append(f"<{self_url}> a hydra:PartialCollectionView ; hydra:next <{next_url}> .\n")
    for n in range((number - 1) * PER_PAGE, number * PER_PAGE):
        parts.append(
            f"""<https://data.example.be/dataset/{n}> a dcat:Dataset ;
  dct:identifier "{n}" ; dct:title "Dataset {n}"@nl ; dct:description "Beschrijving {n}"@nl ;
  dcat:keyword "test"@nl ; dct:spatial <https://data.vlaanderen.be/id/gemeente/44021> .
"""
        )
    return "\n".join(parts).encode()


Fault = Callable[[BaseHTTPRequestHandler, "FaultFeed", int], None]
"""Answers one request for page N in place of the normal page."""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # the client gave up on a slow or broken answer: expected here


class FaultFeed:
    """The feed at ``/feed.ttl`` (page 1) and ``/feed.ttl?page=N``; ``faults[N]`` answers page N instead.

    A fault is a list of answers taken in turn, the last one repeated. ``requests`` lists every path asked.
    """

    def __init__(self) -> None:
        self.faults: dict[int, list[Fault]] = {}
        self.requests: list[str] = []
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path.startswith("/hop/"):
                    return self._redirect(f"/hop/{int(parts.path.rsplit('/', 1)[1]) % 2 + 1}")
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                queue = owner.faults.get(number)
                if queue:
                    fault = queue.pop(0) if len(queue) > 1 else queue[0]
                    return fault(self, owner, number)
                return send(self, owner.page(number))

            def _redirect(self, location: str) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.base}/feed.ttl"

    def page_url(self, number: int) -> str:
        return self.url if number == 1 else f"{self.url}?page={number}"

    def page(self, number: int, *, next_url: str | None = None) -> bytes:
        if next_url is None and number < PAGES:
            next_url = self.page_url(number + 1)
        return feed_page(number, self.url, next_url=next_url)

    def __enter__(self) -> FaultFeed:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "text/turtle; charset=utf-8",
    length: int | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)


def send_page(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, feed.page(number))


def http_500(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, b"internal error", status=500, content_type="text/plain")


def too_slow(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    time.sleep(READ_TIMEOUT * 3)
    send(handler, feed.page(number))


def cut_off(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    body = feed.page(number)
    handler.send_response(200)
    handler.send_header("Content-Type", "text/turtle")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2])
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def malformed(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, MALFORMED)


def xml_bomb(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, XML_BOMB, content_type="application/rdf+xml")


def too_large_declared(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    body = feed.page(number) + b"# padding\n" * (MAX_BYTES // 5)
    send(handler, body)


def too_large_streamed(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    """No Content-Length: the body ends when the connection closes, so only counting can stop it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/turtle")
    handler.end_headers()
    handler.wfile.write(feed.page(number))
    for _ in range(MAX_BYTES // 4096 * 2):
        handler.wfile.write(b"#" * 4095 + b"\n")
    handler.close_connection = True


def redirect_loop(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    handler.send_response(302)
    handler.send_header("Location", "/hop/1")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def next_back_to_page_one(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, feed.page(number, next_url=feed.page_url(1)))


def empty_catalogue(handler: BaseHTTPRequestHandler, feed: FaultFeed, number: int) -> None:
    send(handler, EMPTY)


@pytest.fixture
def settings(store: Store) -> Settings:
    s = Settings(
        database={"url": store.url},
        harvest={
            "batch_size": 7,
            "withdraw_threshold": 0.2,
            "allow_private_networks": True,
            "retries": 1,
            "retry_max_wait": 0.05,
            "connect_timeout": 1.0,
            "read_timeout": READ_TIMEOUT,
            "request_timeout": 4.0,
            "max_redirects": 5,
            "max_response_bytes": MAX_BYTES,
        },
        catalog={"base_uri": "https://catalog.example/"},
    )
    upgrade_database(settings=s)  # loads the municipalities the records point at
    return s


@pytest.fixture
def feed() -> Iterator[FaultFeed]:
    with FaultFeed() as server:
        yield server


Snapshot = dict[str, tuple[datetime, str, str]]


def snapshot(store: Store) -> Snapshot:
    """Every live dataset by URI: (updated_at, content hash, record)."""
    with store.sessions() as session:
        rows = session.execute(
            select(DatasetRow.uri, DatasetRow.updated_at, DatasetRow.content_hash, DatasetRow.record).where(
                DatasetRow.withdrawn_at.is_(None)
            )
        ).all()
    return {uri: (updated, digest, record) for uri, updated, digest, record in rows}


def harvest(store: Store, settings: Settings, source_id: int) -> HarvestReport:
    started = time.monotonic()
    report = run_harvest(store.sessions, source_id=source_id, settings=settings)
    assert time.monotonic() - started < 5, "a fault must not hold a run up"
    return report


def clean_first_run(store: Store, settings: Settings, feed: FaultFeed) -> tuple[int, Snapshot]:
    source_id = add_source(
        store.sessions, settings, name="Gent", kind="dcat", url=feed.url, municipality="44021"
    )
    first = harvest(store, settings, source_id)
    assert first.status == "succeeded", first.summary()
    assert first.counts["created"] == DATASETS
    before = snapshot(store)
    assert len(before) == DATASETS
    return source_id, before


def assert_store_kept(store: Store, before: Snapshot, report: HarvestReport) -> None:
    """Every dataset of the first run still there, live and not rewritten; none half-written."""
    assert report.counts["withdrawn"] == 0, report.summary()
    assert snapshot(store) == before, "a dataset was withdrawn, rewritten or added by the faulty run"
    with store.sessions() as session:
        assert session.execute(select(func.count()).select_from(DatasetRow)).scalar_one() == DATASETS
        assert_store_consistent(session)


def assert_job(store: Store, report: HarvestReport, status: str, *needles: str) -> None:
    """The report and the job row agree on the status, and the error names every needle."""
    assert report.status == status, report.summary()
    with store.sessions() as session:
        job = list_jobs(session)[0]
        assert job.id == report.job_id and job.status == status
        for needle in needles:
            assert needle in (job.error or ""), (needle, job.error)
            assert needle in (report.error or ""), (needle, report.error)


def assert_third_run_clean(
    store: Store, settings: Settings, feed: FaultFeed, source_id: int, before: Snapshot
) -> None:
    feed.faults.clear()
    third = harvest(store, settings, source_id)
    assert third.status == "succeeded", third.summary()
    assert third.counts["unchanged"] == DATASETS and third.counts["created"] == 0
    assert third.counts["withdrawn"] == 0 and third.counts["updated"] == 0
    assert snapshot(store) == before, "an unchanged source rewrote a dataset row"
    with store.sessions() as session:
        links = session.execute(
            select(SourceRecord.remote_id, func.count())
            .where(SourceRecord.source_id == source_id)
            .group_by(SourceRecord.remote_id)
        ).all()
        assert len(links) == DATASETS and all(count == 1 for _, count in links)
        assert session.execute(select(func.count()).select_from(DatasetRow)).scalar_one() == DATASETS
        assert_store_consistent(session)


def test_http_500_then_success_on_retry(store: Store, settings: Settings, feed: FaultFeed) -> None:
    source_id, before = clean_first_run(store, settings, feed)
    feed.faults[2] = [http_500, send_page]
    report = harvest(store, settings, source_id)
    assert_job(store, report, "succeeded")
    assert report.error is None
    assert report.counts["unchanged"] == DATASETS and report.counts["created"] == 0
    assert feed.requests.count("/feed.ttl?page=2") == 3, "page 2 asked once in run 1, twice in run 2"
    assert_store_kept(store, before, report)
    assert_third_run_clean(store, settings, feed, source_id, before)


FAULTS = {
    # fault: (answers, page, reason, transient: a later try may succeed, so workers retry the run)
    "read-timeout": ([too_slow], 2, "timed out", True),
    "body-cut-off": ([cut_off], 2, "without sending complete message body", True),
    "http-500-twice": ([http_500, http_500], 2, "answered HTTP 500 (after 2 attempts)", True),
    "xml-entity-bomb": ([xml_bomb], 2, "entities", False),
    "too-large-declared": ([too_large_declared], 2, f"larger than the limit of {MAX_BYTES} bytes", False),
    "too-large-streamed": ([too_large_streamed], 2, f"larger than the limit of {MAX_BYTES} bytes", False),
    "redirect-loop": ([redirect_loop], 2, "redirect loop", False),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_page_that_cannot_be_read_fails_the_run_and_keeps_the_store(
    store: Store, settings: Settings, feed: FaultFeed, fault: tuple[list[Fault], int, str, bool]
) -> None:
    answers, page, reason, transient = fault
    source_id, before = clean_first_run(store, settings, feed)
    feed.faults[page] = list(answers)
    report = harvest(store, settings, source_id)
    assert_job(store, report, "failed", feed.page_url(page), reason)
    assert report.transient is transient
    assert report.counts["unchanged"] == PER_PAGE * (page - 1), "the pages before the fault were read"
    assert_store_kept(store, before, report)
    assert_third_run_clean(store, settings, feed, source_id, before)


def test_malformed_turtle_on_page_two_of_three(store: Store, settings: Settings, feed: FaultFeed) -> None:
    source_id, before = clean_first_run(store, settings, feed)
    feed.faults[2] = [malformed]
    report = harvest(store, settings, source_id)
    assert_job(store, report, "failed", feed.page_url(2), "turtle syntax error")
    assert report.counts["unchanged"] == PER_PAGE, "page 1's records were read and kept"
    assert feed.requests.count("/feed.ttl?page=3") == 1, "the second run stopped at the broken page"
    assert_store_kept(store, before, report)
    assert_third_run_clean(store, settings, feed, source_id, before)


def test_a_next_link_back_to_page_one_stops_the_run(
    store: Store, settings: Settings, feed: FaultFeed
) -> None:
    source_id, before = clean_first_run(store, settings, feed)
    feed.faults[3] = [next_back_to_page_one]
    report = harvest(store, settings, source_id)
    assert_job(
        store,
        report,
        "failed",
        f"paging loop: page {feed.url} (the next page after {feed.page_url(3)}) was read",
    )
    assert report.counts["unchanged"] == DATASETS
    assert feed.requests.count("/feed.ttl") == 3, "page 1 asked once per run and once by the loop, no more"
    assert_store_kept(store, before, report)
    assert_third_run_clean(store, settings, feed, source_id, before)


def test_a_suddenly_empty_catalogue_withdraws_nothing_and_says_why(
    store: Store, settings: Settings, feed: FaultFeed
) -> None:
    source_id, before = clean_first_run(store, settings, feed)
    feed.faults[1] = [empty_catalogue]
    report = harvest(store, settings, source_id)
    assert_job(store, report, "partial", "withdrawal held", "no records at all")
    assert report.held_withdrawals == DATASETS and report.complete
    assert_store_kept(store, before, report)
    assert_third_run_clean(store, settings, feed, source_id, before)
