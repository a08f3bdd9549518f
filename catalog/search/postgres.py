"""PostgreSQL full-text search: ``tsvector`` documents in ``dataset_search`` (migration 0007), GIN-indexed.

Each live dataset has one weighted document: its title (A), keywords (B) and descriptions (C), each as the
words themselves (``catalog_simple``: for prefixes and stop words) and as Snowball stems in the dataset's
language(s) (``catalog_nl``: ``dutch``, ``catalog_en``: ``english``; both when the language is not
known), plus the light stems of ``catalog.search.text`` (D). All three configurations fold accents with
``unaccent`` first.

A query term (``catalog.search.text.QueryTerm``, already folded) matches the word itself (the last term
also as a prefix, ``:*``), its Dutch or English Snowball stem, or its light stem; every term is required.
Ranks are ``ts_rank_cd`` with the weights ``RANK_WEIGHTS`` (the FTS5 ones, scaled to 1), normalised by
document length and to 0..1, negated so that lower is better as the search engine expects.

The tsquery text is rendered into the SQL as constants, so PostgreSQL builds the query once when it plans
the statement, never once per ranked row; it is made of folded word tokens only, quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from catalog.exceptions import StoreError
from catalog.search.backend import TierColumn
from catalog.search.text import QueryTerm

__all__ = [
    "CONFIGURATIONS",
    "RANK_NORMALISATION",
    "RANK_WEIGHTS",
    "PostgresBackend",
    "ensure_extension",
    "tsquery",
]

CONFIGURATIONS = ("catalog_simple", "catalog_nl", "catalog_en")
"""The text search configurations a query term is looked up in (made by migration 0007)."""

RANK_WEIGHTS = (0.2, 0.1, 0.5, 1.0)
"""``ts_rank_cd`` weights of D (light stems), C (descriptions), B (keywords), A (titles)."""

RANK_NORMALISATION = 1 | 32
"""Rank divided by 1 + log(document length), then scaled to 0..1 (``rank / (rank + 1)``)."""

MAX_LEXEME_BYTES = 2000
"""PostgreSQL ignores words over 2047 bytes; a longer query word is cut (it can match nothing anyway)."""

_WEIGHT = {"title": "A", "keywords": "B"}
_SEARCH = table("dataset_search", column("dataset_id"), column("document"))
_EXTENSION_LOCK = 7_042_020_260_007
"""Advisory lock key: two migrations creating the extension at once would collide."""


def _lexeme(word: str) -> str:
    """One word quoted for ``to_tsquery`` (folded tokens hold letters and digits only; quoted anyway)."""
    word = word.encode("utf-8")[:MAX_LEXEME_BYTES].decode("utf-8", "ignore")
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _constant(value: str) -> Any:
    """A string rendered into the statement as a literal, so the planner folds the query once."""
    return bindparam(None, value, literal_execute=True)


def _to_tsquery(configuration: str, query: str) -> ColumnElement[Any]:
    return func.to_tsquery(literal_column(f"'{configuration}'::regconfig"), _constant(query), type_=TSQUERY)


def tsquery(terms: Sequence[QueryTerm], weight: str = "") -> ColumnElement[Any]:
    """The query every document must match: each term as a word (or prefix), Snowball stem or light stem.

    ``weight`` (``"A"``, ``"B"``) restricts every term to that part of the document.
    """
    label = f":{weight}" if weight else ""
    query: ColumnElement[Any] | None = None
    for term in terms:
        word = _lexeme(term.token)
        words = f"{word}:*{weight}" if term.prefix else word + label
        if term.stem != term.token:
            words += f" | {_lexeme(term.stem)}{label}"
        alternatives = _to_tsquery("catalog_simple", words)
        for configuration in CONFIGURATIONS[1:]:
            alternatives = alternatives.op("||", return_type=TSQUERY)(
                _to_tsquery(configuration, word + label)
            )
        query = alternatives if query is None else query.op("&&", return_type=TSQUERY)(alternatives)
    if query is None:
        raise ValueError("a text query needs at least one term")
    return query


def _weights() -> ColumnElement[Any]:
    return literal_column("'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]")


class PostgresBackend:
    """PostgreSQL full text over ``dataset_search`` (the table holds live datasets only)."""

    name = "postgresql-fts"

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        return select(_SEARCH.c.dataset_id).where(_SEARCH.c.document.op("@@")(tsquery(terms)))

    def ranked(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        query = tsquery(terms)
        rank = func.ts_rank_cd(_weights(), _SEARCH.c.document, query, RANK_NORMALISATION)
        return select(_SEARCH.c.dataset_id, (-rank).label("rank")).where(_SEARCH.c.document.op("@@")(query))

    def matches_in(self, terms: Sequence[QueryTerm], column: TierColumn) -> Select[Any]:
        query = tsquery(terms, _WEIGHT[column])
        return select(_SEARCH.c.dataset_id).where(_SEARCH.c.document.op("@@")(query))


def ensure_extension(connection: Connection, name: str) -> str:
    """Create the extension ``name`` unless it is there; the schema it lives in.

    A new extension goes to ``public`` when that schema exists and may be written to (so that dropping an
    application schema never drops it), else to the current schema. Raises ``StoreError`` saying what to
    do when the server does not have the extension or the user may not create it.
    """
    find = text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = :name"
    )
    schema = connection.execute(find, {"name": name}).scalar()
    if schema is not None:
        return str(schema)
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _EXTENSION_LOCK})
    schema = connection.execute(find, {"name": name}).scalar()
    if schema is not None:
        return str(schema)
    available = text("SELECT 1 FROM pg_available_extensions WHERE name = :name")
    if connection.execute(available, {"name": name}).first() is None:
        raise StoreError(
            f"the PostgreSQL extension {name!r} is not available on this server; install the server's "
            f"contrib package (Debian/Ubuntu: postgresql-contrib) and run the migration again"
        )
    public = text("SELECT has_schema_privilege(oid, 'CREATE') FROM pg_namespace WHERE nspname = 'public'")
    if connection.execute(public).scalar():
        target = "public"
    else:
        current = connection.execute(text("SELECT current_schema()")).scalar()
        if current is None:
            raise StoreError("no schema to create the extension in: set a search_path that names one")
        target = str(current)
    quote = connection.dialect.identifier_preparer.quote
    try:
        with connection.begin_nested():
            connection.execute(text(f"CREATE EXTENSION IF NOT EXISTS {quote(name)} SCHEMA {quote(target)}"))
    except DBAPIError as exc:
        raise StoreError(
            f"could not create the PostgreSQL extension {name!r} ({str(exc.orig).strip()}); ask the "
            f"database's owner or a superuser to run: CREATE EXTENSION {name};"
        ) from exc
    return target
