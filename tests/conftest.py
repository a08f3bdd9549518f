"""Shared fixtures: a fresh, migrated metadata store on SQLite and on PostgreSQL.

``store`` is parametrised over both databases; the PostgreSQL variant is marked ``postgres`` and is
skipped ("PostgreSQL not reachable") when the server at ``CATALOG_TEST_POSTGRES_URL`` does not answer,
unless ``CATALOG_TEST_REQUIRE_POSTGRES=1`` (CI), where that is an error. Each PostgreSQL test gets its own
schema (random name, ``search_path`` set through the URL) that is dropped afterwards, so concurrent runs
never collide. The schema is always built by the Alembic migrations, never by ``create_all``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from catalog.db.engine import make_engine, make_session_factory
from catalog.db.migrate import upgrade

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"

_postgres_state: dict[str, str | None] = {}


def postgres_url() -> str:
    return os.environ.get("CATALOG_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_problem(url: str) -> str | None:
    """None when the server answers, else why not (checked once per run)."""
    if url not in _postgres_state:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            _postgres_state[url] = None
        except Exception as exc:
            _postgres_state[url] = f"{type(exc).__name__}: {exc}"
        finally:
            engine.dispose()
    return _postgres_state[url]


def _require_postgres() -> str:
    url = postgres_url()
    problem = _postgres_problem(url)
    if problem is not None:
        if os.environ.get("CATALOG_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL not reachable and CATALOG_TEST_REQUIRE_POSTGRES=1: {problem}")
        pytest.skip("PostgreSQL not reachable")
    return url


def _empty_postgres_schema(base_url: str) -> Iterator[str]:
    """A URL whose connections use a brand-new schema; the schema is dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'catalog.db'}"
    else:
        yield from _empty_postgres_schema(_require_postgres())


@dataclass(frozen=True)
class Store:
    """A migrated store: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh store built by ``alembic upgrade head``, on SQLite (a file) and on PostgreSQL."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'catalog.db'}"])
    else:
        urls = _empty_postgres_schema(_require_postgres())
    url = next(urls)
    try:
        upgrade(url)
        engine = make_engine(url)
        try:
            yield Store(url, engine, make_session_factory(engine))
        finally:
            engine.dispose()
    finally:
        for _ in urls:  # runs the schema clean-up
            pass


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    """A session on the fresh store; uncommitted work is rolled back at the end."""
    with store.sessions() as session:
        yield session
