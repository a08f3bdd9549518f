"""``catalog sources test``: the same preview on the command line, against the DataSud CKAN replay."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli import app
from catalog.settings import get_settings
from tests.harvesters.replay import SAMPLES_DIR, ReplayServer

SEARCH = "/api/3/action/package_search"
runner = CliRunner()


@pytest.fixture
def portal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"reference samples not found at {SAMPLES_DIR}")
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CATALOG_DATABASE__URL", f"sqlite:///{tmp_path / 'none' / 'catalog.db'}")
    monkeypatch.setenv("CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("CATALOG_HARVEST__RETRIES", "0")
    get_settings.cache_clear()
    server = ReplayServer().start()
    server.sample(SEARCH, "ckan-datasud/package_search.json")
    try:
        yield server
    finally:
        server.close()
        get_settings.cache_clear()


def test_records_problems_and_requests_are_printed(portal: ReplayServer, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["sources", "test", "--kind", "ckan", "--url", portal.url(""), "-o", "language=fr", "--limit", "3"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("ok ") for line in lines) == 3
    assert "Canispaces - Ville de Gap" in result.output
    assert any(
        line.startswith(f"GET {portal.url(SEARCH)}") and "-> 200 application/json" in line for line in lines
    )
    assert "3 records (3 ok, 0 failed, 0 skipped); 1 pages" in result.output
    assert "stopped at the limit of 3" in result.output
    assert not (tmp_path / "none").exists(), "nothing written"


def test_json_output_is_the_api_body(portal: ReplayServer) -> None:
    result = runner.invoke(app, ["sources", "test", "--kind", "ckan", "--url", portal.url(""), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["counts"]["ok"] == 7 and body["listing_ended"] and body["fetch"]["pages_seen"] == 1


def test_an_unreadable_listing_exits_1_and_bad_settings_exit_2(portal: ReplayServer) -> None:
    portal.route(SEARCH, body=b"oops", status=500)
    failed = runner.invoke(app, ["sources", "test", "--kind", "ckan", "--url", portal.url("")])
    assert failed.exit_code == 1 and "error:" in failed.output and "HTTP 500" in failed.output
    unknown = runner.invoke(app, ["sources", "test", "--kind", "nope", "--url", portal.url("")])
    assert unknown.exit_code == 2 and "unknown source kind 'nope'" in unknown.output
    bad = runner.invoke(app, ["sources", "test", "--kind", "ckan", "--url", portal.url(""), "-o", "rows=0"])
    assert bad.exit_code == 2 and "option 'rows'" in bad.output
