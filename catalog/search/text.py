"""Text for the search index: accent folding, tokens, a light Dutch/English stemmer, query terms.

The store keeps each dataset's searchable text already folded (lower case, accents stripped, one space
between tokens) in ``datasets.search_title``, ``search_keywords``, ``search_text`` (descriptions) and
``search_stems`` (the stem of every token of the other three). Folding in Python makes every backend
accent-insensitive the same way; the stems column gives stemming to backends that have none (SQLite FTS5).

The stemmer is deliberately light: it removes the common Dutch plural and diminutive endings
(``-en``, ``-s``, ``-je(s)``) and English plural endings (``-s``, ``-es`` after a sibilant), then a
final ``s`` and a doubled final consonant, so that ``fietsen``/``fiets``, ``bussen``/``bus``,
``straatjes``/``straat`` and ``bicycles``/``bicycle`` meet. It does not know irregular forms
(``straten``/``straat``, ``children``) nor ``-tje`` after a stem that does not end in t
(``stoeltje``); a full Snowball stemmer belongs to the PostgreSQL backend (``dutch`` configuration).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "MAX_QUERY_TERMS",
    "SEARCH_COLUMNS",
    "QueryTerm",
    "fold_tokens",
    "parse_query",
    "search_columns",
    "stem",
]

MAX_QUERY_TERMS = 12
"""Terms of a query beyond this many are ignored (each one is a condition on the index)."""

SEARCH_COLUMNS = ("search_title", "search_keywords", "search_text", "search_stems")
"""The ``datasets`` columns holding searchable text, in the order the full-text index has them."""

_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
"""``_WORD`` on lower-cased ASCII text (twice as fast: no Unicode categories to look up)."""
_ENDINGS = ("jes", "je", "en", "s")
_SIBILANT_ES = ("ses", "xes", "zes", "ches", "shes")
_VOWELS = frozenset("aeiouy")
_MIN_STEM = 3


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
"""The combining marks NFKD splits off accented letters (all of ``unicodedata.combining`` that Latin,
Greek and Cyrillic text use)."""


def fold_tokens(text: str) -> list[str]:
    """The words of ``text`` lower-cased and without accents: ``"Financiën, Sint-Niklaas"`` ->
    ``["financien", "sint", "niklaas"]``."""
    if text.isascii():  # most text: no normalisation, and the words are ASCII letters and digits
        return _ASCII_WORD.findall(text.lower())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text.casefold())


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A light stem of one folded token (see the module docstring); numbers are left alone."""
    if len(token) <= _MIN_STEM or not token.isalpha():
        return token
    word = token
    if word.endswith(_SIBILANT_ES) and len(word) - 2 >= _MIN_STEM:
        word = word[:-2]
    else:
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                word = word[: -len(ending)]
                break
    if word.endswith("s") and len(word) > _MIN_STEM:
        word = word[:-1]
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]
    return word


def _join(tokens: Iterable[str]) -> str:
    return " ".join(tokens)


def search_columns(
    title: dict[str, str], description: dict[str, str], keyword: dict[str, list[str]], preferred: str = "nl"
) -> dict[str, Any]:
    """The four search columns of a dataset row, from its multilingual title, description and keywords.

    The title in ``preferred`` language comes first, so ordering by ``search_title`` orders by it.
    """
    titles = sorted(title.items(), key=lambda item: (item[0] != preferred, item[0]))
    # Folding is per character and a space separates words, so the texts of a column are folded in
    # one go: the tokens are those of each text in turn.
    title_tokens = fold_tokens(" ".join(text for _, text in titles))
    keyword_tokens = fold_tokens(" ".join(word for words in keyword.values() for word in words))
    text_tokens = fold_tokens(" ".join(description.values()))
    stems = dict.fromkeys(map(stem, title_tokens + keyword_tokens + text_tokens))
    return {
        "search_title": _join(title_tokens) or None,
        "search_keywords": _join(keyword_tokens) or None,
        "search_text": _join(text_tokens) or None,
        "search_stems": _join(stems) or None,
    }


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One word of a search: matched as a word (or as a prefix, for the last one) or by its stem."""

    token: str
    stem: str
    prefix: bool


def parse_query(text: str | None) -> list[QueryTerm]:
    """The terms of a free-text query; the last is a prefix (search-as-you-type). Empty: no text query."""
    tokens = list(dict.fromkeys(fold_tokens(text or "")))[:MAX_QUERY_TERMS]
    last = len(tokens) - 1
    return [QueryTerm(t, stem(t), prefix=i == last) for i, t in enumerate(tokens)]
