"""Search: full text (SQLite FTS5, a LIKE fallback elsewhere) with filters and disjunctive facets.

``search(session, SearchQuery(...)) -> SearchResult``; the text backend is chosen by the database
(``backend_for``); aggregate counts for the municipality and statistics endpoints are in ``stats``.
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
