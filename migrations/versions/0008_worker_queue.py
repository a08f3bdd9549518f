"""The harvest workers' queue: procrastinate's schema, on PostgreSQL only (SQLite runs no workers).

The SQL is the one shipped with the pinned procrastinate release (``procrastinate>=3.10,<3.11`` in
pyproject.toml), applied once. A later procrastinate release that changes its schema comes with its own
migration here, applying that release's migration files in order.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)
_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")


def _raw(sql: str) -> None:
    """Run SQL on the migration's connection without parameter parsing (the SQL has literal % signs)."""
    cursor = op.get_bind().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    exists = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar()
    if not exists:
        _raw(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        _raw(f"DROP TABLE IF EXISTS {table} CASCADE")
    _raw(
        """DO $$ DECLARE f record; BEGIN
             FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                      JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE p.proname LIKE 'procrastinate%' AND n.nspname = current_schema()
             LOOP EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE'; END LOOP; END $$"""
    )
    for name in _TYPES:
        _raw(f"DROP TYPE IF EXISTS {name} CASCADE")
