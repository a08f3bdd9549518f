"""SQLite: one index per dataset order, not two: ``ix_datasets_title`` and ``ix_datasets_modified`` go.

Migration 0003 gave SQLite covering indexes on ``(withdrawn_at, title)`` and ``(withdrawn_at, modified)``
for reading live datasets by title and date. They serve every query the catalogue makes on these columns
(the search index's titles and dates, the catalogue's ``modified_since``), so the plain one-column
indexes from 0001 were only kept up to date. On a first harvest every dataset is inserted into both; with
titles and dates in no particular order, each of the four indexes dirtied about 300 pages a batch of
1,000 on a 30,000-dataset store. Dropping the two plain ones made storing a page about 10 % cheaper.

PostgreSQL keeps its plain indexes: it has no covering ones, and its search does not use either.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAIN_INDEXES = {"ix_datasets_title": "title", "ix_datasets_modified": "modified"}
"""Indexes on ``datasets`` that only PostgreSQL has from this migration on."""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in PLAIN_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, column in PLAIN_INDEXES.items():
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON datasets ({column})")
