"""``catalog sources`` and ``catalog harvest``: exit codes, one-line errors, and a harvest killed with
SIGKILL mid-run (then taken over by the next run) in a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from engine_support import FeedServer, assert_store_consistent
from sqlalchemy import func, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.db.jobs import list_jobs
from catalog.db.queries import count_datasets
from catalog.db.tables import DatasetRow, HarvestJob, SourceRecord
from catalog.services import upgrade_database
from catalog.settings import Settings, get_settings

runner = CliRunner()
CATALOG = Path(sys.executable).parent / "catalog"
Store = Any


def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CATALOG_CONFIG", "")  # recorded, so whatever --config sets is undone
    monkeypatch.delenv("CATALOG_CONFIG")
    monkeypatch.setenv("CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("CATALOG_HARVEST__RETRIES", "0")
    get_settings.cache_clear()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE__URL", f"sqlite:///{tmp_path / 'catalog.db'}")
    assert _run("db", "upgrade")[0] == 0
    yield
    get_settings.cache_clear()


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer(pages=2, per_page=5) as server:
        yield server


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line_error(code: int, err: str, expected: int = 2) -> str:
    assert code == expected
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_add_list_show_harvest_remove(env: None, feed: FeedServer) -> None:
    code, out, _ = _run(
        "sources", "add", "--name", "Gent", "--kind", "dcat", "--url", feed.url, "--municipality", "44021",
        "--option", "page_size=50",
    )  # fmt: skip
    assert code == 0 and "added source 'Gent'" in out
    code, out, _ = _run("harvest", "Gent")
    assert code == 0
    assert "succeeded" in out and " 10 " in out  # the summary table: created 10
    code, out, _ = _run("sources", "list")
    assert code == 0 and "Gent" in out and "succeeded" in out and feed.url in out
    code, out, _ = _run("sources", "show", "Gent")
    assert code == 0 and '"page_size": 50' in out and "live records: 10" in out and "created 10" in out
    code, out, _ = _run("harvest", "--all", "--dry-run")
    assert code == 0 and "(dry run)" in out
    code, out, _ = _run("sources", "remove", "Gent", "--yes")
    assert code == 0 and "10 records withdrawn" in out
    code, out, _ = _run("sources", "list")
    assert "no sources registered" in out
    settings = get_settings()
    from catalog.db.engine import make_engine, make_session_factory

    with make_session_factory(make_engine(settings.database.url))() as session:
        assert count_datasets(session) == 0  # withdrawn ...
        assert session.execute(select(func.count()).select_from(DatasetRow)).scalar_one() == 10  # ... kept


def test_source_mistakes_are_one_line_errors(env: None, feed: FeedServer) -> None:
    base = ["sources", "add", "--name", "X", "--url", feed.url]
    line = _one_line_error(*_run(*base, "--kind", "nope")[::2])
    assert "unknown source kind 'nope'" in line and "dcat" in line
    line = _one_line_error(*_run(*base, "--kind", "dcat", "-o", "bogus=1")[::2])
    assert "unknown option 'bogus'" in line
    line = _one_line_error(*_run(*base, "--kind", "dcat", "-o", "max_pages=many")[::2])
    assert "option 'max_pages'" in line
    line = _one_line_error(*_run(*base, "--kind", "dcat", "-o", "novalue")[::2])
    assert "KEY=VALUE" in line
    line = _one_line_error(*_run(*base, "--kind", "dcat", "--municipality", "99999")[::2])
    assert "99999" in line
    assert _run(*base, "--kind", "dcat")[0] == 0
    line = _one_line_error(*_run(*base, "--kind", "dcat")[::2])
    assert "exists already" in line
    line = _one_line_error(*_run("sources", "show", "Y")[::2])
    assert "no source named 'Y'" in line and "X" in line
    line = _one_line_error(*_run("sources", "remove", "X")[::2])
    assert "--yes" in line


def test_harvest_exit_codes(env: None, feed: FeedServer) -> None:
    _one_line_error(*_run("harvest")[::2])
    _one_line_error(*_run("harvest", "Gent", "--all")[::2])
    _one_line_error(*_run("harvest", "Nope")[::2])
    assert _run("harvest", "--all")[0] == 0  # nothing registered: nothing to do
    _run("sources", "add", "--name", "Gent", "--kind", "dcat", "--url", feed.url)
    code, out, _ = _run("harvest", "Gent", "--limit", "3")
    assert code == 1 and "partial" in out and "stopped after 3 records" in out
    assert _run("harvest", "Gent")[0] == 0
    feed.per_page = 1  # 8 of 10 gone: more than the allowed share
    code, out, _ = _run("harvest", "Gent")
    assert code == 1 and "partial" in out and "withdrawal held" in out and "--confirm-withdrawal" in out
    code, out, _ = _run("harvest", "Gent", "--confirm-withdrawal")
    assert code == 0 and " 8 " in out
    feed.broken[1] = b"@prefix broken"
    code, out, _ = _run("harvest", "--all")
    assert code == 1 and "failed" in out and f"error: {feed.url}" in out


def _wait_for(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_sigkill_mid_run_then_the_next_run_takes_over(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("CATALOG_DATABASE__URL", store.url)
    monkeypatch.setenv("CATALOG_HARVEST__BATCH_SIZE", "10")
    monkeypatch.setenv("CATALOG_HARVEST__JOB_HEARTBEAT_SECONDS", "0.2")
    monkeypatch.setenv("CATALOG_HARVEST__JOB_STALE_AFTER_SECONDS", "30")
    upgrade_database(settings=Settings(database={"url": store.url}))

    def datasets() -> int:
        with store.sessions() as session:
            return int(session.execute(select(func.count()).select_from(DatasetRow)).scalar_one())

    with FeedServer(pages=10, per_page=20, delay=0.3) as server:
        assert _run("sources", "add", "--name", "Feed", "--kind", "dcat", "--url", server.url)[0] == 0
        process = subprocess.Popen(
            [str(CATALOG), "harvest", "Feed"],
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(lambda: datasets() >= 30)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        killed_at = datasets()
        assert 30 <= killed_at < 200, "killed mid-run"
        with store.sessions() as session:
            assert_store_consistent(session)
            assert killed_at % 10 == 0, "whole batches only"
            (job,) = list_jobs(session)
            assert job.status == "running" and job.heartbeat_at is not None

        # The killed run's heartbeat is recent: another run is refused, in another process too.
        code, out, _ = _run("harvest", "Feed")
        assert code == 1 and "refused" in out and "being harvested already" in out

        monkeypatch.setenv("CATALOG_HARVEST__JOB_STALE_AFTER_SECONDS", "1")
        time.sleep(1.2)
        done = subprocess.run(
            [str(CATALOG), "harvest", "Feed"],
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "aborted stale job" in done.stdout

    with store.sessions() as session:
        assert count_datasets(session) == 200
        uris = session.execute(select(func.count(func.distinct(DatasetRow.uri)))).scalar_one()
        assert (
            uris == 200
            and session.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == 200
        )
        assert [job.status for job in list_jobs(session)] == ["succeeded", "aborted"]
        stale = session.scalars(select(HarvestJob).where(HarvestJob.status == "aborted")).one()
        assert "no heartbeat" in (stale.error or "")
        assert_store_consistent(session)


def test_all_goes_on_past_a_source_that_cannot_run(env: None, feed: FeedServer) -> None:
    from catalog.db.engine import make_engine, make_session_factory, session_scope
    from catalog.db.sources import create_source

    factory = make_session_factory(make_engine(get_settings().database.url))
    with session_scope(factory) as session:
        create_source(session, name="Oud", kind="uninstalled", url="https://old.example.org/feed")
    _run("sources", "add", "--name", "Gent", "--kind", "dcat", "--url", feed.url)
    code, out, _ = _run("harvest", "--all")
    assert code == 1
    assert "Oud: error: unknown source kind 'uninstalled'" in out
    assert any(line.startswith("Gent") and "succeeded" in line for line in out.splitlines())
    _one_line_error(*_run("harvest", "Oud")[::2])  # named alone, it is a usage error


def test_progress_line_in_a_log_and_on_a_terminal() -> None:
    import io

    from catalog.cli_harvest import _ProgressLine
    from catalog.harvest.report import HarvestReport

    report = HarvestReport(source_id=1, source_name="Gent")
    report.counts.update(created=5, unchanged=3)
    log = io.StringIO()
    line = _ProgressLine(log)
    line(report)
    line(report)  # within a few seconds of the last: not repeated in a log
    line.end()
    assert log.getvalue() == "Gent: 8 records (created 5, unchanged 3)\n"

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    line = _ProgressLine(tty)
    line(report)
    report.counts.update(created=1)
    line(report)
    line.end()
    assert tty.getvalue().count("\r") == 2 and tty.getvalue().endswith("(created 6, unchanged 3)\n")


def test_harvest_due_takes_the_scheduled_sources_once_per_tick(env: None, feed: FeedServer) -> None:
    for name, schedule in [("Daily", "daily"), ("ByHand", "manual")]:
        code, _, err = _run(
            "sources", "add", "--name", name, "--kind", "dcat", "--url", f"{feed.url}?{name}",
            "--schedule", schedule,
        )  # fmt: skip
        assert code == 0, err
    code, out, _ = _run("harvest", "--due")
    assert code == 0 and "1 source(s) due" in out
    assert "Daily" in out and "ByHand" not in out
    code, out, _ = _run("harvest", "--due")
    assert code == 0 and "no sources due" in out, "harvested at this tick already"
    line = _one_line_error(*_run("harvest", "--due", "--all")[::2])
    assert "one of them" in line
    line = _one_line_error(*_run("sources", "add", "--name", "W", "--kind", "dcat", "--url", feed.url,
                                 "--schedule", "hourly")[::2])  # fmt: skip
    assert "unknown schedule 'hourly'" in line
