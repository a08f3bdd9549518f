"""Search on PostgreSQL: a weighted ``tsvector`` per live dataset in ``dataset_search``, GIN-indexed.

PostgreSQL only (nothing happens on SQLite, where migration 0003's FTS5 index does this work).

- The ``unaccent`` extension (created if missing; a clear error when the server lacks it) and three text
  search configurations that fold accents before their dictionaries: ``catalog_simple`` (words as they
  are: prefixes and stop words), ``catalog_nl`` (Snowball ``dutch``) and ``catalog_en`` (``english``).
- ``catalog_search_document(...)``: a dataset's document from its folded search columns (migration 0003):
  title weight A, keywords B, descriptions C, each as words and as Snowball stems in the dataset's
  language(s) (``dct:language`` NLD/ENG or nl/en text tags; both when neither is known), and the light
  stems of ``search_stems`` as D, so that PostgreSQL finds at least what FTS5 finds.
- ``dataset_search(dataset_id, document)``: one row per live dataset (like the FTS5 index), a GIN index
  on ``document``, kept in step by triggers on ``datasets``: a statement trigger for inserts (``COPY`` of a
  whole batch: one ``INSERT ... SELECT``), a row trigger for updates of the searched columns, the record or
  the withdrawal (touching ``last_seen`` does not fire it); deletes cascade.

The functions pin the ``search_path`` they were created under, so the triggers find the table and the
configurations whatever the writing session's path.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEARCHED = ("search_title", "search_keywords", "search_text", "search_stems", "record")
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _SEARCHED)


def _configurations(unaccent: str) -> list[str]:
    """The three configurations, each folding accents (``unaccent``) before its dictionary."""
    statements = []
    for name, copy, stemmer in (
        ("catalog_simple", "simple", "simple"),
        ("catalog_nl", "dutch", "dutch_stem"),
        ("catalog_en", "english", "english_stem"),
    ):
        statements += [
            f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{copy})",
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR word, hword, hword_part "
            f"WITH {unaccent}, {stemmer}",
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR numword, numhword "
            f"WITH {unaccent}, simple",
        ]
    return statements


_FUNCTIONS = [
    """
CREATE FUNCTION catalog_search_words(words text, dutch boolean, english boolean) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
    SELECT to_tsvector('catalog_simple', coalesce(words, ''))
        || CASE WHEN dutch THEN to_tsvector('catalog_nl', coalesce(words, '')) ELSE ''::tsvector END
        || CASE WHEN english THEN to_tsvector('catalog_en', coalesce(words, '')) ELSE ''::tsvector END
$$""",
    """
CREATE FUNCTION catalog_search_document(title text, keywords text, body text, stems text, record text)
RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
DECLARE
    doc jsonb := record::jsonb;
    dutch boolean;
    english boolean;
BEGIN
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
    END IF;
    RETURN setweight(catalog_search_words(title, dutch, english), 'A')
        || setweight(catalog_search_words(keywords, dutch, english), 'B')
        || setweight(catalog_search_words(body, dutch, english), 'C')
        || setweight(to_tsvector('catalog_simple', coalesce(stems, '')), 'D');
END
$$""",
    """
CREATE FUNCTION catalog_search_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO dataset_search (dataset_id, document)
    SELECT id, catalog_search_document(search_title, search_keywords, search_text, search_stems, record)
      FROM inserted WHERE withdrawn_at IS NULL;
    RETURN NULL;
END
$$""",
    """
CREATE FUNCTION catalog_search_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.withdrawn_at IS NULL THEN
        INSERT INTO dataset_search (dataset_id, document)
        VALUES (NEW.id, catalog_search_document(
            NEW.search_title, NEW.search_keywords, NEW.search_text, NEW.search_stems, NEW.record))
        ON CONFLICT (dataset_id) DO UPDATE SET document = excluded.document;
    ELSE
        DELETE FROM dataset_search WHERE dataset_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$""",
]

_TABLE = [
    "CREATE TABLE dataset_search (dataset_id bigint NOT NULL, document tsvector NOT NULL, "
    "CONSTRAINT pk_dataset_search PRIMARY KEY (dataset_id), "
    "CONSTRAINT fk_dataset_search_dataset_id_datasets FOREIGN KEY (dataset_id) "
    "REFERENCES datasets (id) ON DELETE CASCADE)",
    "INSERT INTO dataset_search (dataset_id, document) "
    "SELECT id, catalog_search_document(search_title, search_keywords, search_text, search_stems, record) "
    "FROM datasets WHERE withdrawn_at IS NULL",
    "CREATE INDEX ix_dataset_search_document ON dataset_search USING gin (document)",
    "CREATE TRIGGER dataset_search_insert AFTER INSERT ON datasets REFERENCING NEW TABLE AS inserted "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_inserted()",
    f"CREATE TRIGGER dataset_search_update AFTER UPDATE OF {', '.join(_SEARCHED)}, withdrawn_at ON datasets "
    f"FOR EACH ROW WHEN ({_CHANGED} OR (OLD.withdrawn_at IS NULL) <> (NEW.withdrawn_at IS NULL)) "
    "EXECUTE FUNCTION catalog_search_updated()",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from catalog.search.postgres import ensure_extension

    schema = ensure_extension(bind, "unaccent")
    quoted = bind.dialect.identifier_preparer.quote(schema)
    for statement in (*_configurations(f"{quoted}.unaccent"), *_FUNCTIONS, *_TABLE):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (
        "DROP TRIGGER IF EXISTS dataset_search_update ON datasets",
        "DROP TRIGGER IF EXISTS dataset_search_insert ON datasets",
        "DROP TABLE IF EXISTS dataset_search",
        "DROP FUNCTION IF EXISTS catalog_search_updated()",
        "DROP FUNCTION IF EXISTS catalog_search_inserted()",
        "DROP FUNCTION IF EXISTS catalog_search_document(text, text, text, text, text)",
        "DROP FUNCTION IF EXISTS catalog_search_words(text, boolean, boolean)",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS catalog_en",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS catalog_nl",
        "DROP TEXT SEARCH CONFIGURATION IF EXISTS catalog_simple",
    ):
        op.execute(statement)
    # the unaccent extension stays: it belongs to the database and other schemas may use it
