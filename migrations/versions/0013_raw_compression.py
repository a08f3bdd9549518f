"""Raw harvested payloads are stored compressed: ``raw_records.compression`` says how.

A raw record is the harvested description as given (for a DCAT feed, about 7.8 KB of N-Triples a
dataset). It was half of what a harvest wrote to the store. zlib at level 1 keeps it at about a sixth
of that size, and the compressing is done where the record is read (a page reader), not by the writer.
``compression`` is ``zlib`` for such rows and NULL for rows stored as given, which is what every row
written before this migration is; readers accept both, so nothing is rewritten on upgrade.

Downgrade writes the compressed payloads back as given and drops the column.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 500


def upgrade() -> None:
    # a plain ALTER on both databases: SQLite's batch mode would copy the table
    op.execute("ALTER TABLE raw_records ADD COLUMN compression VARCHAR(10)")


def downgrade() -> None:
    bind = op.get_bind()
    raw = sa.table(
        "raw_records", sa.column("source_record_id"), sa.column("raw", sa.LargeBinary), sa.column("compression")
    )
    after = -1
    while True:
        rows = bind.execute(
            sa.select(raw.c.source_record_id, raw.c.raw)
            .where(raw.c.compression == "zlib", raw.c.source_record_id > after)
            .order_by(raw.c.source_record_id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            break
        for key, data in rows:
            values = {"raw": zlib.decompress(data), "compression": None}
            bind.execute(sa.update(raw).where(raw.c.source_record_id == key).values(values))
        after = rows[-1][0]
    op.execute("ALTER TABLE raw_records DROP COLUMN compression")
