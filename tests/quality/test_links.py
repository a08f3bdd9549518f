"""Link checks over loopback only: answers, dead links, HEAD refused, redirects, 429, the SSRF guard's
refusal (by a test resolver, no traffic), per-host spacing, and the store: cached with a TTL, rescored."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.db.quality_tables import DatasetQuality, LinkCheck
from catalog.db.tables import DatasetRow
from catalog.harvest.fetch import NetworkPolicy
from catalog.quality.links import LinkChecker, LinkResult, check_links
from catalog.services import import_location, upgrade_database
from catalog.settings import Settings, get_settings
from tests.harvesters.replay import RecordedRequest, ReplayServer, Reply
from tests.quality.quality_support import RICH_ACCESS, RICH_DOWNLOAD, RICH_URI, write_feed

LOOPBACK = NetworkPolicy.allowing(["127.0.0.1/32"])


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer().start()
    try:
        yield replay
    finally:
        replay.close()


def _check(urls: Sequence[str], **options: Any) -> list[LinkResult]:
    async def run() -> list[LinkResult]:
        checker = LinkChecker(**{"policy": LOOPBACK, "host_interval": 0.0, "timeout": 5.0, **options})
        try:
            return await checker.check(urls)
        finally:
            await checker.aclose()

    return asyncio.run(run())


def _head_refused(request: RecordedRequest) -> Reply:
    if request.method == "HEAD":
        return Reply(status=405)
    return Reply(b"x", 206 if request.headers.get("range") == "bytes=0-0" else 200)


def test_answers_dead_links_head_refused_and_redirects(server: ReplayServer) -> None:
    server.route("/ok", body=b"data")
    server.route("/dead", status=404)
    server.route("/gone", status=410)
    server.route("/nohead", handler=_head_refused)
    server.route("/moved", status=301, headers={"Location": "/ok"})
    server.route("/broken", status=500)
    names = ["/ok", "/dead", "/gone", "/nohead", "/moved", "/broken"]
    results = {r.url.rsplit("/", 1)[1]: r for r in _check([server.url(n) for n in names])}
    assert (results["ok"].ok, results["ok"].status) == (True, 200)
    assert (results["dead"].ok, results["dead"].status, results["dead"].error) == (False, 404, "HTTP 404")
    assert not results["gone"].ok
    assert (results["nohead"].ok, results["nohead"].status) == (True, 206)  # HEAD 405, then GET 0-0
    gets = [r for r in server.requests_to("/nohead") if r.method == "GET"]
    assert [g.headers.get("range") for g in gets] == ["bytes=0-0"]
    assert (results["moved"].ok, results["moved"].status) == (True, 200)
    assert (results["broken"].ok, results["broken"].status) == (False, 500)
    assert [r.method for r in server.requests_to("/dead")] == ["HEAD"]  # 404 is an answer: no GET


def test_a_429_is_not_a_verdict_and_stops_that_host_for_the_run(server: ReplayServer) -> None:
    server.route("/busy", status=429, headers={"Retry-After": "60"})
    server.route("/later", body=b"x")
    results = _check([server.url("/busy"), server.url("/later")])
    assert [(r.status, r.ok, r.rate_limited) for r in results] == [(429, False, True), (None, False, True)]
    assert server.requests_to("/later") == []


def test_an_internal_address_is_refused_by_the_guard_before_any_connection() -> None:
    asked: list[tuple[str, int]] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["10.20.30.40"]  # what a hostile name might resolve to; never connected to

    [result] = _check(["http://intranet.example/data.csv"], policy=NetworkPolicy(), resolver=resolver)
    assert not result.ok and result.status is None
    assert result.error is not None and result.error.startswith("refused")
    assert asked == [("intranet.example", 80)]


def test_other_schemes_are_not_fetched() -> None:
    [result] = _check(["ftp://files.example/data.csv"])
    assert (result.ok, result.error) == (False, "only http(s) links can be checked")


def test_one_host_is_asked_one_request_at_a_time_with_the_interval_between(server: ReplayServer) -> None:
    seen: list[float] = []

    def stamp(request: RecordedRequest) -> Reply:
        seen.append(time.monotonic())
        return Reply(b"x")

    for n in range(3):
        server.route(f"/p{n}", handler=stamp)
    _check([server.url(f"/p{n}") for n in range(3)], host_interval=0.3)
    assert len(seen) == 3
    gaps = [b - a for a, b in itertools.pairwise(seen)]
    assert all(gap >= 0.25 for gap in gaps), gaps


def _import(store: Any, tmp_path: Path, base: str) -> None:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": "https://catalog.example/"})
    upgrade_database(settings=settings)
    import_location(str(write_feed(tmp_path, base)), name="quality", settings=settings)


def _rich(store: Any) -> DatasetQuality:
    with store.sessions() as session:
        query = select(DatasetQuality).join(DatasetRow, DatasetRow.id == DatasetQuality.dataset_id)
        return session.scalars(query.where(DatasetRow.uri == RICH_URI)).one()


def test_check_links_caches_results_and_rescores(
    store: Any, tmp_path: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CATALOG_QUALITY__SCORE_ON_HARVEST", raising=False)
    get_settings.cache_clear()
    server.route(RICH_ACCESS, body=b"<html>")
    server.route(RICH_DOWNLOAD, status=404)
    _import(store, tmp_path, server.base_url)
    before = _rich(store)
    assert not before.links_checked and before.accessibility == 20

    async def run(**options: Any) -> Any:
        checker = LinkChecker(policy=LOOPBACK, host_interval=0.0)
        try:
            return await check_links(store.sessions, checker, **options)
        finally:
            await checker.aclose()

    first = asyncio.run(run(limit=1))  # the limit: one link this run (URLs in order: the download first)
    assert (first.checked, first.answered, first.failed) == (1, 0, 1)
    assert not _rich(store).links_checked
    result = asyncio.run(run())
    assert (result.checked, result.answered, result.failed) == (1, 1, 0)
    assert result.rescored.scored == 1
    rich = _rich(store)
    assert rich.links_checked
    assert rich.accessibility == 70  # the access URL answers (50), the download URL is dead (20 + 0)
    assert rich.score == before.score + 50
    with store.sessions() as session:
        stored = {c.url: (c.status, c.ok) for c in session.scalars(select(LinkCheck))}
    assert stored == {server.url(RICH_ACCESS): (200, True), server.url(RICH_DOWNLOAD): (404, False)}
    requests = len(server.requests)
    again = asyncio.run(run())  # both results are fresh: nothing to ask
    assert again.checked == 0 and len(server.requests) == requests
    stale = asyncio.run(run(ttl=timedelta(seconds=0)))
    assert stale.checked == 2
    with store.sessions() as session:
        assert all(
            c.checked_at > datetime.now(UTC) - timedelta(minutes=1)
            for c in session.scalars(select(LinkCheck))
        )


def test_cli_check_links_and_recompute(
    store: Any, tmp_path: Path, server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route(RICH_ACCESS, body=b"ok")
    server.route(RICH_DOWNLOAD, body=b"a,b")
    _import(store, tmp_path, server.base_url)
    monkeypatch.setenv("CATALOG_DATABASE__URL", store.url)
    monkeypatch.setenv("CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS", "true")  # the loopback server only
    monkeypatch.setenv("CATALOG_QUALITY__LINK_CHECK_HOST_INTERVAL", "0")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["check-links", "--source", "quality"])
    assert result.exit_code == 0, result.output
    assert "checked 2 links: 2 answered, 0 did not" in result.output
    assert _rich(store).accessibility == 100
    result = runner.invoke(app, ["quality", "recompute"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("scored 2 (excellent ")
    result = runner.invoke(app, ["quality", "summary", "--group", "source"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["source", "datasets", "avg"]
    assert lines[1].split()[:2] == ["quality", "2"] and lines[-1].split()[:2] == ["all", "2"]
    assert runner.invoke(app, ["quality", "summary", "--group", "planet"]).exit_code == 2
    result = runner.invoke(app, ["check-links", "--source", "nosuch"])
    assert result.exit_code == 2 and "no source named 'nosuch'" in result.output
    get_settings.cache_clear()
