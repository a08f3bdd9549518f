"""Schema migrations: Alembic configured in code, no ``alembic.ini``.

``upgrade(url)`` is what ``catalog db upgrade`` runs; tests build their schema with it too. The Alembic
scripts live in the repository's ``migrations/`` directory (next to the ``catalog`` package); set
``CATALOG_MIGRATIONS`` to use another location (e.g. an installed copy).

On SQLite, foreign keys are switched off while migrations run: Alembic's batch mode rebuilds a table by
copying it, and dropping the old copy with foreign keys on would fire ``ON DELETE CASCADE``. The keys are
checked (``PRAGMA foreign_key_check``) before the migration commits.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from catalog.db.engine import make_engine
from catalog.exceptions import ConfigError, StoreError

__all__ = [
    "MIGRATIONS_ENV_VAR",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "migrations_dir",
    "revision",
    "upgrade",
]

MIGRATIONS_ENV_VAR = "CATALOG_MIGRATIONS"


def migrations_dir() -> Path:
    """The directory holding Alembic's ``env.py`` and ``versions/``."""
    explicit = os.environ.get(MIGRATIONS_ENV_VAR)
    path = Path(explicit) if explicit else Path(__file__).resolve().parents[2] / "migrations"
    if not (path / "env.py").is_file():
        raise ConfigError(f"no Alembic migrations at {path} (set {MIGRATIONS_ENV_VAR})")
    return path


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision in ``migrations/versions``."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise ConfigError("the migrations directory holds no revisions")
    return head


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: no schema yet)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema of the database at ``url`` up to ``revision`` (default: the newest)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    """Take the schema down to ``revision`` (``"base"``: no tables at all)."""
    _run(url, lambda config: command.downgrade(config, revision))


def revision(url: str, message: str, *, autogenerate: bool = True) -> None:
    """Write a new revision script, compared against the database at ``url`` when autogenerating."""
    _run(url, lambda config: command.revision(config, message=message, autogenerate=autogenerate))


def _run(url: str, action: Callable[[Config], object]) -> None:
    engine = make_engine(url)
    try:
        _run_on(engine, url, action)
    finally:
        engine.dispose()


def _run_on(engine: Engine, url: str, action: Callable[[Config], object]) -> None:
    config = alembic_config(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        if sqlite and raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where it has effect
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                action(config)
                if sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise StoreError(f"migration leaves broken foreign keys: {problems[:5]}")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
