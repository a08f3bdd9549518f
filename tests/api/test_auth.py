"""Tokens at the API: 401 without a valid token (never silently anonymous), 403 outside the token's scope,
revocation effective on the very next request, 429 from the rate limits, and no token in the logs.

The app is the real one on a real store (SQLite file and PostgreSQL); a small router of probes uses the
dependencies of ``catalog.api.auth`` exactly as the resource routes do.
"""

from __future__ import annotations

import io
import logging
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.api.auth import AdminDep, OptionalPrincipalDep, PrincipalDep, forbidden, rate_limit
from catalog.auth.tokens import create_token, list_tokens, revoke_token
from catalog.logging import configure_logging
from catalog.settings import Settings

probes = APIRouter(prefix="/probe")


@probes.get("/whoami")
def whoami(principal: OptionalPrincipalDep) -> dict[str, Any]:
    return {"name": principal.name if principal else None}


@probes.get("/admin")
def admin_only(principal: AdminDep) -> dict[str, Any]:
    return {"name": principal.name}


@probes.post("/sources", dependencies=[Depends(rate_limit("write"))])
def manage(
    principal: PrincipalDep, municipality: str | None = None, organisation: str | None = None
) -> dict[str, Any]:
    if not principal.can_manage(municipality=municipality, organisation=organisation):
        raise forbidden(f"token {principal.name!r} does not manage this source")
    return {"ok": True}


@probes.post("/test", dependencies=[Depends(rate_limit("test"))])
def probe_test() -> dict[str, Any]:
    return {"ok": True}


def _app(store: Any, **server: Any) -> FastAPI:
    settings = Settings(database={"url": store.url}, server=server)
    app = create_app(settings)
    app.include_router(probes)
    return app


@pytest.fixture
def tokens(store: Any) -> dict[str, str]:
    with store.sessions() as session:
        made = {
            "admin": create_token(session, name="admin", role="admin")[0],
            "gent": create_token(session, name="gent", role="steward", municipalities=["44021"])[0],
            "antwerpen": create_token(session, name="antwerpen", role="steward", municipalities=["11002"])[0],
            "digipolis": create_token(
                session, name="digipolis", role="steward", organisations=["Digipolis Antwerpen"]
            )[0],
        }
        session.commit()
    return made


@pytest.fixture
def client(store: Any) -> Iterator[TestClient]:
    with TestClient(_app(store)) as client:
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_anonymous_and_valid_tokens(client: TestClient, store: Any, tokens: dict[str, str]) -> None:
    assert client.get("/probe/whoami").json() == {"name": None}
    assert client.get("/probe/whoami", headers=_bearer(tokens["gent"])).json() == {"name": "gent"}
    with store.sessions() as session:
        used = {t.name: t.last_used_at for t in list_tokens(session)}
    assert used["gent"] is not None and used["admin"] is None  # the use is recorded


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cat_" + "A" * 43,  # well formed, unknown
        "Bearer cat_tooshort",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        "cat_" + "A" * 43,
    ],
)
def test_a_bad_token_is_401_never_anonymous(client: TestClient, tokens: dict[str, str], header: str) -> None:
    response = client.get("/probe/whoami", headers={"Authorization": header})
    _problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_is_needed_to_write(client: TestClient) -> None:
    response = client.post("/probe/sources", params={"municipality": "44021"})
    body = _problem(response, 401)
    assert "needs an API token" in body["detail"]
    assert response.headers["www-authenticate"] == 'Bearer realm="catalog"'


def test_revocation_takes_effect_on_the_very_next_request(
    client: TestClient, store: Any, tokens: dict[str, str]
) -> None:
    assert client.get("/probe/whoami", headers=_bearer(tokens["gent"])).status_code == 200
    with store.sessions() as session:
        revoke_token(session, name="gent")
        session.commit()
    _problem(client.get("/probe/whoami", headers=_bearer(tokens["gent"])), 401)
    assert client.get("/probe/whoami", headers=_bearer(tokens["antwerpen"])).status_code == 200


def test_admin_only_refuses_stewards_with_403(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/probe/admin", headers=_bearer(tokens["admin"])).json() == {"name": "admin"}
    body = _problem(client.get("/probe/admin", headers=_bearer(tokens["gent"])), 403)
    assert "admin" in body["detail"]
    _problem(client.get("/probe/admin"), 401)


@pytest.mark.parametrize(
    ("token", "params", "allowed"),
    [
        ("gent", {"municipality": "44021"}, True),
        ("gent", {"municipality": "11002"}, False),
        ("antwerpen", {"municipality": "11002"}, True),
        ("antwerpen", {"municipality": "11007"}, True),  # Borsbeek, merged into Antwerpen in 2025
        ("antwerpen", {"municipality": "44021"}, False),
        ("digipolis", {"organisation": "digipolis  ANTWERPEN"}, True),
        ("digipolis", {"organisation": "Stad Gent"}, False),
        ("digipolis", {"municipality": "11002"}, False),
        ("gent", {}, False),  # a source of no municipality and no organisation: admins only
        ("admin", {}, True),
        ("admin", {"municipality": "11002"}, True),
    ],
)
def test_scope_of_stewards_and_admins(
    client: TestClient, tokens: dict[str, str], token: str, params: dict[str, str], allowed: bool
) -> None:
    response = client.post("/probe/sources", params=params, headers=_bearer(tokens[token]))
    if allowed:
        assert response.status_code == 200, response.text
    else:
        assert "does not manage" in _problem(response, 403)["detail"]


def test_rate_limit_per_token_with_retry_after(store: Any, tokens: dict[str, str]) -> None:
    with TestClient(_app(store, write_rate_per_minute=3, test_rate_per_minute=1)) as client:
        gent = _bearer(tokens["gent"])
        for _ in range(3):
            assert (
                client.post("/probe/sources", params={"municipality": "44021"}, headers=gent).status_code
                == 200
            )
        refused = client.post("/probe/sources", params={"municipality": "44021"}, headers=gent)
        body = _problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 20 and "at most 3 a minute" in body["detail"]
        # another token has its own bucket; the test bucket is separate from the write bucket
        antwerpen = _bearer(tokens["antwerpen"])
        assert (
            client.post("/probe/sources", params={"municipality": "11002"}, headers=antwerpen).status_code
            == 200
        )
        assert client.post("/probe/test", headers=gent).status_code == 200
        retry = client.post("/probe/test", headers=gent)
        _problem(retry, 429)
        assert 1 <= int(retry.headers["retry-after"]) <= 60


def test_anonymous_callers_are_limited_by_address(store: Any) -> None:
    with TestClient(_app(store, test_rate_per_minute=2)) as client:
        assert [client.post("/probe/test").status_code for _ in range(3)] == [200, 200, 429]


def test_tokens_never_reach_the_logs(store: Any, tokens: dict[str, str]) -> None:
    stream = io.StringIO()
    handler = configure_logging("DEBUG", stream)
    try:
        with TestClient(_app(store)) as client:
            client.get("/probe/whoami", headers=_bearer(tokens["admin"]))
            client.get("/probe/whoami", headers=_bearer(tokens["admin"][:-2]))  # malformed
            client.get("/probe/admin", headers=_bearer(tokens["gent"]))  # 403
            with store.sessions() as session:
                revoke_token(session, name="antwerpen")
                session.commit()
            client.get("/probe/whoami", headers=_bearer(tokens["antwerpen"]))  # revoked
            # a token where it does not belong: as a request id (echoed in the access log), in a message
            client.get("/probe/whoami", headers={"X-Request-ID": tokens["digipolis"]})
            logging.getLogger("catalog.test").warning("someone pasted %s", tokens["digipolis"])
    finally:
        logging.getLogger().removeHandler(handler)
    output = stream.getvalue()
    assert output.count('"logger": "catalog.access"') >= 5  # the access log did write
    assert "someone pasted cat_***" in output
    for plaintext in tokens.values():
        assert plaintext not in output and plaintext[10:30] not in output


def test_a_busy_sqlite_store_delays_no_request_and_refuses_no_token(
    store: Any, tokens: dict[str, str]
) -> None:
    """A harvest holding the write lock: the token still verifies at once; its use is recorded later."""
    if store.dialect != "sqlite":
        pytest.skip("the write lock of one SQLite file")
    writer = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
    with TestClient(_app(store)) as client:
        try:
            writer.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            response = client.get("/probe/whoami", headers=_bearer(tokens["gent"]))
            assert response.status_code == 200 and response.json() == {"name": "gent"}
            assert time.monotonic() - started < 5
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        with store.sessions() as session:
            assert next(t for t in list_tokens(session) if t.name == "gent").last_used_at is None
        assert client.get("/probe/whoami", headers=_bearer(tokens["gent"])).status_code == 200
        with store.sessions() as session:
            assert next(t for t in list_tokens(session) if t.name == "gent").last_used_at is not None
        # the connection's normal patience is back: a write waits for the lock instead of failing
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
