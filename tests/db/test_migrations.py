from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from catalog.db import migrate
from catalog.db.engine import make_engine
from catalog.db.tables import Base

TABLES = {
    "municipalities",
    "organisations",
    "sources",
    "harvest_jobs",
    "harvest_job_records",
    "harvest_pages",
    "datasets",
    "source_records",
    "raw_records",
    "dataset_theme",
    "dataset_format",
    "dataset_licence",
    "dataset_keyword",
    "dataset_municipality",
    "dataset_publisher",
    "dataset_language",
    "dataset_access_rights",
}
SEARCH_INDEX = "dataset_search"
"""The SQLite FTS5 index (virtual table and shadow tables), made by migration 0003 outside the models."""


def _is_search_index(name: str) -> bool:
    """The FTS5 tables, and the SQLite-only covering indexes ``ix_datasets_search_*`` (migration 0003)."""
    return name == SEARCH_INDEX or name.startswith((SEARCH_INDEX + "_", "ix_datasets_search_"))


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if not _is_search_index(name)}
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_at_head(empty_db_url: str) -> None:
    assert migrate.current_revision(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == TABLES
    assert migrate.current_revision(empty_db_url) == migrate.head_revision()


def test_downgrade_to_base_then_upgrade_again(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    assert migrate.current_revision(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == TABLES


def test_migrations_match_the_models(empty_db_url: str) -> None:
    """The models and the migrations describe the same schema (no autogenerate diff)."""
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
            outside = {"remove_table", "remove_index"}  # made by migration 0003, not described by the models
            assert [d for d in diff if not (d[0] in outside and _is_search_index(d[1].name))] == []
    finally:
        engine.dispose()


def test_sqlite_file_directory_is_created_and_pragmas_set(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'catalog.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        engine.dispose()
