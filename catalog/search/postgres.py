"""PostgreSQL full-text search: ``tsvector`` documents in ``dataset_search`` (migrations 0007, 0011).

Each live dataset has one weighted document: its title (A), keywords (B) and descriptions (C), each as the
words themselves (``catalog_simple``: for prefixes and stop words) and as Snowball stems in the dataset's
language(s) (``catalog_nl``: ``dutch``, ``catalog_en``: ``english``; both when the language is not
known), plus the light stems of ``catalog.search.text`` (D). All three configurations fold accents with
``unaccent`` first. The title's lexemes are there a second time with the mark ``TITLE_MARK``, the
keywords' with ``KEYWORDS_MARK``.

A query term (``catalog.search.text.QueryTerm``, already folded) matches the word itself (the last term
also as a prefix, ``:*``), its Dutch or English Snowball stem, or its light stem; every term is required.
The datasets whose titles (keywords) alone match are those matching the same query with every lexeme
marked. No query carries a weight, so the GIN index answers it exactly and PostgreSQL reads no document
to find the matches: only the narrow rows of ``dataset_search`` (the documents are stored out of line),
which is what makes a word matching a large part of the catalogue affordable.
Ranks are ``ts_rank_cd`` with the weights ``RANK_WEIGHTS`` (the FTS5 ones, scaled to 1), normalised by
document length and to 0..1, negated so that lower is better as the search engine expects.

The lexemes of a query's words are looked up in the three configurations once (one round trip, then
cached in the process) and the query is written as one ``tsquery`` constant without repeated
alternatives: PostgreSQL plans it without calling a function, and ``ts_rank_cd`` (whose cost grows with
the query's size) ranks about twice as fast as over the same query built by ``to_tsquery`` calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    cast,
    column,
    false,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog.exceptions import StoreError
from catalog.search.backend import TierColumn
from catalog.search.text import QueryTerm

__all__ = [
    "CONFIGURATIONS",
    "KEYWORDS_MARK",
    "RANK_NORMALISATION",
    "RANK_WEIGHTS",
    "TITLE_MARK",
    "PostgresBackend",
    "ensure_extension",
    "lexemes",
    "tsquery_text",
]

CONFIGURATIONS = ("catalog_simple", "catalog_nl", "catalog_en")
"""The text search configurations a query term is looked up in (made by migration 0007)."""

RANK_WEIGHTS = (0.2, 0.1, 0.5, 1.0)
"""``ts_rank_cd`` weights of D (light stems), C (descriptions), B (keywords), A (titles)."""

RANK_NORMALISATION = 1 | 32
"""Rank divided by 1 + log(document length), then scaled to 0..1 (``rank / (rank + 1)``)."""

MAX_LEXEME_BYTES = 2000
"""PostgreSQL ignores words over 2047 bytes; a longer query word is cut (it can match nothing anyway)."""

TITLE_MARK = "T:"
KEYWORDS_MARK = "K:"
"""Prefixes of the marked copies of a document's title and keyword lexemes (migration 0011); upper case,
which no configuration's lexeme is."""

_MARK = {"title": TITLE_MARK, "keywords": KEYWORDS_MARK}
_SEARCH = table("dataset_search", column("dataset_id"), column("document"))
_EXTENSION_LOCK = 7_042_020_260_007
"""Advisory lock key: two migrations creating the extension at once would collide."""


def _quoted(lexeme: str) -> str:
    """One lexeme quoted for ``tsquery`` input."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _bounded(word: str) -> str:
    return word.encode("utf-8")[:MAX_LEXEME_BYTES].decode("utf-8", "ignore")


_Lexemes = tuple[tuple[str, ...], ...]
"""A word's lexemes in each of ``CONFIGURATIONS`` (none for a stop word, several if the parser splits it)."""

_LOOKUP = text(
    "SELECT w, tsvector_to_array(to_tsvector('catalog_simple', w)), "
    "tsvector_to_array(to_tsvector('catalog_nl', w)), tsvector_to_array(to_tsvector('catalog_en', w)) "
    "FROM unnest(CAST(:words AS text[])) AS w"
)
_cache: dict[str, _Lexemes] = {}
_CACHE_SIZE = 65536


def lexemes(session: Session, words: Sequence[str]) -> dict[str, _Lexemes]:
    """Each word's lexemes in the three configurations (one query for the words not seen before).

    The cache is shared by threads: it is only read by ``get`` and written whole entries at a time.
    """
    found: dict[str, _Lexemes] = {}
    missing = []
    for word in dict.fromkeys(words):
        known = _cache.get(word)
        if known is None:
            missing.append(word)
        else:
            found[word] = known
    if missing:
        fetched = {
            word: tuple(tuple(sorted(lexemes_ or ())) for lexemes_ in configurations)
            for word, *configurations in session.execute(_LOOKUP, {"words": missing})
        }
        if len(_cache) + len(fetched) > _CACHE_SIZE:
            _cache.clear()
        _cache.update(fetched)
        found.update(fetched)
    return found


def _group(parts: Sequence[str], suffix: str, mark: str) -> str:
    """Several lexemes from one word must all be there (rare: the parser split the word)."""
    quoted = [_quoted(mark + p) + suffix for p in parts]
    return quoted[0] if len(quoted) == 1 else "(" + " & ".join(quoted) + ")"


def tsquery_text(terms: Sequence[QueryTerm], found: dict[str, _Lexemes], mark: str = "") -> str | None:
    """The ``tsquery`` every document must match (None: no word has a lexeme, so nothing can match).

    Each term: its word (as a prefix when it is the last), its light stem, its Snowball stems, as
    alternatives without repeats. ``mark`` (``TITLE_MARK``, ``KEYWORDS_MARK``) prefixes every lexeme, so
    that only that part's marked copies match. A word the parser makes no lexeme of (a symbol) cannot be
    in any document and is left out.
    """
    clauses = []
    for term in terms:
        word = _bounded(term.token)
        simple, dutch, english = found[word]
        if not simple:
            continue
        alternatives = [_group(simple, ":*" if term.prefix else "", mark)]
        stem = _bounded(term.stem)
        if stem != word and found[stem][0]:
            alternatives.append(_group(found[stem][0], "", mark))
        for stems in (dutch, english):
            if stems:
                alternatives.append(_group(stems, "", mark))
        if term.prefix:  # the word itself is found by its prefix already
            alternatives = [a for a in alternatives if a != _group(simple, "", mark)] or alternatives
        unique = list(dict.fromkeys(alternatives))
        clauses.append(unique[0] if len(unique) == 1 else "(" + " | ".join(unique) + ")")
    return " & ".join(clauses) if clauses else None


def _constant(value: str) -> Any:
    """A string rendered into the statement as a literal, so the planner sees the query as a constant."""
    return bindparam(None, value, literal_execute=True)


def _weights() -> ColumnElement[Any]:
    return literal_column("'{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}'::float4[]")


class PostgresBackend:
    """PostgreSQL full text over ``dataset_search`` (the table holds live datasets only).

    Made per session (``backend_for``): the session looks the query's lexemes up.
    """

    name = "postgresql-fts"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _query(self, terms: Sequence[QueryTerm], mark: str = "") -> ColumnElement[Any] | None:
        words = [_bounded(w) for term in terms for w in (term.token, term.stem)]
        query = tsquery_text(terms, lexemes(self.session, words), mark)
        return None if query is None else cast(_constant(query), TSQUERY)

    def _matching(self, query: ColumnElement[Any] | None, *columns: Any) -> Select[Any]:
        select_ = select(_SEARCH.c.dataset_id, *columns)
        return select_.where(false() if query is None else _SEARCH.c.document.op("@@")(query))

    def matches(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        return self._matching(self._query(terms))

    def ranked(self, terms: Sequence[QueryTerm]) -> Select[Any]:
        query = self._query(terms)
        if query is None:
            return self._matching(None, literal_column("0.0").label("rank"))
        rank = func.ts_rank_cd(_weights(), _SEARCH.c.document, query, literal_column(str(RANK_NORMALISATION)))
        return self._matching(query, (-rank).label("rank"))

    def matches_in(self, terms: Sequence[QueryTerm], column: TierColumn) -> Select[Any]:
        return self._matching(self._query(terms, _MARK[column]))


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
