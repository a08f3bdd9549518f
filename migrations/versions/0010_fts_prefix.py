"""SQLite only: the FTS5 search index keeps a prefix index for three-character prefixes only.

Migration 0003 made ``dataset_search`` with prefix indexes of two and three characters. Search treats a
last word shorter than ``catalog.search.engine.MIN_PREFIX`` (three) as a whole word, so the two-character
index was never read, while every dataset written paid for it (a third of the index entries; about 7 % of
the CPU of storing a harvested batch). The index is made again with ``prefix='3'`` and filled from the
live datasets, as 0003 filled it; the triggers on ``datasets`` name the table and stay as they are.
PostgreSQL has its own search tables (0007) and is not touched.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEARCH = ("search_title", "search_keywords", "search_text", "search_stems")


def _remake(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    columns = ", ".join(_SEARCH)
    op.execute("DROP TABLE IF EXISTS dataset_search")
    op.execute(
        f"CREATE VIRTUAL TABLE dataset_search USING fts5({columns}, content='datasets', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='{prefix}')"
    )
    op.execute(
        f"INSERT INTO dataset_search(rowid, {columns}) SELECT id, {columns} FROM datasets "
        "WHERE withdrawn_at IS NULL"
    )


def upgrade() -> None:
    _remake("3")


def downgrade() -> None:
    _remake("2 3")
