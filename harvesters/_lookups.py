"""The :mod:`vocab` lookups the JSON portal mappings use, each remembered per text.

Portals repeat the same formats, licences, themes and languages on every record, so a lookup answers
from its cache after the first time. Import the module, not the names: ``lookups.theme(text)``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from vocab import codelists, formats, licences, themes

__all__ = [
    "Lookup",
    "access_rights",
    "file_format",
    "frequency",
    "language",
    "licence",
    "media_type",
    "theme",
]

Lookup = Callable[[str], str | None]
"""A vocabulary lookup: the canonical IRI for a text, or None when the vocabulary does not know it."""


def _cached(lookup: Lookup) -> Lookup:
    return lru_cache(maxsize=8192)(lookup)


access_rights = _cached(codelists.lookup_access_rights)
frequency = _cached(codelists.lookup_frequency)
language = _cached(codelists.lookup_language)
file_format = _cached(formats.lookup_format)
media_type = _cached(formats.lookup_media_type)
licence = _cached(licences.lookup_licence)
theme = _cached(themes.lookup_theme)
