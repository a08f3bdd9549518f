"""Search: full text (SQLite FTS5, PostgreSQL full text, LIKE elsewhere), filters, disjunctive facets.

``search(session, SearchQuery(...)) -> SearchResult``. Modules: ``text`` (folding, light stemming,
query terms), ``backend`` (which datasets match the words: ``TextBackend``, chosen by the database),
``postgres`` (the PostgreSQL backend),
``facets`` (each facet's table, values and labels), ``memory`` (facet values as bitsets, for counting
and filtering in memory), ``engine`` (one search), ``stats`` (municipality and catalogue counts).
"""

from __future__ import annotations

from catalog.search.backend import Fts5Backend, LikeBackend, TextBackend, backend_for
from catalog.search.engine import FacetValue, SearchQuery, SearchResult, Sort, SortDirection, search
from catalog.search.facets import FACETS
from catalog.search.postgres import PostgresBackend

__all__ = [
    "FACETS",
    "FacetValue",
    "Fts5Backend",
    "LikeBackend",
    "PostgresBackend",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "SortDirection",
    "TextBackend",
    "backend_for",
    "search",
]
