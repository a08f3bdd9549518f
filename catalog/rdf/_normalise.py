"""Adapter from the RDF reader to the vocabulary lookups of :mod:`vocab`.

Each function takes the text a feed gave (an IRI, a label, a code) and returns a canonical IRI or None.
Until a ``vocab`` module is importable, its lookup falls back to keeping absolute IRIs as they are.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import lru_cache

__all__ = [
    "access_rights",
    "file_format",
    "frequency",
    "is_iri",
    "language",
    "licence",
    "media_type",
    "status",
    "theme",
]

Lookup = Callable[[str], "str | None"]

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


@lru_cache(maxsize=65536)
def is_iri(text: str) -> bool:
    """True when ``text`` is an absolute IRI the record model accepts."""
    return _IRI.fullmatch(text) is not None


def _identity(text: str) -> str | None:
    return text if is_iri(text) else None


def _load(module: str, name: str) -> Lookup:
    try:
        found: Lookup = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return _identity
    return found


def _cached(module: str, name: str) -> Lookup:
    lookup = _load(module, name)

    @lru_cache(maxsize=4096)
    def run(text: str) -> str | None:
        text = text.strip()
        if not text:
            return None
        try:
            return lookup(text)
        except (OSError, LookupError, ValueError, TypeError):
            # The vocabulary tables are unavailable or refuse the text: keep IRIs as they are.
            return _identity(text)

    return run


licence = _cached("vocab.licences", "lookup_licence")
file_format = _cached("vocab.formats", "lookup_format")
media_type = _cached("vocab.formats", "lookup_media_type")
theme = _cached("vocab.themes", "lookup_theme")
frequency = _cached("vocab.codelists", "lookup_frequency")
access_rights = _cached("vocab.codelists", "lookup_access_rights")
language = _cached("vocab.codelists", "lookup_language")
status = _cached("vocab.codelists", "lookup_status")
