"""PostgreSQL only: a broad word's matches are read without reading their documents.

At a million datasets a word matching 6 % of them cost 0.4-0.9 s, nearly all of it the bitmap heap scan
visiting half of ``dataset_search``'s pages (each row carried its whole ``tsvector``, about 750 bytes, in
line) to read the matching keys; the tiers of relevance (titles, then keywords) were weighted queries,
which the GIN index cannot answer alone (it holds no weights) and which therefore read every match's
document again. Two changes:

- The documents move out of line, so that a row of the table itself is its key, a TOAST pointer and a
  compressed pad: about 90 bytes, 1,000,000 datasets in 11,300 pages (89 MB) instead of 95,000. PostgreSQL
  moves values out of a row only when the row is over about 2 KB (``TOAST_TUPLE_THRESHOLD``, fixed at
  build time; ``toast_tuple_target`` only says how far to shrink a row once it does), and a document is
  about 1 KB. So every row also carries ``pad``, ``PAD`` (spaces, a quarter of the server's block size,
  2 KB on the usual 8 KB pages, where the threshold is just under a quarter): the row passes it, the
  pad is compressed to a few dozen bytes, and the document (``STORAGE EXTERNAL``: not compressed) goes to
  the TOAST table to bring the row under ``toast_tuple_target`` (128). The triggers write the pad with
  every document, also when they replace one. The GIN index answers a query without weights exactly (no
  recheck), so finding the keys of the matches reads only the narrow rows; ranking (up to
  ``catalog.search.engine.RANK_LIMIT`` matches) still reads the documents it ranks.
- Each document also holds its title's lexemes with the mark ``T:`` and its keywords' with ``K:``
  (``catalog.search.postgres.TITLE_MARK``, ``KEYWORDS_MARK``): the datasets whose titles match a query
  are those matching the query with every lexeme marked, an unweighted query that the index answers like
  any other. Real lexemes are lower case (every configuration's dictionaries fold case), so a mark never
  meets a word.

Every document is made again (the table is emptied and filled from the live datasets, then indexed).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARKED = """
CREATE FUNCTION catalog_search_marked(document tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT document || array_to_tsvector(ARRAY(
        SELECT 'T:' || lexeme FROM unnest(document) WHERE 'A' = ANY(weights)
        UNION ALL
        SELECT 'K:' || lexeme FROM unnest(document) WHERE 'B' = ANY(weights)
    ))
$$"""
"""A document (migration 0007's ``catalog_search_document``) with its title lexemes (weight A) again,
marked ``T:``, and its keyword lexemes (weight B), marked ``K:``: taken from the document itself, so
the words and the languages they are stemmed in are the document's own."""


def _document(row: str, narrow: bool) -> str:
    """The document of the dataset ``row`` (``NEW.``, or nothing for a query's own columns)."""
    columns = ", ".join(
        row + c for c in ("search_title", "search_keywords", "search_text", "search_stems", "record")
    )
    document = f"catalog_search_document({columns})"
    return f"catalog_search_marked({document})" if narrow else document


PAD = "repeat(' ', current_setting('block_size')::integer / 4)"
"""Every row's ``pad``: enough for the row to pass PostgreSQL's toasting threshold (a quarter block)."""

_TRIGGERS = """
CREATE OR REPLACE FUNCTION catalog_search_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO dataset_search (dataset_id, document{pad})
    SELECT id, {document}{padding}
      FROM inserted WHERE withdrawn_at IS NULL;
    RETURN NULL;
END
$$
---
CREATE OR REPLACE FUNCTION catalog_search_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.withdrawn_at IS NULL THEN
        INSERT INTO dataset_search (dataset_id, document{pad})
        VALUES (NEW.id, {new_document}{padding})
        ON CONFLICT (dataset_id) DO UPDATE SET document = excluded.document{repad};
    ELSE
        DELETE FROM dataset_search WHERE dataset_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$"""


def _triggers(narrow: bool) -> list[str]:
    """The two trigger functions of migration 0007; when ``narrow``, writing marked documents and ``pad``."""
    pad = {"pad": ", pad", "padding": f", {PAD}", "repad": ", pad = excluded.pad"}
    filled = _TRIGGERS.format(
        document=_document("", narrow),
        new_document=_document("NEW.", narrow),
        **(pad if narrow else dict.fromkeys(pad, "")),
    )
    return filled.split("---")


def _refill(narrow: bool) -> None:
    """Every live dataset's document made again (the rows stored as the table's settings now say)."""
    op.execute("DROP INDEX IF EXISTS ix_dataset_search_document")
    op.execute("TRUNCATE dataset_search")
    if narrow:
        op.execute("ALTER TABLE dataset_search ADD COLUMN pad text NOT NULL")
        op.execute("ALTER TABLE dataset_search ALTER COLUMN document SET STORAGE EXTERNAL")
        op.execute("ALTER TABLE dataset_search SET (toast_tuple_target = 128)")
    else:
        op.execute("ALTER TABLE dataset_search DROP COLUMN pad")
        op.execute("ALTER TABLE dataset_search ALTER COLUMN document SET STORAGE EXTENDED")
        op.execute("ALTER TABLE dataset_search RESET (toast_tuple_target)")
    for statement in _triggers(narrow):
        op.execute(statement)
    pad, padding = (", pad", f", {PAD}") if narrow else ("", "")
    op.execute(
        f"INSERT INTO dataset_search (dataset_id, document{pad}) "
        f"SELECT id, {_document('', narrow)}{padding} FROM datasets WHERE withdrawn_at IS NULL ORDER BY id"
    )
    op.execute("CREATE INDEX ix_dataset_search_document ON dataset_search USING gin (document)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_MARKED)
    _refill(narrow=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _refill(narrow=False)  # the triggers first: they call the function dropped next
    op.execute("DROP FUNCTION IF EXISTS catalog_search_marked(tsvector)")
