"""Search: full text (SQLite FTS5, PostgreSQL full text, LIKE elsewhere), filters, disjunctive facets.

``search(session, SearchQuery(...)) -> SearchResult``. Modules: ``text`` (folding, light stemming,
query terms), ``backend`` (which datasets match the words: ``TextBackend``, chosen by the database),
``postgres`` (the PostgreSQL backend),
``facets`` (each facet's table, values and labels), ``memory`` (facet values as bitsets, for counting
and filtering in memory), ``engine`` (one search), ``stats`` (municipality and catalogue counts).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.search.backend import Fts5Backend, LikeBackend, TextBackend, backend_for
    from catalog.search.engine import FacetValue, SearchQuery, SearchResult, Sort, SortDirection, search
    from catalog.search.facets import FACETS
    from catalog.search.postgres import PostgresBackend

_EXPORTS = {
    "FACETS": "facets",
    "FacetValue": "engine",
    "Fts5Backend": "backend",
    "LikeBackend": "backend",
    "PostgresBackend": "postgres",
    "SearchQuery": "engine",
    "SearchResult": "engine",
    "Sort": "engine",
    "SortDirection": "engine",
    "TextBackend": "backend",
    "backend_for": "backend",
    "search": "engine",
}
"""Names this package offers, by module: imported when first asked for, so that a process needing only
``catalog.search.text`` (a page reader folding search text) does not load the search engine (numpy, the
facet index) with it."""


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
