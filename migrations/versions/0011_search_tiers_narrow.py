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

_SIGNATURE = "catalog_search_document(title text, keywords text, body text, stems text, record text)"

_LANGUAGES = """
    SELECT coalesce(bool_or(tag LIKE '%/NLD' OR tag = 'nl' OR tag LIKE 'nl-%'), false),
           coalesce(bool_or(tag LIKE '%/ENG' OR tag = 'en' OR tag LIKE 'en-%'), false)
      INTO dutch, english
      FROM (
        SELECT jsonb_array_elements_text(doc -> 'language') WHERE jsonb_typeof(doc -> 'language') = 'array'
        UNION ALL
        SELECT jsonb_object_keys(doc -> 'title') WHERE jsonb_typeof(doc -> 'title') = 'object'
        UNION ALL
        SELECT jsonb_object_keys(doc -> 'description') WHERE jsonb_typeof(doc -> 'description') = 'object'
      ) AS tags(tag);
    IF NOT (dutch OR english) THEN
        dutch := true;
        english := true;
    END IF;"""

_MARKED = """
CREATE FUNCTION catalog_search_marked(mark text, words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(ARRAY(SELECT mark || lexeme FROM unnest(tsvector_to_array(words)) AS lexeme))
$$"""

_DOCUMENT = f"""
CREATE OR REPLACE FUNCTION {_SIGNATURE}
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
    doc jsonb := record::jsonb;
    dutch boolean;
    english boolean;
    titled tsvector;
    keyed tsvector;
BEGIN{_LANGUAGES}
    titled := catalog_search_words(title, dutch, english);
    keyed := catalog_search_words(keywords, dutch, english);
    RETURN setweight(titled, 'A')
        || setweight(keyed, 'B')
        || setweight(catalog_search_words(body, dutch, english), 'C')
        || setweight(to_tsvector('catalog_simple', coalesce(stems, '')), 'D')
        || catalog_search_marked('T:', titled)
        || catalog_search_marked('K:', keyed);
END
$$"""

_PREVIOUS = f"""
CREATE OR REPLACE FUNCTION {_SIGNATURE}
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
    doc jsonb := record::jsonb;
    dutch boolean;
    english boolean;
BEGIN{_LANGUAGES}
    RETURN setweight(catalog_search_words(title, dutch, english), 'A')
        || setweight(catalog_search_words(keywords, dutch, english), 'B')
        || setweight(catalog_search_words(body, dutch, english), 'C')
        || setweight(to_tsvector('catalog_simple', coalesce(stems, '')), 'D');
END
$$"""


PAD = "repeat(' ', current_setting('block_size')::integer / 4)"
"""Every row's ``pad``: enough for the row to pass PostgreSQL's toasting threshold (a quarter block)."""

_TRIGGERS = """
CREATE OR REPLACE FUNCTION catalog_search_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO dataset_search (dataset_id, document{pad})
    SELECT id, catalog_search_document(search_title, search_keywords, search_text, search_stems, record){padding}
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
        VALUES (NEW.id, catalog_search_document(
            NEW.search_title, NEW.search_keywords, NEW.search_text, NEW.search_stems, NEW.record){padding})
        ON CONFLICT (dataset_id) DO UPDATE SET document = excluded.document{repad};
    ELSE
        DELETE FROM dataset_search WHERE dataset_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$"""


def _triggers(narrow: bool) -> list[str]:
    """The two trigger functions of migration 0007, writing ``pad`` when the table has it."""
    if narrow:
        filled = _TRIGGERS.format(
            pad=", pad", padding=f", {PAD}", repad=", pad = excluded.pad"
        )
    else:
        filled = _TRIGGERS.format(pad="", padding="", repad="")
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
        "SELECT id, catalog_search_document(search_title, search_keywords, search_text, search_stems, record)"
        f"{padding} FROM datasets WHERE withdrawn_at IS NULL ORDER BY id"
    )
    op.execute("CREATE INDEX ix_dataset_search_document ON dataset_search USING gin (document)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_MARKED)
    op.execute(_DOCUMENT)
    _refill(narrow=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_PREVIOUS)
    op.execute("DROP FUNCTION IF EXISTS catalog_search_marked(text, tsvector)")
    _refill(narrow=False)
