"""SQLite writers take the write lock up front: concurrent harvests wait for each other, never fail."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from catalog.db.engine import make_engine, make_session_factory
from tests.conftest import Store


def _read_then_write(factory, n: int, errors: list[Exception]) -> None:  # type: ignore[no-untyped-def]
    try:
        with factory() as session:
            session.execute(text("SELECT count(*) FROM t")).scalar_one()
            time.sleep(0.3)  # another writer commits meanwhile
            session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            session.commit()
    except OperationalError as exc:
        errors.append(exc)


def _race(tmp_path: Path, *, writer: bool) -> tuple[int, list[Exception]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    factory = make_session_factory(engine, writer=writer)
    errors: list[Exception] = []
    threads = [threading.Thread(target=_read_then_write, args=(factory, i, errors)) for i in range(3)]
    for thread in threads:
        thread.start()
    reader = make_session_factory(engine)
    with reader() as session:  # readers are never blocked by a writer in WAL mode
        session.execute(text("SELECT count(*) FROM t")).scalar_one()
    for thread in threads:
        thread.join(timeout=30)
    with reader() as session:
        stored = session.execute(text("SELECT count(*) FROM t")).scalar_one()
    engine.dispose()
    return stored, errors


def test_writer_sessions_wait_for_each_other(tmp_path: Path) -> None:
    stored, errors = _race(tmp_path, writer=True)
    assert errors == [] and stored == 3


def test_plain_sessions_would_fail_the_same_race(tmp_path: Path) -> None:
    stored, errors = _race(tmp_path, writer=False)
    if not errors:
        pytest.skip("the threads did not overlap on this run")
    assert "locked" in str(errors[0]) and stored < 3


@pytest.mark.parametrize("store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_postgresql_connections_run_without_jit(store: Store) -> None:
    """Short catalogue queries never pay for JIT compilation, whatever the planner estimates."""
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
        connection.rollback()
        assert connection.exec_driver_sql("SHOW jit").scalar() == "off"  # a session setting, kept
