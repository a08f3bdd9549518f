"""``catalog tokens create|list|revoke`` on a real SQLite file, checked through the API's verification."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from catalog.auth.audit import list_audit
from catalog.auth.tokens import verify_token
from catalog.cli import app
from catalog.db.engine import make_engine, make_session_factory
from catalog.settings import get_settings

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("CATALOG_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    monkeypatch.setenv("CATALOG_DATABASE__URL", url)
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return url


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_list_revoke(db_url: str) -> None:
    code, out, err = _run(
        "tokens", "create", "--name", "gent", "--role", "steward", "--municipality", "44021"
    )
    assert code == 0, err
    plaintext = out.strip()
    assert plaintext.startswith("cat_") and len(plaintext) == 47
    assert "shown only now" in err and "44021" in err and plaintext not in err
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        principal = verify_token(session, plaintext)
        assert principal is not None and principal.municipalities == {"44021"}
        assert plaintext not in str(session.execute(text("SELECT * FROM api_tokens")).all())

    code, out, _ = _run("tokens", "create", "--name", "ops", "--role", "admin")
    admin_plain = out.strip()
    code, out, _ = _run("tokens", "list")
    assert code == 0
    assert "gent" in out and "ops" in out and "everything" in out and plaintext[:10] in out
    assert plaintext not in out and admin_plain not in out

    code, out, _ = _run("tokens", "revoke", "gent")
    assert code == 0 and "revoked token 'gent'" in out
    with sessions() as session:
        assert verify_token(session, plaintext) is None
        assert verify_token(session, admin_plain) is not None
    code, out, _ = _run("tokens", "revoke", "2")  # by id
    assert code == 0 and "'ops'" in out
    code, out, _ = _run("tokens", "revoke", "2")
    assert code == 0 and "already" in out

    with sessions() as session:
        entries = list_audit(session, entity="token")
        assert [(e.action, e.entity_id, e.actor) for e in entries] == [
            ("revoke", "2", None),
            ("revoke", "1", None),
            ("create", "2", None),
            ("create", "1", None),
        ]
        assert entries[1].after["revoked_at"] is not None and entries[1].before["revoked_at"] is None
        all_text = str([(e.before, e.after) for e in entries])
        assert plaintext not in all_text and admin_plain not in all_text
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "x", "--role", "root"], "invalid role"),
        (["--name", "x", "--role", "steward"], "needs at least one municipality"),
        (["--name", "x", "--role", "steward", "--municipality", "12345"], "unknown municipality"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(db_url: str, args: list[str], message: str) -> None:
    code, out, err = _run("tokens", "create", *args)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_revoking_an_unknown_token_fails_clearly(db_url: str) -> None:
    code, _, err = _run("tokens", "revoke", "nobody")
    assert code == 2 and "no token named 'nobody'" in err
    code, out, _ = _run("tokens", "list")
    assert code == 0 and "no tokens" in out
