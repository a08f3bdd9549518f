"""Each role against each sources and jobs endpoint, allowed and refused: anonymous (401 on anything
that writes or shows a steward's data), a steward of Gent (the sources' municipality), a steward of
Antwerpen (403 outside its scope), and an admin. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from catalog.auth.tokens import create_token
from catalog.db.engine import session_scope
from tests.api.source_support import ROLES, SEARCH, Env, datasud, empty_listing, env, replay

__all__ = ["datasud", "env", "replay"]  # fixtures

PROBLEM = "application/problem+json"
MANAGES = {"anonymous": False, "steward": True, "outsider": False, "admin": True}


def expect(response: Any, status: int, role: str) -> None:
    assert response.status_code == status, f"{role}: {response.status_code} {response.text}"
    if status >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), role
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_anyone_reads_sources_but_only_managers_see_options_state_and_runs(env: Env) -> None:
    created = env.create()
    env.harvest(created["id"])
    for role in ROLES:
        listing = env.client.get("/api/sources", headers=env.headers(role))
        expect(listing, 200, role)
        (item,) = listing.json()["results"]
        detail = env.client.get(created["href"], headers=env.headers(role)).json()
        manages = MANAGES[role]
        for body in (item, detail):
            assert body["can_manage"] is manages, role
            assert (body["options"] == {"language": "fr", "incremental": False}) is manages, role
            assert (body["state"] is not None) is manages, role
            assert body["datasets"] == 7 and body["last_harvest"]["status"] == "succeeded"
        assert (detail["jobs"] is not None and len(detail["jobs"]) == 1) is manages, role


def test_create(env: Env) -> None:
    statuses = {"anonymous": 401, "steward": 201, "outsider": 403, "admin": 201}
    for role in ROLES:
        body = env.source_body(name=f"source of {role}", url=env.replay.url(f"/{role}"))
        expect(env.client.post("/api/sources", json=body, headers=env.headers(role)), statuses[role], role)
    names = [s["name"] for s in env.client.get("/api/sources").json()["results"]]
    assert names == ["source of steward", "source of admin"]


def test_update_deactivate_and_delete(env: Env) -> None:
    statuses = {"anonymous": 401, "steward": 200, "outsider": 403, "admin": 200}
    for role in ROLES:
        source = env.create(name=f"for {role}", url=env.replay.url(f"/{role}"))
        patched = env.client.patch(source["href"], json={"active": False}, headers=env.headers(role))
        expect(patched, statuses[role], role)
        assert env.client.get(source["href"]).json()["active"] is (statuses[role] != 200), role
        expect(env.client.delete(source["href"], headers=env.headers(role)), statuses[role], role)
        assert (env.client.get(source["href"]).status_code == 404) is (statuses[role] == 200), role


def test_moving_a_source_out_of_the_stewards_scope_is_refused(env: Env) -> None:
    source = env.create(role="steward")
    moved = env.client.patch(source["href"], json={"municipality": "11002"}, headers=env.headers("steward"))
    expect(moved, 403, "steward")
    assert env.client.get(source["href"]).json()["municipality"] == "44021"


def test_test_before_saving(env: Env) -> None:
    statuses = {"anonymous": 401, "steward": 200, "outsider": 403, "admin": 200}
    body = {"kind": "ckan", "url": env.replay.url(""), "municipality": "44021", "limit": 2}
    for role in ROLES:
        response = env.client.post("/api/sources/test", json=body, headers=env.headers(role))
        expect(response, statuses[role], role)
        if statuses[role] == 200:
            assert len(response.json()["records"]) == 2
    unscoped = {"kind": "ckan", "url": env.replay.url(""), "limit": 1}
    expect(
        env.client.post("/api/sources/test", json=unscoped, headers=env.headers("outsider")), 200, "outsider"
    )


def test_harvest_runs_report_abort_and_confirm(env: Env) -> None:
    source = env.create()
    started = {"anonymous": 401, "steward": 202, "outsider": 403, "admin": 202}
    job_href = None
    for role in ROLES:
        response = env.client.post(f"/api/sources/{source['id']}/harvest", headers=env.headers(role))
        expect(response, started[role], role)
        if response.status_code == 202:
            job_href = response.headers["location"]
            assert env.wait(job_href)["status"] == "succeeded"
    assert job_href is not None
    readable = {"anonymous": 401, "steward": 200, "outsider": 403, "admin": 200}
    ended = {"anonymous": 401, "steward": 409, "outsider": 403, "admin": 409}
    for role in ROLES:
        headers = env.headers(role)
        expect(env.client.get(f"/api/sources/{source['id']}/jobs", headers=headers), readable[role], role)
        expect(env.client.get(job_href, headers=headers), readable[role], role)
        expect(env.client.post(job_href + "/abort", headers=headers), ended[role], role)
        expect(env.client.post(job_href + "/confirm-withdrawal", headers=headers), ended[role], role)


def test_confirming_a_held_withdrawal(env: Env) -> None:
    source = env.create()
    env.harvest(source["id"])
    env.replay.route(SEARCH, body=empty_listing(), content_type="application/json")
    held = env.harvest(source["id"])
    assert held["status"] == "partial" and held["held_withdrawals"] == 7
    confirm = held["href"] + "/confirm-withdrawal"
    for role, status in (("anonymous", 401), ("outsider", 403)):
        expect(env.client.post(confirm, headers=env.headers(role)), status, role)
    response = env.client.post(confirm, headers=env.headers("steward"))
    expect(response, 202, "steward")
    assert env.wait(response.headers["location"])["stats"]["withdrawn"] == 7


def test_an_organisation_steward_manages_its_organisations_sources(env: Env) -> None:
    with session_scope(env.store.sessions) as session:
        token, _ = create_token(session, name="stad gent", role="steward", organisations=["Stad Gent"])
    headers = {"Authorization": f"Bearer {token}"}
    source = env.create(municipality=None, organisation="stad  GENT")
    assert env.client.get(source["href"], headers=headers).json()["can_manage"] is True
    expect(
        env.client.patch(source["href"], json={"schedule": "weekly"}, headers=headers), 200, "organisation"
    )
    other = env.create(
        name="elsewhere", url=env.replay.url("/x"), municipality=None, organisation="Stad Brugge"
    )
    expect(env.client.patch(other["href"], json={"schedule": "weekly"}, headers=headers), 403, "organisation")
    unscoped = env.source_body(name="nobody's", url=env.replay.url("/y"), municipality=None)
    expect(env.client.post("/api/sources", json=unscoped, headers=env.headers("steward")), 403, "steward")
