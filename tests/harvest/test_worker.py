"""Harvest workers on the real PostgreSQL: ``catalog worker`` processes, the queue, the schedule, crashes.

Each test starts real worker processes (the installed ``catalog`` command) on a scratch schema and serves
the feeds from loopback HTTP servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from engine_support import FeedServer
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from catalog.db.sources import create_source
from catalog.db.tables import DatasetRow, HarvestJob
from catalog.services import upgrade_database
from catalog.settings import Settings
from tests.conftest import _empty_postgres_schema, _require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

CATALOG = Path(sys.executable).parent / "catalog"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _empty_postgres_schema(_require_postgres())


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    upgrade_database(settings=Settings.model_validate({"database": {"url": pg_url}}))
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


def _env(pg_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(
        CATALOG_DATABASE__URL=pg_url,
        CATALOG_HARVEST__ALLOW_PRIVATE_NETWORKS="true",
        CATALOG_HARVEST__RETRIES="0",
        CATALOG_HARVEST__SCHEDULE="0 0 1 1 *",  # the latest tick: New Year, long before any run here
        CATALOG_HARVEST__HOST_SPACING_SECONDS="0",
        CATALOG_HARVEST__JOB_HEARTBEAT_SECONDS="0.5",
        CATALOG_WORKER__CONTROL_INTERVAL_SECONDS="0.5",
        CATALOG_WORKER__HEARTBEAT_SECONDS="0.5",
        CATALOG_WORKER__STALLED_AFTER_SECONDS="3",
        CATALOG_WORKER__RETRY_BACKOFF_SECONDS="1",
        CATALOG_WORKER__SHUTDOWN_GRACE_SECONDS="1",
    )
    env.update(extra)
    return env


class Workers:
    """Worker processes started for a test and stopped (killed if need be) at its end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [str(CATALOG), "worker", "--name", name], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)


@pytest.fixture
def workers(pg_url: str, tmp_path: Path) -> Iterator[Callable[..., Workers]]:
    made: list[Workers] = []

    def make(**extra: str) -> Workers:
        made.append(Workers(_env(pg_url, tmp_path, **extra), tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.close()


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _jobs(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.execute(select(HarvestJob.source_id, HarvestJob.status).order_by(HarvestJob.id))
        return [(source_id, status) for source_id, status in rows]


def _add_sources(engine: Engine, servers: list[FeedServer]) -> list[int]:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        ids = [
            create_source(session, name=f"source {n}", kind="dcat", url=server.url).id
            for n, server in enumerate(servers)
        ]
        session.commit()
    return ids


def _queue_status(engine: Engine) -> dict[str, int]:
    """How many of the queue's harvest jobs are in each state."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT status::text, count(*) FROM procrastinate_jobs"
                " WHERE task_name = 'catalog.harvest_source' GROUP BY status"
            )
        )
        return {status: count for status, count in rows}


def test_two_workers_harvest_twenty_sources_exactly_once_per_tick(
    engine: Engine, workers: Callable[..., Workers]
) -> None:
    with ExitStack() as stack:
        servers = [
            stack.enter_context(FeedServer(pages=2, per_page=3, first=1000 * n, title=f"Bron {n}"))
            for n in range(20)
        ]
        ids = _add_sources(engine, servers)
        group = workers()
        first, second = group.start("w1"), group.start("w2")
        finished = ("succeeded", "partial", "failed", "aborted")

        _wait(lambda: sum(s in finished for _, s in _jobs(engine)) >= 20, 120, "20 finished runs")
        time.sleep(3)  # six more control rounds of each worker: nothing may be queued again at this tick

        jobs = _jobs(engine)
        assert sorted(source_id for source_id, _ in jobs) == sorted(ids), "every source exactly once"
        assert {status for _, status in jobs} == {"succeeded"}
        with engine.connect() as connection:
            live = connection.execute(select(func.count()).select_from(DatasetRow)).scalar_one()
            uris = connection.execute(select(func.count(func.distinct(DatasetRow.uri)))).scalar_one()
        assert live == uris == 20 * 6, "every dataset stored once"
        assert _queue_status(engine) == {"succeeded": 20}
        assert all(server.requests for server in servers)

        for process in (first, second):
            assert process.poll() is None, "workers keep running between ticks"
            process.send_signal(signal.SIGTERM)
        assert first.wait(20) == 0 and second.wait(20) == 0, "SIGTERM stops a worker cleanly"


def test_a_worker_killed_mid_run_is_replaced_and_the_run_completes(
    engine: Engine, workers: Callable[..., Workers]
) -> None:
    with FeedServer(pages=6, per_page=2, delay=0.7) as server:
        (source_id,) = _add_sources(engine, [server])
        group = workers()
        doomed = group.start("doomed")
        _wait(lambda: _jobs(engine) == [(source_id, "running")], 60, "the first worker's run to start")
        _wait(lambda: len(server.requests) >= 2, 30, "the run to be reading its pages")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)

        survivor = group.start("survivor")
        _wait(lambda: (source_id, "succeeded") in _jobs(engine), 90, "the other worker to finish the run")
        assert _jobs(engine) == [(source_id, "aborted"), (source_id, "succeeded")]
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(DatasetRow)).scalar_one() == 12
        _wait(lambda: _queue_status(engine) == {"succeeded": 1}, 10, "the queue job to be done")
        assert "put back in the queue" in group.log("survivor")
        assert survivor.poll() is None


def test_sigterm_stops_a_long_run_at_a_batch_and_requeues_it(
    engine: Engine, workers: Callable[..., Workers]
) -> None:
    with FeedServer(pages=8, per_page=2, delay=0.7) as server:
        (source_id,) = _add_sources(engine, [server])
        group = workers()
        worker = group.start("stopping")
        _wait(lambda: _jobs(engine) == [(source_id, "running")], 60, "the run to start")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, "the worker stops after the grace period and the run's next heartbeat"
        assert _jobs(engine) == [(source_id, "aborted")]
        assert _queue_status(engine) == {"todo": 1}, "the job went back in the queue"

        group.start("next")
        _wait(lambda: (source_id, "succeeded") in _jobs(engine), 90, "the next worker to run it again")
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(DatasetRow)).scalar_one() == 16


def test_a_harvest_started_through_the_api_runs_on_a_worker(
    engine: Engine, pg_url: str, workers: Callable[..., Workers]
) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session

    from catalog.api.app import create_app
    from catalog.auth.tokens import create_token

    with FeedServer(pages=2, per_page=3, first=500) as server:
        (source_id,) = _add_sources(engine, [server])
        with Session(engine) as session:
            token, _ = create_token(session, name="ops", role="admin")
            session.commit()
        settings = Settings.model_validate(
            {
                "database": {"url": pg_url},
                "server": {"harvest_runs": "queue"},
                "harvest": {"allow_private_networks": True, "schedule": "0 0 1 1 *"},
            }
        )
        client = TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"})
        started = client.post(f"/api/sources/{source_id}/harvest")
        assert started.status_code == 202, started.text
        assert _jobs(engine) == [(source_id, "running")], "claimed at once: a second request is refused"
        assert client.post(f"/api/sources/{source_id}/harvest").status_code == 409
        assert _queue_status(engine) == {"todo": 1}, "queued for the workers, not run in the web process"

        workers().start("api")
        _wait(lambda: _jobs(engine) == [(source_id, "succeeded")], 90, "a worker to run the claimed job")
        job = client.get(started.headers["Location"]).json()
        assert job["status"] == "succeeded" and job["stats"]["created"] == 6


LINKED_FEED = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://data.example.be/dataset/links> a dcat:Dataset ;
  dct:identifier "links" ; dct:title "Links"@nl ; dct:description "Twee distributies"@nl ;
  dcat:distribution <https://data.example.be/dataset/links/ok>, <https://data.example.be/dataset/links/gone> .
<https://data.example.be/dataset/links/ok> a dcat:Distribution ; dcat:accessURL <{base}/files/ok.csv> .
<https://data.example.be/dataset/links/gone> a dcat:Distribution ; dcat:accessURL <{base}/files/gone.csv> .
"""


def test_the_workers_run_the_link_checks_on_their_schedule(
    engine: Engine, workers: Callable[..., Workers]
) -> None:
    from tests.harvesters.replay import ReplayServer

    server = ReplayServer().start()
    try:
        server.route("/feed.ttl", body=LINKED_FEED.replace("{base}", server.base_url).encode(),
                     headers={"Content-Type": "text/turtle"})  # fmt: skip
        server.route("/files/ok.csv", body=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
        server.route("/files/gone.csv", body=b"gone", status=404)
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            create_source(session, name="links", kind="dcat", url=server.url("/feed.ttl"))
            session.commit()
        workers(CATALOG_QUALITY__LINK_CHECK_SCHEDULE="* * * * * */2").start("links")  # every 2 s

        def checked() -> dict[str, bool]:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT url, ok FROM link_checks"))
                return {url.rsplit("/", 1)[-1]: bool(ok) for url, ok in rows}

        _wait(lambda: len(checked()) == 2, 90, "the scheduled link checks")
        assert checked() == {"ok.csv": True, "gone.csv": False}
    finally:
        server.close()
