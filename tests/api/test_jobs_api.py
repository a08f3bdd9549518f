"""Harvest control through the API: one run per source (409 with a pointer to the running job, also when
the run belongs to another process), aborting a run (it ends ``aborted`` at its next heartbeat, nothing
withdrawn), a run whose process died, confirming a held withdrawal only on the latest job, and the
job report's paging and filter. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from catalog.db.engine import session_scope
from catalog.db.jobs import JobRecord, add_job_records, finish_job
from catalog.db.tables import HarvestJob
from catalog.harvest.control import ClaimedRun, run_claimed_job
from catalog.harvest.lock import claim_job
from tests.api.source_support import SEARCH, Env, datasud, empty_listing, env, replay
from tests.harvesters.replay import SAMPLES_DIR, RecordedRequest, Reply

__all__ = ["datasud", "env", "replay"]  # fixtures


def slow_datasud(env: Env, delay: float) -> None:
    def answer(_: RecordedRequest) -> Reply:
        body = (SAMPLES_DIR / "ckan-datasud/package_search.json").read_bytes()
        return Reply(body, 200, {"Content-Type": "application/json"}, delay=delay)

    env.replay.route(SEARCH, handler=answer)


def test_one_run_at_a_time_and_abort(env: Env) -> None:
    source = env.create()
    env.harvest(source["id"])
    slow_datasud(env, delay=6.0)
    admin = env.headers("admin")
    started = env.client.post(f"/api/sources/{source['id']}/harvest", headers=admin)
    assert started.status_code == 202
    job = started.headers["location"]

    second = env.client.post(f"/api/sources/{source['id']}/harvest", headers=admin)
    assert second.status_code == 409 and second.json()["job"] == job
    assert "being harvested already" in second.json()["detail"]
    refused = env.client.delete(source["href"], headers=admin)
    assert refused.status_code == 409 and refused.json()["job"] == job

    abort = env.client.post(job + "/abort", headers=env.headers("steward"))
    assert abort.status_code == 202 and abort.json() == {
        "job_id": started.json()["job_id"],
        "result": "requested",
        "href": job,
    }
    asked = time.monotonic()
    ended = env.wait(job)
    assert time.monotonic() - asked < 4.0, "the page being fetched is not waited for"
    assert ended["status"] == "aborted" and "stopped on request" in ended["error"]
    assert ended["abort_requested_at"] is not None and ended["stats"]["withdrawn"] == 0
    assert env.client.post(job + "/abort", headers=admin).status_code == 409, "it has ended"
    assert env.client.get("/api/datasets").json()["total"] == 7, "an aborted run withdraws nothing"

    slow_datasud(env, delay=0)
    assert env.harvest(source["id"])["stats"]["unchanged"] == 7, "the next run goes ahead"


def test_a_run_in_another_process_is_respected_and_a_dead_one_is_aborted_at_once(env: Env) -> None:
    source = env.create()
    sessions = env.store.sessions
    stale = env.settings.harvest.job_stale_after_seconds
    alive, _ = claim_job(sessions, source_id=source["id"], stale_after=stale)  # another process's run
    refused = env.client.post(f"/api/sources/{source['id']}/harvest", headers=env.headers("admin"))
    assert refused.status_code == 409 and refused.json()["job"].endswith(f"/api/jobs/{alive}")
    asked = env.client.post(f"/api/jobs/{alive}/abort", headers=env.headers("admin")).json()
    assert asked["result"] == "requested", "that process's heartbeat will notice"
    with session_scope(sessions) as session:
        finish_job(session, job_id=alive, status="aborted", stats={})

    long_ago = datetime.now(UTC) - timedelta(seconds=stale + 60)
    dead, _ = claim_job(sessions, source_id=source["id"], stale_after=stale, now=long_ago)
    result = env.client.post(f"/api/jobs/{dead}/abort", headers=env.headers("admin")).json()
    assert result["result"] == "aborted"
    with sessions() as session:
        job = session.get(HarvestJob, dead)
        assert job is not None and job.status == "aborted" and "stopped" in (job.error or "")


def test_only_the_latest_held_withdrawal_can_be_confirmed(env: Env) -> None:
    source = env.create()
    env.harvest(source["id"])
    env.replay.route(SEARCH, body=empty_listing(), content_type="application/json")
    held = env.harvest(source["id"])
    assert held["held_withdrawals"] == 7 and "withdrawal held" in held["error"]
    again = env.harvest(source["id"])
    stale = env.client.post(held["href"] + "/confirm-withdrawal", headers=env.headers("admin"))
    assert stale.status_code == 409 and f"job {again['id']} is" in stale.json()["detail"]
    confirmed = env.client.post(again["href"] + "/confirm-withdrawal", headers=env.headers("admin"))
    assert confirmed.status_code == 202
    done = env.wait(confirmed.headers["location"])
    assert done["status"] == "succeeded" and done["stats"]["withdrawn"] == 7
    withdrawn = env.client.get(
        done["href"], params={"action": "withdrawn"}, headers=env.headers("admin")
    ).json()
    assert withdrawn["records_total"] == 7 and env.client.get("/api/datasets").json()["total"] == 0


def test_not_found_invalid_and_inactive(env: Env) -> None:
    admin = env.headers("admin")
    for path in ("/api/jobs/999", "/api/sources/999", "/api/sources/999/jobs"):
        response = env.client.get(path, headers=admin)
        assert response.status_code == 404 and response.headers["content-type"].startswith(
            "application/problem+json"
        )
    assert env.client.post("/api/jobs/999/abort", headers=admin).status_code == 404
    assert env.client.get("/api/jobs/0", headers=admin).status_code == 422
    assert env.client.get(f"/api/jobs/{2**70}", headers=admin).status_code == 422
    source = env.create(active=False)
    job = env.client.post(f"/api/sources/{source['id']}/harvest", headers=admin)
    assert job.status_code == 409 and "inactive" in job.json()["detail"]
    env.client.patch(source["href"], json={"active": True}, headers=admin)
    done = env.harvest(source["id"])
    assert env.client.get(done["href"], params={"action": "exploded"}, headers=admin).status_code == 422


class QueueStandIn:
    """A launcher that only keeps the claimed runs, as a queue would, to be run later elsewhere."""

    def __init__(self) -> None:
        self.runs: list[ClaimedRun] = []

    def submit(self, run: ClaimedRun) -> None:
        self.runs.append(run)


def test_another_launcher_can_take_the_runs(env: Env) -> None:
    queue = QueueStandIn()
    env.client.app.state.harvest_launcher = queue  # type: ignore[attr-defined]
    source = env.create()
    started = env.client.post(f"/api/sources/{source['id']}/harvest", headers=env.headers("admin"))
    assert started.status_code == 202
    (run,) = queue.runs
    assert (run.source_id, run.job_id, run.confirm_withdrawal) == (
        source["id"],
        started.json()["job_id"],
        False,
    )
    with session_scope(env.store.sessions) as session:  # a first batch, as the run would log it
        add_job_records(session, job_id=run.job_id, records=[JobRecord("pkg", "failed", "no title")])
    running = env.client.get(started.headers["location"], headers=env.headers("admin")).json()
    assert running["status"] == "running" and running["stats"]["failed"] == 1, "progress while it runs"
    assert (
        env.client.post(f"/api/sources/{source['id']}/harvest", headers=env.headers("admin")).status_code
        == 409
    )
    run_claimed_job(env.store.sessions, env.settings, source_id=run.source_id, job_id=run.job_id)
    done = env.wait(started.headers["location"])
    assert done["status"] == "succeeded" and done["stats"]["created"] == 7, "the final counts are the run's"
