"""The audit log on a real store (SQLite file and PostgreSQL): entries kept with their transaction,
secrets masked at any depth, listed newest first and paged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from catalog.auth.audit import is_secret_key, list_audit, mask_secrets, record_audit
from catalog.auth.tokens import create_token, principal_of


def test_secrets_are_masked_at_any_depth() -> None:
    token = "cat_" + "Q" * 43
    masked = mask_secrets(
        {
            "url": "https://data.stad.gent/",
            "options": {"apiKey": "k1", "headers": {"Authorization": "Bearer x"}, "rows": 50},
            "client_secret": "c",
            "password": "",
            "note": f"made with {token}",
            "list": [{"access_token": "t"}],
        }
    )
    assert masked == {
        "url": "https://data.stad.gent/",
        "options": {"apiKey": "***", "headers": {"Authorization": "***"}, "rows": 50},
        "client_secret": "***",
        "password": "",
        "note": "made with cat_***",
        "list": [{"access_token": "***"}],
    }
    assert not any(is_secret_key(k) for k in ("keywords", "author", "monkeys_count", "url"))


def test_entries_belong_to_their_transaction(store: Any) -> None:
    with store.sessions() as session:
        record_audit(
            session,
            principal=None,
            action="create",
            entity="source",
            entity_id=1,
            before=None,
            after={"a": 1},
        )
        session.rollback()
    with store.sessions() as session:
        assert list_audit(session) == []


def test_record_list_and_page(store: Any) -> None:
    with store.sessions() as session:
        _, row = create_token(session, name="gent", role="steward", municipalities=["44021"])
        steward = principal_of(row)
        for n in range(5):
            record_audit(
                session,
                principal=steward,
                action="update",
                entity="source",
                entity_id=n % 2,
                before={"options": {"api_key": f"old{n}"}},
                after={"options": {"api_key": f"new{n}"}},
                request_id=f"r{n}",
            )
        record_audit(session, principal=None, action="create", entity="token", entity_id=row.id, before=None,
                     after={"name": "gent"})  # fmt: skip
        session.commit()
    with store.sessions() as session:
        everything = list_audit(session)
        assert [e.entity for e in everything] == ["token"] + ["source"] * 5
        assert (
            everything[0].actor is None and everything[1].actor == "gent" and everything[1].role == "steward"
        )
        ones = list_audit(session, entity="source", entity_id=1, limit=1)
        assert [e.request_id for e in ones] == ["r3"]
        older = list_audit(session, entity="source", entity_id="1", before_id=ones[0].id)
        assert [e.request_id for e in older] == ["r1"]
    with store.engine.connect() as connection:
        stored = str(connection.execute(text("SELECT before, after FROM audit_log")).all())
    assert "old" not in stored and "new" not in stored and "***" in stored
