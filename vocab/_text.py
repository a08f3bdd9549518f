"""Normalised keys for tolerant lookups: folded text and scheme-less IRIs."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

__all__ = ["fold", "iri_key", "looks_like_iri"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip accents, turn every run of other characters into one space.

    ``"Économie & Financiën "`` -> ``"economie financien"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NON_ALNUM.sub(" ", bare).strip()


def looks_like_iri(text: str) -> bool:
    """True for ``http(s)://`` and ``urn:`` strings."""
    lowered = text.strip().lower()
    return lowered.startswith(("http://", "https://", "urn:"))


def iri_key(iri: str) -> str:
    """A key equal for IRIs that differ only in http/https, ``www.``, case, escapes or a final slash."""
    text = iri.strip().strip("<>").strip()
    lowered = unquote(text).lower()
    for scheme in ("https://", "http://"):
        if lowered.startswith(scheme):
            lowered = lowered[len(scheme) :]
            break
    lowered = lowered.removeprefix("www.")
    return lowered.rstrip("/")
