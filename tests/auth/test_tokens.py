"""API tokens on a real store (SQLite file and PostgreSQL, schema by Alembic): made, verified, revoked,
and stored only as a hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from catalog.auth.principal import Principal
from catalog.auth.tokens import create_token, list_tokens, revoke_token, token_summary, verify_token
from catalog.exceptions import InputError, NotFound

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_made_token_verifies_to_its_principal(store: Any) -> None:
    with store.sessions() as session:
        plaintext, row = create_token(
            session,
            name="gent-steward",
            role="steward",
            municipalities=["44021"],
            organisations=["Stad Gent"],
        )
        session.commit()
    assert plaintext.startswith("cat_") and len(plaintext) == 47
    assert row.prefix == plaintext[:10]
    with store.sessions() as session:
        principal = verify_token(session, plaintext)
        session.commit()
    assert principal == Principal(
        token_id=row.id,
        name="gent-steward",
        role="steward",
        municipalities=frozenset({"44021"}),
        organisations=frozenset({"Stad Gent"}),
    )
    assert not principal.is_admin


def test_unknown_malformed_and_revoked_tokens_verify_to_nothing(store: Any) -> None:
    with store.sessions() as session:
        plaintext, row = create_token(session, name="admin", role="admin")
        session.commit()
    with store.sessions() as session:
        assert verify_token(session, plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")) is None
        assert verify_token(session, "cat_short") is None
        assert verify_token(session, "") is None
        assert verify_token(session, plaintext) is not None
        revoke_token(session, name="admin")
        session.commit()
    with store.sessions() as session:
        assert verify_token(session, plaintext) is None
        revoked = revoke_token(session, id=row.id)  # revoking again changes nothing
        assert revoked.revoked_at is not None


def test_only_the_hash_is_stored(store: Any) -> None:
    with store.sessions() as session:
        plaintext, _ = create_token(session, name="admin", role="admin")
        session.commit()
    secret_part = plaintext[10:]
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_tokens")).all()
    assert len(rows) == 1
    for value in rows[0]:
        assert plaintext not in str(value) and secret_part not in str(value)
    with store.sessions() as session:
        summary = token_summary(list_tokens(session)[0])
    assert "token_hash" not in summary and summary["prefix"] == plaintext[:10]


def test_last_used_is_written_at_most_once_a_minute(store: Any) -> None:
    with store.sessions() as session:
        plaintext, row = create_token(session, name="admin", role="admin", now=T0)
        session.commit()
        token_id = row.id
    for moment, expected in [
        (T0 + timedelta(seconds=1), T0 + timedelta(seconds=1)),
        (T0 + timedelta(seconds=30), T0 + timedelta(seconds=1)),
        (T0 + timedelta(seconds=62), T0 + timedelta(seconds=62)),
    ]:
        with store.sessions() as session:
            assert verify_token(session, plaintext, now=moment) is not None
            session.commit()
        with store.sessions() as session:
            assert next(t for t in list_tokens(session) if t.id == token_id).last_used_at == expected


def test_municipalities_are_known_nis_codes_and_old_ones_map_to_the_merged_one(store: Any) -> None:
    with store.sessions() as session:
        # 11007 Borsbeek merged into 11002 Antwerpen on 1 January 2025
        _, row = create_token(session, name="antwerpen", role="steward", municipalities=["11007", "44021"])
        assert row.municipalities == ["11002", "44021"]
        with pytest.raises(InputError, match="unknown municipality"):
            create_token(session, name="nowhere", role="steward", municipalities=["99999"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "role": "root"}, "invalid role"),
        ({"name": "", "role": "admin"}, "invalid token name"),
        ({"name": "12", "role": "admin"}, "invalid token name"),
        ({"name": "x", "role": "steward"}, "needs at least one"),
        ({"name": "x", "role": "admin", "municipalities": ["44021"]}, "manages everything"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(store: Any, kwargs: dict[str, Any], message: str) -> None:
    with store.sessions() as session, pytest.raises(InputError, match=message):
        create_token(session, **kwargs)


def test_names_are_unique_and_revoking_the_unknown_is_not_found(store: Any) -> None:
    with store.sessions() as session:
        create_token(session, name="admin", role="admin")
        with pytest.raises(InputError, match="exists already"):
            create_token(session, name="admin", role="admin")
        assert [t.name for t in list_tokens(session)] == ["admin"]
        with pytest.raises(NotFound):
            revoke_token(session, name="nobody")
