"""Search: folded searchable text on datasets, language and access-rights facets, the SQLite FTS5 index.

``datasets.search_title/search_keywords/search_text/search_stems`` hold each dataset's text folded by
``catalog.search.text`` (filled here for the rows already stored). On SQLite, ``dataset_search`` is an
FTS5 index over those columns (external content: the text stays in ``datasets``), kept in step by
triggers on ``datasets``, which index live datasets only. A later migration that rebuilds the
``datasets`` table (Alembic batch mode on SQLite) drops these triggers (and the SQLite-only indexes
``SQLITE_INDEXES``) and must create them again.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SEARCH = ("search_title", "search_keywords", "search_text", "search_stems")
_FACETS = ("dataset_language", "dataset_access_rights")
SQLITE_INDEXES = {
    "ix_datasets_search_live_modified": "withdrawn_at, modified",
    "ix_datasets_search_live_title": "withdrawn_at, title",
    "ix_datasets_search_live_kind": "withdrawn_at, kind",
}
"""SQLite only: covering indexes for reading live datasets by date, title and kind without the rows (whose
large ``record`` pushes later columns into overflow pages); PostgreSQL keeps large values out of line."""


def _fts5_sql() -> list[str]:
    columns = ", ".join(_SEARCH)
    new = ", ".join(f"new.{c}" for c in _SEARCH)
    old = ", ".join(f"old.{c}" for c in _SEARCH)
    insert_new = (
        f"INSERT INTO dataset_search(rowid, {columns}) SELECT new.id, {new} WHERE new.withdrawn_at IS NULL;"
    )
    delete_old = (
        f"INSERT INTO dataset_search(dataset_search, rowid, {columns}) "
        f"SELECT 'delete', old.id, {old} WHERE old.withdrawn_at IS NULL;"
    )
    return [
        f"CREATE VIRTUAL TABLE dataset_search USING fts5({columns}, content='datasets', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"INSERT INTO dataset_search(rowid, {columns}) SELECT id, {columns} FROM datasets "
        "WHERE withdrawn_at IS NULL",
        f"CREATE TRIGGER dataset_search_insert AFTER INSERT ON datasets BEGIN {insert_new} END",
        f"CREATE TRIGGER dataset_search_delete AFTER DELETE ON datasets BEGIN {delete_old} END",
        f"CREATE TRIGGER dataset_search_update AFTER UPDATE OF {columns}, withdrawn_at ON datasets "
        f"BEGIN {delete_old} {insert_new} END",
        *(f"CREATE INDEX {name} ON datasets ({columns_})" for name, columns_ in SQLITE_INDEXES.items()),
    ]


def _backfill(bind: sa.engine.Connection) -> None:
    """Fill the search columns and the new facet tables for the datasets already stored."""
    from catalog.search.text import search_columns

    datasets = sa.table("datasets", sa.column("id"), sa.column("record"), sa.column("withdrawn_at"),
                        *(sa.column(c) for c in _SEARCH))  # fmt: skip
    after = 0
    while True:
        rows = bind.execute(
            sa.select(datasets.c.id, datasets.c.record, datasets.c.withdrawn_at)
            .where(datasets.c.id > after)
            .order_by(datasets.c.id)
            .limit(2000)
        ).all()
        if not rows:
            return
        updates: list[dict[str, Any]] = []
        facets: dict[str, list[dict[str, Any]]] = {name: [] for name in _FACETS}
        for row in rows:
            record = json.loads(row.record)
            columns = search_columns(
                record.get("title", {}), record.get("description", {}), record.get("keyword", {})
            )
            updates.append({"b_id": row.id, **columns})
            if row.withdrawn_at is None:
                for value in sorted({v[:500] for v in record.get("language", [])}):
                    facets["dataset_language"].append({"dataset_id": row.id, "value": value})
                if record.get("access_rights"):
                    facets["dataset_access_rights"].append(
                        {"dataset_id": row.id, "value": record["access_rights"][:500]}
                    )
        bind.execute(
            sa.update(datasets).where(datasets.c.id == sa.bindparam("b_id")),
            updates,
        )
        for name, values in facets.items():
            if values:
                table = sa.table(name, sa.column("dataset_id"), sa.column("value"))
                bind.execute(sa.insert(table), values)
        after = rows[-1].id


def upgrade() -> None:
    for name in _SEARCH:
        op.add_column("datasets", sa.Column(name, sa.Text(), nullable=True))
    for name in _FACETS:
        op.create_table(
            name,
            sa.Column("dataset_id", _ID, nullable=False),
            sa.Column("value", sa.String(length=500), nullable=False),
            sa.ForeignKeyConstraint(
                ["dataset_id"], ["datasets.id"], name=f"fk_{name}_dataset_id_datasets", ondelete="CASCADE"
            ),
            sa.PrimaryKeyConstraint("dataset_id", "value", name=f"pk_{name}"),
            sqlite_with_rowid=False,
        )
        op.create_index(f"ix_{name}_value_dataset_id", name, ["value", "dataset_id"], unique=False)
    bind = op.get_bind()
    _backfill(bind)
    if bind.dialect.name == "sqlite":
        for statement in _fts5_sql():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for index in SQLITE_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {index}")
        for trigger in ("dataset_search_update", "dataset_search_delete", "dataset_search_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS dataset_search")
    for name in reversed(_FACETS):
        op.drop_index(f"ix_{name}_value_dataset_id", table_name=name)
        op.drop_table(name)
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        for name in reversed(_SEARCH):
            batch_op.drop_column(name)
