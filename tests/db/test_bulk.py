"""Bulk writes below the ORM: many rows in few statements, the same rows as one statement per row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.db.bulk import SQLITE_ROWS, bulk_insert, bulk_update
from catalog.db.tables import Source

_SOURCES = Source.__table__
_COLUMNS = ("name", "kind", "url", "options", "state", "active", "created_at", "updated_at")
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _sources(session: Session, count: int) -> dict[str, int]:
    rows = [(f"s{n}", "dcat", f"https://s{n}.example/", {}, {}, True, _NOW, _NOW) for n in range(count)]
    bulk_insert(session, _SOURCES, _COLUMNS, rows)
    return {name: key for name, key in session.execute(select(Source.name, Source.id))}


def test_more_rows_than_one_statement_takes_are_all_written(session: Session) -> None:
    many = SQLITE_ROWS * 2 + 7
    ids = _sources(session, many)
    assert len(ids) == many
    updates = [(ids[f"s{n}"], f"https://new{n}.example/", "weekly" if n % 2 else None) for n in range(many)]
    bulk_update(session, _SOURCES, "id", ["url", "schedule"], updates)
    session.expire_all()
    found = {name: (url, schedule) for name, url, schedule in session.execute(
        select(Source.name, Source.url, Source.schedule))}  # fmt: skip
    assert found == {f"s{n}": (f"https://new{n}.example/", "weekly" if n % 2 else None) for n in range(many)}


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_key_given_twice_gets_its_last_row_on_sqlite(session: Session) -> None:
    """As when each row was its own statement (the SQLite path writes them all in one)."""
    key = _sources(session, 1)["s0"]
    bulk_update(
        session, _SOURCES, "id", ["url"], [(key, "https://old.example/"), (key, "https://new.example/")]
    )
    session.expire_all()
    assert session.scalars(select(Source.url)).one() == "https://new.example/"
