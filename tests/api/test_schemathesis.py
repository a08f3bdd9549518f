"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis): whatever a client
sends that the schema allows, or not, no endpoint answers 500. Every case is sent without a token, with a
steward's and with an admin's, to an app over a SQLite store holding the demo catalogue, a source and a
job with a log and a held withdrawal.

Bounded: a few examples per operation (``MAX_EXAMPLES``), no shrinking, derandomized, so it stays well
under a minute and runs in CI. No traffic leaves the machine: the SSRF guard is on, and every ``url`` a
case would send is pinned to a loopback address the guard refuses before connecting (no DNS look-up
either), so creating, testing or harvesting a source never fetches anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from catalog.api.app import create_app
from catalog.auth.tokens import create_token
from catalog.db.engine import make_engine, make_session_factory, session_scope
from catalog.db.jobs import JobRecord, add_job_records, finish_job, start_job
from catalog.db.sources import create_source
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings

MAX_EXAMPLES = 5
PINNED_URL = "http://127.0.0.1:9/catalog"
"""Where every generated ``url`` goes: loopback, which the guard (private networks off) refuses at once."""


def _seed(settings: Settings) -> dict[str, str]:
    engine = make_engine(settings.database.url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            source = create_source(
                session, name="Gent", kind="ckan", url=PINNED_URL, municipality="44021", schedule="daily"
            )
            session.flush()
            job = start_job(session, source_id=source.id)
            add_job_records(
                session, job_id=job.id, records=[JobRecord("pkg-1", "failed", "no title", url=PINNED_URL)]
            )
            finish_job(session, job_id=job.id, status="partial", stats={"failed": 1}, held_withdrawals=3)
            steward, _ = create_token(session, name="gent", role="steward", municipalities=["44021"])
            admin, _ = create_token(session, name="admin", role="admin")
    finally:
        engine.dispose()
    return {"steward": steward, "admin": admin}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "catalog.db"
    settings = Settings(
        database={"url": f"sqlite:///{path}"},
        catalog={"base_uri": "https://catalog.example/"},
        harvest={"allow_private_networks": False, "retries": 0, "job_heartbeat_seconds": 0.2},
        server={"write_rate_per_minute": 100_000, "test_rate_per_minute": 100_000},
    )
    upgrade_database(settings=settings)
    tokens = _seed(settings)  # source 1, job 1: the ids the schema's examples name
    import_demo(settings)
    app = create_app(settings)
    yield app, tokens
    launcher = getattr(app.state, "harvest_launcher", None)
    if launcher is not None:
        launcher.shutdown(wait=True)


def _pin(value: Any) -> Any:
    """``value`` with every ``url`` (at any depth) set to ``PINNED_URL``."""
    if isinstance(value, dict):
        return {k: PINNED_URL if k == "url" else _pin(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pin(v) for v in value]
    return value


def _pin_urls(case: Any) -> None:
    body = case.body
    if isinstance(body, dict | list):
        case.body = _pin(body)
    elif isinstance(body, str | bytes):
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return
        if isinstance(parsed, dict | list):
            text = json.dumps(_pin(parsed))
            case.body = text.encode() if isinstance(body, bytes) else text
    if case.query and "url" in case.query:
        case.query = {**case.query, "url": PINNED_URL}


def _check(case: Any, tokens: dict[str, str]) -> None:
    _pin_urls(case)
    for role in ("anonymous", "steward", "admin"):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{role}: {case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
        )


@pytest.mark.timeout(300)
def test_no_endpoint_answers_500(seeded: tuple[Any, dict[str, str]]) -> None:
    app, tokens = seeded
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    labels: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            _check(case, tokens)

        try:
            run()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert {"POST /api/sources", "POST /api/sources/test", "POST /api/jobs/{id}/abort"} <= set(labels)
    assert failures == []
