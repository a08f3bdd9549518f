"""Search: full text (SQLite FTS5, a LIKE fallback elsewhere) with filters and disjunctive facets.

``search(session, SearchQuery(...)) -> SearchResult``. Modules: ``text`` (folding, light stemming,
query terms), ``backend`` (which datasets match the words: ``TextBackend``, chosen by the database),
``facets`` (each facet's table, values and labels), ``memory`` (facet values as bitsets, for counting
and filtering in memory), ``engine`` (one search), ``stats`` (municipality and catalogue counts).
"""

from __future__ import annotations

from catalog.search.backend import Fts5Backend, LikeBackend, TextBackend, backend_for
from catalog.search.engine import FacetValue, SearchQuery, SearchResult, Sort, SortDirection, search
from catalog.search.facets import FACETS

__all__ = [
    "FACETS",
    "FacetValue",
    "Fts5Backend",
    "LikeBackend",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "SortDirection",
    "TextBackend",
    "backend_for",
    "search",
]
