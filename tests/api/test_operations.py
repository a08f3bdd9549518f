"""Operations endpoints: /healthz, /readyz (database, migrations, queue) and Prometheus /metrics."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.db.migrate import head_revision
from catalog.harvest.runner import run_harvest
from catalog.harvest.sources import add_source
from catalog.services import upgrade_database
from catalog.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harvest"))
from engine_support import FeedServer

SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (\S+)$')


def _settings(url: str) -> Settings:
    return Settings(
        database={"url": url},
        harvest={"allow_private_networks": True, "retries": 0},
        catalog={"base_uri": "https://catalog.example/"},
    )


def parse_exposition(body: str) -> dict[tuple[str, str], float]:
    """Every sample of a text exposition as {(name, labels): value}; fails on a malformed line."""
    samples: dict[tuple[str, str], float] = {}
    kinds: dict[str, str] = {}
    for line in body.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            kinds[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        match = SAMPLE.match(line)
        assert match, f"not an exposition line: {line!r}"
        name, labels, value = match.groups()
        assert any(name == family or name.startswith(family + "_") for family in kinds), f"{name}: no # TYPE"
        samples[(name, labels or "")] = float(value)
    return samples


def test_liveness_readiness_and_metrics_after_a_harvest(store: Any) -> None:
    settings = _settings(store.url)
    upgrade_database(settings=settings)
    with FeedServer(pages=2, per_page=3) as feed:
        source_id = add_source(store.sessions, settings, name="Gent", kind="dcat", url=feed.url)
        assert run_harvest(store.sessions, source_id=source_id, settings=settings).status == "succeeded"
    client = TestClient(create_app(settings))

    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["migration"] == {"current": head_revision(), "expected": head_revision()}
    assert body["queue"] == ({"todo": 0, "doing": 0} if store.dialect == "postgresql" else None)

    assert client.get("/api/datasets", params={"q": "dataset"}).status_code == 200
    assert client.get("/datasets/does-not-exist").status_code == 404
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = parse_exposition(response.text)
    assert samples[("catalog_harvest_runs_total", '{kind="dcat",status="succeeded"}')] == 1
    assert samples[("catalog_harvest_records_total", '{action="created"}')] == 6
    assert samples[("catalog_harvest_run_duration_seconds_count", "")] == 1
    assert samples[("catalog_harvest_run_duration_seconds_bucket", '{le="+Inf"}')] == 1
    assert samples[("catalog_harvest_runs_active", '{state="running"}')] == 0
    assert samples[("catalog_store_up", "")] == 1
    route = '{method="GET",route="/api/datasets",status="2xx",le="+Inf"}'
    assert samples[("catalog_http_request_duration_seconds_bucket", route)] == 1
    missing = '{method="GET",route="/datasets/{id}",status="4xx"}'
    assert samples[("catalog_http_request_duration_seconds_count", missing)] == 1, "by template, not path"
    assert not any("does-not-exist" in labels for _, labels in samples)
    if store.dialect == "postgresql":
        assert samples[("catalog_queue_jobs", '{state="todo"}')] == 0


def test_readyz_refuses_a_database_that_is_not_migrated(tmp_path: Path) -> None:
    settings = _settings(f"sqlite:///{tmp_path / 'empty.db'}")
    response = TestClient(create_app(settings)).get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert "run `catalog db upgrade`" in problem["detail"]
    assert problem["migration"] == {"current": None, "expected": head_revision()}


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_operations_endpoints_are_documented(path: str, tmp_path: Path) -> None:
    schema = TestClient(create_app(_settings(f"sqlite:///{tmp_path / 'x.db'}"))).get("/openapi.json").json()
    assert path in schema["paths"]
