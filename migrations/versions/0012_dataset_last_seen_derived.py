"""A dataset's ``last_seen`` is no longer a column of ``datasets``: it is its source records' newest.

Every harvest marked each dataset it saw again by writing ``datasets.last_seen``. That column sits in the
dataset's row beside its record (about 3.3 KB of JSON), so marking an unchanged page of 1,000 datasets
rewrote some 1,400 pages of the table (5.7 MB of write-ahead log on SQLite) and was half of what an
unchanged re-run cost; it also meant that an unchanged source did write every dataset row. The same fact is
already kept where touching it is cheap: ``source_records.last_seen`` of each source's record of the
dataset. Reads now take the newest of those (``catalog.db.queries.STORED_COLUMNS``).

Downgrade puts the column back, filled from the source records.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a plain ALTER on both databases: SQLite's batch mode would copy the table and lose its search triggers
    op.execute("ALTER TABLE datasets DROP COLUMN last_seen")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    kind = "TIMESTAMP WITH TIME ZONE" if postgres else "DATETIME"
    op.execute(f"ALTER TABLE datasets ADD COLUMN last_seen {kind}")
    op.execute(
        "UPDATE datasets SET last_seen = coalesce((SELECT max(sr.last_seen) FROM source_records sr "
        "WHERE sr.dataset_id = datasets.id), first_seen)"
    )
    if postgres:
        op.execute("ALTER TABLE datasets ALTER COLUMN last_seen SET NOT NULL")
