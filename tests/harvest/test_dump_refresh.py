"""After a harvest that changed datasets, the download dumps' blocks are already built.

Through each caller of ``run_harvest`` that refreshes them: ``catalog harvest`` (CLI), the worker's
run (``catalog.worker.runs``) and the API's launcher (``run_claimed_job``). "Already built" is read
from the dump API itself: the next dump builds zero blocks (``write_dump``'s count), and holds what
the harvest changed. With ``harvest.refresh_dumps`` off nothing is built ahead; a refresh that fails
never fails the harvest.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from engine_support import FeedServer
from typer.testing import CliRunner

from catalog.api.dumps import DUMP_FORMATS, default_cache_dir, plan_dump, refresh_after_harvest, write_dump
from catalog.cli import app
from catalog.db.engine import make_engine, make_session_factory
from catalog.db.sources import create_source
from catalog.harvest.control import run_claimed_job
from catalog.harvest.lock import claim_job
from catalog.harvest.report import HarvestReport
from catalog.services import upgrade_database
from catalog.settings import Settings, get_settings
from catalog.worker.runs import _run as worker_run
from tests.conftest import Store
from tests.harvest.test_cli_harvest import _clean_env

runner = CliRunner()
BASE = "https://catalogus.example.be/"


def _settings(url: str, **harvest: object) -> Settings:
    return Settings(
        database={"url": url},
        catalog={"base_uri": BASE},
        harvest={"allow_private_networks": True, "retries": 0, **harvest},
    )


def _dump(settings: Settings, format: str = "ntriples") -> tuple[int, str]:
    """Blocks the next download builds, and the download's text."""
    engine = make_engine(settings.database.url)
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            plan = plan_dump(session, settings, format)
        out = BytesIO()
        built = write_dump(
            out, plan, sessions=sessions, settings=settings, cache_dir=default_cache_dir(settings)
        )
    finally:
        engine.dispose()
    return built, gzip.decompress(out.getvalue()).decode("utf-8")


def _assert_dump_ready(settings: Settings, title: str, datasets: int) -> None:
    for format in DUMP_FORMATS:
        built, text = _dump(settings, format)
        assert built == 0, f"{format}: the harvest left blocks to build"
        assert text.count(f'"{title} ') == datasets, format
        assert text.count("https://data.example.be/dataset/") >= datasets


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    with FeedServer(pages=1, per_page=5) as server:
        yield server


@pytest.fixture
def cleanup_cache() -> Iterator[list[Settings]]:
    """Remove the block caches of the settings listed (PostgreSQL's live under the temporary directory)."""
    used: list[Settings] = []
    yield used
    for settings in used:
        shutil.rmtree(default_cache_dir(settings), ignore_errors=True)


def _source(store: Store, feed: FeedServer) -> int:
    upgrade_database(settings=_settings(store.url))  # the reference data (municipalities) the records name
    with store.sessions() as session:
        source = create_source(session, name="Gent", kind="dcat", url=feed.url)
        session.commit()
        return source.id


def test_the_worker_run_leaves_the_dumps_built(
    store: Store, feed: FeedServer, cleanup_cache: list[Settings]
) -> None:
    settings = _settings(store.url)
    cleanup_cache.append(settings)
    source_id = _source(store, feed)

    report = worker_run(settings, source_id, None, False)
    assert report is not None and report.counts["created"] == 5, report.problems[:1]
    _assert_dump_ready(settings, "Dataset", 5)

    feed.title = "Renamed"
    report = worker_run(settings, source_id, None, False)
    assert report is not None and report.counts["updated"] == 5
    _assert_dump_ready(settings, "Renamed", 5)
    assert _dump(settings)[1].count('"Dataset ') == 0, "the old titles are gone from the dump"


def test_the_api_launcher_run_leaves_the_dumps_built(
    store: Store, feed: FeedServer, cleanup_cache: list[Settings]
) -> None:
    settings = _settings(store.url)
    cleanup_cache.append(settings)
    source_id = _source(store, feed)
    job_id, _ = claim_job(store.sessions, source_id=source_id, stale_after=300)
    run_claimed_job(store.sessions, settings, source_id=source_id, job_id=job_id)
    _assert_dump_ready(settings, "Dataset", 5)


def test_no_refresh_when_it_is_off_or_nothing_changed(store: Store, feed: FeedServer) -> None:
    settings = _settings(store.url, refresh_dumps=False)
    source_id = _source(store, feed)
    report = worker_run(settings, source_id, None, False)
    assert report is not None and report.counts["created"] == 5
    assert not default_cache_dir(settings).exists() or not any(default_cache_dir(settings).rglob("*.gz"))
    unchanged = HarvestReport(source_id, "Gent", status="succeeded")
    unchanged.counts["unchanged"] = 5
    assert refresh_after_harvest(_settings(store.url), [unchanged, None]) is None
    dry = HarvestReport(source_id, "Gent", status="succeeded", dry_run=True)
    dry.counts["created"] = 5
    assert refresh_after_harvest(_settings(store.url), [dry]) is None


# -- the CLI ------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("CATALOG_CATALOG__BASE_URI", BASE)
    monkeypatch.setenv("CATALOG_DATABASE__URL", f"sqlite:///{tmp_path / 'catalog.db'}")
    get_settings.cache_clear()
    assert _cli("db", "upgrade")[0] == 0
    yield get_settings()
    get_settings.cache_clear()


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_catalog_harvest_leaves_the_dumps_built(
    cli_env: Settings, feed: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _cli("sources", "add", "--name", "Gent", "--kind", "dcat", "--url", feed.url)[0] == 0
    code, _, err = _cli("harvest", "Gent")
    assert code == 0 and "download dumps refreshed (blocks rebuilt: ntriples 1, turtle 1)" in err
    _assert_dump_ready(cli_env, "Dataset", 5)

    feed.title = "Renamed"
    code, _, err = _cli("harvest", "--all")
    assert code == 0 and "download dumps refreshed" in err
    _assert_dump_ready(cli_env, "Renamed", 5)

    code, _, err = _cli("harvest", "Gent")
    assert code == 0 and "download dumps refreshed" not in err, "nothing changed, nothing to refresh"

    monkeypatch.setenv("CATALOG_HARVEST__REFRESH_DUMPS", "false")
    get_settings.cache_clear()
    feed.title = "Again"
    code, _, err = _cli("harvest", "Gent")
    assert code == 0 and "download dumps refreshed" not in err
    built, text = _dump(cli_env)
    assert built == 1 and text.count('"Again ') == 5, "off: the download builds the changed block itself"


def test_a_refresh_that_fails_does_not_fail_the_harvest(
    cli_env: Settings, feed: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    default_cache_dir(cli_env).write_text("a file where the cache directory should be")
    assert _cli("sources", "add", "--name", "Gent", "--kind", "dcat", "--url", feed.url)[0] == 0
    code, out, err = _cli("harvest", "Gent")
    assert code == 0 and "succeeded" in out
    assert "download dumps refreshed" not in err
    assert "could not refresh the download dumps" in caplog.text


def test_catalog_demo_and_import_leave_the_dumps_built(
    cli_env: Settings, tmp_path: Path, feed: FeedServer
) -> None:
    code, out, _ = _cli("demo")
    assert code == 0, out
    for format in DUMP_FORMATS:
        built, text = _dump(cli_env, format)
        assert built == 0, f"{format}: `catalog demo` left blocks to build"
        assert "Fietstellingen" in text
    path = tmp_path / "feed.ttl"
    path.write_text(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
        '<https://data.example.be/dataset/imported> a dcat:Dataset ; dct:title "Imported by hand"@nl ;\n'
        '  dct:description "A dataset loaded with catalog import."@nl .\n',
        encoding="utf-8",
    )
    code, out, _ = _cli("import", str(path))
    assert code == 0, out
    built, text = _dump(cli_env)
    assert built == 0, "`catalog import` left blocks to build"
    assert '"Imported by hand"@nl' in text and "Fietstellingen" in text
    code, out, _ = _cli("import", feed.url)  # a URL: harvested as a source of its own
    assert code == 0, out
    _assert_dump_ready(cli_env, "Dataset", 5)
