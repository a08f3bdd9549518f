"""``GET /api/audit``: admins read every write, newest first, paged and filtered; others are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.auth.audit import record_audit
from catalog.auth.tokens import create_token, principal_of
from catalog.settings import Settings


@pytest.fixture
def setup(store: Any) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with store.sessions() as session:
        admin_plain, admin = create_token(session, name="admin", role="admin")
        gent_plain, gent = create_token(session, name="gent", role="steward", municipalities=["44021"])
        for n in range(1, 6):
            record_audit(
                session,
                principal=principal_of(gent),
                action="update",
                entity="source",
                entity_id=n % 2,
                before={"url": f"https://example.org/{n}", "options": {"api_key": "s3cret"}},
                after={"url": f"https://example.org/{n + 1}", "options": {"api_key": "s3cret2"}},
                request_id=f"req-{n}",
            )
        record_audit(
            session, principal=principal_of(admin), action="create", entity="token", entity_id=gent.id,
            before=None, after={"name": "gent"},
        )  # fmt: skip
        session.commit()
    with TestClient(create_app(Settings(database={"url": store.url}))) as client:
        yield client, {"admin": admin_plain, "gent": gent_plain}


def test_admins_read_the_log_newest_first(setup: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = setup
    response = client.get("/api/audit", headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert response.status_code == 200
    body = response.json()
    assert [e["action"] for e in body["results"]] == ["create"] + ["update"] * 5
    assert body["next"] is None
    newest_update = body["results"][1]
    assert newest_update["actor"] == "gent" and newest_update["role"] == "steward"
    assert newest_update["before"] == {"url": "https://example.org/5", "options": {"api_key": "***"}}
    assert newest_update["request_id"] == "req-5"
    assert "s3cret" not in response.text


def test_filter_and_page(setup: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = setup
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    seen: list[str] = []
    url: str | None = "/api/audit?entity=source&entity_id=1&per_page=2"
    pages = 0
    while url:
        body = client.get(url, headers=headers).json()
        seen += [e["before"]["url"] for e in body["results"]]
        url = body["next"]
        pages += 1
    assert pages == 2
    assert seen == ["https://example.org/5", "https://example.org/3", "https://example.org/1"]


def test_stewards_and_anonymous_callers_are_refused(setup: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = setup
    steward = client.get("/api/audit", headers={"Authorization": f"Bearer {tokens['gent']}"})
    assert steward.status_code == 403 and steward.headers["content-type"] == "application/problem+json"
    anonymous = client.get("/api/audit")
    assert anonymous.status_code == 401 and anonymous.headers["content-type"] == "application/problem+json"
    assert "results" not in steward.text + anonymous.text
