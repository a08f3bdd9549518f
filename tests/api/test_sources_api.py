"""The sources API: a steward's whole path through the API alone, and what a source must pass to be saved
(options, SSRF guard, municipality, no duplicates), deletion that withdraws without erasing, the audit log
and the rate limit. On SQLite and PostgreSQL, against a loopback replay of DataSud's real CKAN responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from catalog.auth.audit import list_audit
from catalog.auth.tokens import create_token
from catalog.db.engine import session_scope
from catalog.db.tables import DatasetRow
from tests.api.source_support import Env, build_env, datasud, env, replay
from tests.harvesters.replay import ReplayServer

__all__ = ["datasud", "env", "replay"]  # fixtures

PROBLEM = "application/problem+json"


def test_a_stewards_whole_path_through_the_api(env: Env) -> None:
    # An admin hands a steward of Gent a token (shown once).
    with session_scope(env.store.sessions) as session:
        token, _ = create_token(session, name="steward-gent", role="steward", municipalities=["44021"])
    me = {"Authorization": f"Bearer {token}"}
    client = env.client
    settings = {"kind": "ckan", "url": env.replay.url(""), "municipality": "44021"}

    tested = client.post("/api/sources/test", json={**settings, "options": {"language": "fr"}}, headers=me)
    assert tested.status_code == 200, tested.text
    preview = tested.json()
    assert preview["counts"] == {"ok": 7, "failed": 0, "skipped": 0} and preview["error"] is None
    assert preview["fetch"]["pages_seen"] == 1 and preview["fetch"]["requests"][0]["status"] == 200
    assert all(r["record"]["title"]["fr"] for r in preview["records"])
    with env.store.sessions() as session:
        assert session.scalars(select(DatasetRow.id)).first() is None, "testing a source writes nothing"

    created = client.post(
        "/api/sources", json={**settings, "name": "Gent", "options": {"incremental": False}}, headers=me
    )
    assert created.status_code == 201, created.text
    source = created.json()
    assert created.headers["location"] == source["href"] and source["can_manage"]

    run = client.post(f"/api/sources/{source['id']}/harvest", headers=me)
    assert run.status_code == 202 and run.json()["href"] == run.headers["location"]
    first = env.wait(run.headers["location"], "steward")
    assert first["status"] == "succeeded" and first["stats"]["created"] == 7
    assert first["records_total"] == 7 and {r["action"] for r in first["records"]} == {"created"}
    page = client.get(first["href"], params={"action": "created", "per_page": 5}, headers=me).json()
    assert len(page["records"]) == 5 and page["records_total"] == 7 and page["next"]
    rest = client.get(page["next"], headers=me).json()
    assert len(rest["records"]) == 2 and rest["next"] is None
    assert all(r["url"].startswith(env.replay.url("/api/3/action/package_show?id=")) for r in rest["records"])
    assert client.get(first["href"], params={"action": "failed"}, headers=me).json()["records_total"] == 0
    one = client.get("/api/datasets", params={"per_page": 1}).json()["results"][0]["href"]
    assert list(client.get(one).json()["record"]["title"]) == ["nl"], "the harvester's default language"

    fixed = client.patch(
        source["href"], json={"options": {"incremental": False, "language": "fr"}}, headers=me
    )
    assert fixed.status_code == 200 and fixed.json()["options"]["language"] == "fr"
    again = client.post(f"/api/sources/{source['id']}/harvest", headers=me)
    second = env.wait(again.headers["location"], "steward")
    assert second["status"] == "succeeded" and second["stats"]["updated"] == 7
    assert list(client.get(one).json()["record"]["title"]) == ["fr"], "the fixed setting took effect"

    runs = client.get(f"/api/sources/{source['id']}/jobs", headers=me).json()
    assert [j["id"] for j in runs["results"]] == [second["id"], first["id"]]
    shown = client.get(source["href"], headers=me).json()
    assert shown["datasets"] == 7 and shown["last_harvest"]["id"] == second["id"]


def test_same_url_and_kind_twice_points_at_the_existing_source(env: Env) -> None:
    first = env.create()
    again = env.client.post(
        "/api/sources", json=env.source_body(name="Gent again"), headers=env.headers("admin")
    )
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["existing"] == first["href"] and first["href"].endswith(f"/api/sources/{first['id']}")
    same_name = env.client.post(
        "/api/sources", json=env.source_body(url=env.replay.url("/other")), headers=env.headers("admin")
    )
    assert same_name.status_code == 409 and same_name.json()["existing"] == first["href"]
    other = env.create(name="Gent DCAT", kind="dcat", options={})
    moved = env.client.patch(
        other["href"], json={"kind": "ckan", "options": {}}, headers=env.headers("admin")
    )
    assert moved.status_code == 409 and moved.json()["existing"] == first["href"]


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"kind": "gopher"}, 400, "unknown source kind 'gopher'; known kinds:"),
        ({"options": {"rows": 5000}}, 400, "option 'rows'"),
        ({"options": {"colour": "red"}}, 400, "unknown option 'colour'"),
        ({"options": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}, 400, "nested too deeply"),
        ({"url": "gopher://portal.example.org/"}, 400, "gopher"),
        ({"municipality": "99999"}, 400, "unknown municipality NIS code"),
        ({"municipality": "4402"}, 422, "municipality"),
        ({"name": "Gent\x00"}, 422, "NUL"),
        ({"schedule": "hourly"}, 422, "schedule"),
        ({"surprise": True}, 422, "surprise"),
    ],
)
def test_invalid_sources_are_refused_with_a_clear_problem(
    env: Env, overrides: dict[str, Any], status: int, message: str
) -> None:
    response = env.client.post(
        "/api/sources", json=env.source_body(**overrides), headers=env.headers("admin")
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert message in response.json()["detail"]
    assert env.client.get("/api/sources").json()["total"] == 0


@pytest.fixture
def guarded(store: Any, replay: ReplayServer) -> Iterator[Env]:
    """The app with the SSRF guard on, as in production."""
    yield from build_env(store, replay, harvest={"allow_private_networks": False})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest",
        "http://0.0.0.0/",
    ],
)
def test_the_ssrf_guard_refuses_internal_urls_when_saved(guarded: Env, url: str) -> None:
    response = guarded.client.post(
        "/api/sources", json=guarded.source_body(url=url), headers=guarded.headers("admin")
    )
    assert response.status_code == 400 and response.headers["content-type"].startswith(PROBLEM)
    assert "refus" in response.json()["detail"] or "not allowed" in response.json()["detail"]
    source = guarded.client.post(
        "/api/sources",
        json=guarded.source_body(url="https://1.2.3.4/catalog"),
        headers=guarded.headers("admin"),
    )
    patched = guarded.client.patch(source.json()["href"], json={"url": url}, headers=guarded.headers("admin"))
    assert patched.status_code == 400
    assert guarded.client.get(source.json()["href"]).json()["url"] == "https://1.2.3.4/catalog"


def test_a_pre_2025_municipality_is_mapped_and_its_steward_manages_the_source(env: Env) -> None:
    with session_scope(env.store.sessions) as session:
        token, _ = create_token(session, name="antwerpen-2", role="steward", municipalities=["11002"])
    response = env.client.post(
        "/api/sources",
        json=env.source_body(municipality="11007"),  # Borsbeek, part of Antwerpen since 2025
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["municipality"] == "11002"


def test_deleting_withdraws_the_datasets_and_a_new_registration_restores_them(env: Env) -> None:
    source = env.create()
    env.harvest(source["id"])
    ids = [d["id"] for d in env.client.get("/api/datasets", params={"per_page": 50}).json()["results"]]
    assert len(ids) == 7
    deleted = env.client.delete(source["href"], headers=env.headers("steward"))
    assert deleted.status_code == 200 and deleted.json() == {"id": source["id"], "withdrawn": 7}
    assert env.client.get("/api/datasets").json()["total"] == 0
    gone = env.client.get(f"/datasets/{ids[0]}", headers={"Accept": "application/ld+json"})
    assert gone.status_code == 410, "withdrawn, not erased: the dataset answers Gone"
    again = env.create()
    assert env.harvest(again["id"])["stats"]["restored"] == 7
    back = {d["id"] for d in env.client.get("/api/datasets", params={"per_page": 50}).json()["results"]}
    assert back == set(ids), "the same public ids come back"


def test_every_write_is_audited_with_before_and_after(env: Env) -> None:
    source = env.create(role="steward")
    env.client.patch(source["href"], json={"schedule": "weekly"}, headers=env.headers("steward"))
    env.client.delete(source["href"], headers=env.headers("admin"))
    with env.store.sessions() as session:
        entries = list(reversed(list_audit(session, entity="source", entity_id=source["id"])))
    assert [(e.action, e.actor) for e in entries] == [
        ("create", "gent"),
        ("update", "gent"),
        ("delete", "admin"),
    ]
    create, update, delete = entries
    assert create.before is None and create.after["url"] == env.replay.url("")
    assert create.after["options"] == {"language": "fr", "incremental": False}
    assert (update.before["schedule"], update.after["schedule"]) == ("daily", "weekly")
    assert delete.before["name"] == "Gent CKAN" and delete.after == {"withdrawn": 0}


@pytest.fixture
def limited(store: Any, replay: ReplayServer) -> Iterator[Env]:
    """The app allowing one write a minute per token."""
    yield from build_env(store, replay, server={"write_rate_per_minute": 1})


def test_writes_are_rate_limited_per_token(limited: Env) -> None:
    first = limited.client.post("/api/sources", json=limited.source_body(), headers=limited.headers("admin"))
    assert first.status_code == 201
    second = limited.client.patch(
        first.json()["href"], json={"active": False}, headers=limited.headers("admin")
    )
    assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
    other = limited.client.patch(
        first.json()["href"], json={"active": False}, headers=limited.headers("steward")
    )
    assert other.status_code == 200, "another token has its own allowance"


def test_text_the_store_cannot_keep_is_refused_not_a_server_error(env: Env) -> None:
    admin = env.headers("admin")
    assert env.client.get("/api/sources", params={"kind": "ck\x00an"}).status_code == 422
    for body in (
        env.source_body(options={"fq": "a\x00b"}),
        env.source_body(options={"k\x00": 1}),
        env.source_body(organisation="Stad\x00Gent"),
        env.source_body(name="x" * 201),
        env.source_body(url="http://127.0.0.1/" + "a" * 2000),
    ):
        response = env.client.post("/api/sources", json=body, headers=admin)
        assert response.status_code == 422, response.text
    source = env.create()
    assert env.client.patch(source["href"], json={"name": "\x00"}, headers=admin).status_code == 422
    assert env.client.patch(source["href"], json={"name": None}, headers=admin).status_code == 422
