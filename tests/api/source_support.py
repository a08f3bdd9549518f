"""Helpers for the sources and jobs API tests: the app over a migrated store (SQLite and PostgreSQL), tokens
for each role, the loopback replay of DataSud's real CKAN responses, and waiting for a background run."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.auth.tokens import create_token
from catalog.db.engine import session_scope
from catalog.services import upgrade_database
from catalog.settings import Settings
from tests.harvesters.replay import SAMPLES_DIR, ReplayServer

SEARCH = "/api/3/action/package_search"
GENT, ANTWERPEN = "44021", "11002"
ROLES = ("anonymous", "steward", "outsider", "admin")
"""No token; a steward of Gent (in scope for the test sources); a steward of Antwerpen; an admin."""


@dataclass
class Env:
    """An app on a fresh store, its tokens by role, and a replay server."""

    client: TestClient
    settings: Settings
    store: Any
    replay: ReplayServer
    tokens: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def source_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "Gent CKAN",
            "kind": "ckan",
            "url": self.replay.url(""),
            "options": {"language": "fr", "incremental": False},
            "municipality": GENT,
            "schedule": "daily",
        }
        body.update(overrides)
        return body

    def create(self, role: str = "admin", **overrides: Any) -> dict[str, Any]:
        response = self.client.post(
            "/api/sources", json=self.source_body(**overrides), headers=self.headers(role)
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def wait(self, job_href: str, role: str = "admin", timeout: float = 60.0) -> dict[str, Any]:
        """Poll a job until it is no longer running."""
        deadline = time.monotonic() + timeout
        while True:
            body: dict[str, Any] = self.client.get(job_href, headers=self.headers(role)).json()
            if body["status"] not in ("queued", "running"):
                return body
            assert time.monotonic() < deadline, f"job still {body['status']} after {timeout} s"
            time.sleep(0.05)

    def harvest(self, source_id: int, role: str = "admin") -> dict[str, Any]:
        response = self.client.post(f"/api/sources/{source_id}/harvest", headers=self.headers(role))
        assert response.status_code == 202, response.text
        return self.wait(response.headers["location"], role)


def make_settings(store_url: str, **sections: dict[str, Any]) -> Settings:
    harvest = {
        "allow_private_networks": True,
        "retries": 0,
        "job_heartbeat_seconds": 0.05,
        **sections.get("harvest", {}),
    }
    server = {"write_rate_per_minute": 10_000, "test_rate_per_minute": 10_000, **sections.get("server", {})}
    return Settings(
        database={"url": store_url},
        catalog={"base_uri": "https://catalog.example/"},
        harvest=harvest,
        server=server,
    )


def make_tokens(settings: Settings) -> dict[str, str]:
    from catalog.db.engine import make_engine, make_session_factory

    engine = make_engine(settings.database.url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            steward, _ = create_token(session, name="gent", role="steward", municipalities=[GENT])
            outsider, _ = create_token(session, name="antwerpen", role="steward", municipalities=[ANTWERPEN])
            admin, _ = create_token(session, name="admin", role="admin")
    finally:
        engine.dispose()
    return {"steward": steward, "outsider": outsider, "admin": admin}


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def datasud(replay: ReplayServer) -> ReplayServer:
    """The replay server answering package_search with DataSud's real response (7 packages)."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"reference samples not found at {SAMPLES_DIR}")
    replay.sample(SEARCH, "ckan-datasud/package_search.json")
    return replay


def build_env(store: Any, replay: ReplayServer, **sections: dict[str, Any]) -> Iterator[Env]:
    settings = make_settings(store.url, **sections)
    upgrade_database(settings=settings)
    tokens = make_tokens(settings)
    with TestClient(create_app(settings)) as client:
        yield Env(client, settings, store, replay, tokens)


@pytest.fixture
def env(store: Any, datasud: ReplayServer) -> Iterator[Env]:
    yield from build_env(store, datasud)


def empty_listing() -> bytes:
    return json.dumps({"success": True, "result": {"count": 0, "results": []}}).encode()
