"""Testing a source before saving it (``catalog.harvest.preview``) against a loopback replay of the real
CKAN responses of DataSud (``../shared/reference/samples/ckan-datasud/``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.exceptions import InputError
from catalog.harvest.preview import Preview, preview_source
from catalog.settings import Settings
from tests.harvesters.replay import SAMPLES_DIR, ReplayServer

SEARCH = "/api/3/action/package_search"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def datasud(replay: ReplayServer) -> str:
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"reference samples not found at {SAMPLES_DIR}")
    replay.sample(SEARCH, "ckan-datasud/package_search.json")
    return replay.url("")


def settings_for(tmp_path: Path, **harvest: Any) -> Settings:
    """Settings whose store does not exist: a test of a source must never need it."""
    return Settings(
        database={"url": f"sqlite:///{tmp_path / 'never' / 'catalog.db'}"},
        harvest={"allow_private_networks": True, "retries": 0, **harvest},
    )


def run(settings: Settings, **kwargs: Any) -> Preview:
    return asyncio.run(preview_source(settings, **kwargs))


def test_datasud_records_are_mapped_with_problems_and_diagnostics(datasud: str, tmp_path: Path) -> None:
    preview = run(settings_for(tmp_path), kind="ckan", url=datasud, options={"language": "fr"})

    assert preview.error is None and preview.listing_ended
    assert [r.status for r in preview.records] == ["ok"] * 7
    titles = {r.record["title"]["fr"] for r in preview.records if r.record}
    assert "Canispaces - Ville de Gap" in titles and len(titles) == 7
    first = preview.records[0]
    assert first.url == f"{datasud}/api/3/action/package_show?id={first.remote_id}"
    assert first.record is not None and first.record["distribution"]
    mapping = [p for r in preview.records for p in r.problems if p.origin == "mapping"]
    assert mapping, "DataSud's packages carry values the mapping cannot keep (reported, not fatal)"
    assert all(p.severity == "warning" and p.path and p.message for p in mapping)
    found = [p for r in preview.records for p in r.problems if p.origin == "validation"]
    access = [p for p in found if p.path == "http://purl.org/dc/terms/accessRights"]
    assert len(access) == 7, "the validator's DCAT-AP-VL finding: no access rights, on every package"
    assert all(p.severity == "violation" and p.message_nl and p.shape and p.focus for p in access)
    (page,) = preview.pages
    size = (SAMPLES_DIR / "ckan-datasud/package_search.json").stat().st_size
    assert (page.method, page.status, page.content_type, page.bytes) == ("GET", 200, "application/json", size)
    assert page.url.startswith(datasud + SEARCH) and page.ms >= 0 and page.error is None
    body = preview.as_json()
    assert body["fetch"]["pages_seen"] == 1 and body["counts"] == {"ok": 7, "failed": 0, "skipped": 0}
    json.dumps(body)  # the API answers it as is
    assert not (tmp_path / "never").exists(), "a test of a source writes nothing, not even a database"


def test_limit_stops_after_n_records(datasud: str, tmp_path: Path) -> None:
    preview = run(settings_for(tmp_path), kind="ckan", url=datasud, limit=3)
    assert len(preview.records) == 3 and not preview.listing_ended and preview.error is None


def test_a_failing_page_is_reported_with_what_was_read(replay: ReplayServer, tmp_path: Path) -> None:
    replay.route(SEARCH, body=b"<h1>Internal error</h1>", status=500, content_type="text/html")
    preview = run(settings_for(tmp_path), kind="ckan", url=replay.url(""))
    assert preview.records == []
    assert preview.error is not None and "HTTP 500" in preview.error and replay.base_url in preview.error
    (page,) = preview.pages
    assert page.status == 500 and page.error is not None and preview.pages_seen == 0


def test_not_json_is_reported(replay: ReplayServer, tmp_path: Path) -> None:
    replay.route(SEARCH, body=b"<html>portal moved</html>", content_type="text/html")
    preview = run(settings_for(tmp_path), kind="ckan", url=replay.url(""))
    assert preview.error is not None and "JSON" in preview.error
    assert preview.pages[0].status == 200 and preview.pages[0].content_type == "text/html"


def test_the_deadline_stops_a_slow_source(replay: ReplayServer, tmp_path: Path) -> None:
    replay.route(SEARCH, body=b"{}", content_type="application/json", delay=2.0)
    preview = run(settings_for(tmp_path), kind="ckan", url=replay.url(""), deadline=0.3)
    assert preview.error is not None and "stopped after 0.3 s" in preview.error


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "nope", "url": "https://portal.example.org/"}, "unknown source kind 'nope'; known kinds:"),
        ({"kind": "ckan", "url": "https://x.example/", "options": {"rows": 0}}, "option 'rows'"),
        ({"kind": "ckan", "url": "https://x.example/", "options": {"colour": "red"}}, "unknown option"),
        ({"kind": "ckan", "url": "ftp://x.example/"}, "ftp"),
        ({"kind": "ckan", "url": "https://x.example/", "limit": 0}, "limit must be between 1 and 200"),
    ],
)
def test_bad_settings_are_refused_before_any_fetch(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        run(settings_for(tmp_path), **kwargs)


def test_the_ssrf_guard_refuses_a_loopback_url_when_private_networks_are_off(
    replay: ReplayServer, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, allow_private_networks=False)
    with pytest.raises(InputError, match=r"127\.0\.0\.1"):
        run(settings, kind="ckan", url=replay.url(""))
    assert replay.requests == [], "refused before any connection"
