"""Folding ASCII text takes a shorter path than other text; both must give the same words."""

from __future__ import annotations

import re

from catalog.search.text import fold_tokens, search_columns


def test_ascii_text_folds_as_unicode_text_does() -> None:
    text = "Snake_case, CamelCase2024 & e-mail: info@gent.be\t(v1.0) -- 'quoted'\n"
    assert fold_tokens(text) == re.findall(r"[^\W_]+", text.casefold())
    assert fold_tokens(text) == [
        "snake",
        "case",
        "camelcase2024",
        "e",
        "mail",
        "info",
        "gent",
        "be",
        "v1",
        "0",
        "quoted",
    ]
    assert fold_tokens(text + "é") == [*fold_tokens(text), "e"]


def test_columns_fold_each_text_in_turn() -> None:
    columns = search_columns(
        {"en": "Trees", "nl": "Bomen_lijst"},
        {"nl": "Straatbomen in Gent", "en": "Financiën"},
        {"nl": ["bomen", "Café's"], "en": ["trees"]},
    )
    assert columns == {
        "search_title": "bomen lijst trees",
        "search_keywords": "bomen cafe s trees",
        "search_text": "straatbomen in gent financien",
        "search_stems": "bom lijst tree cafe s straatbom in gent financi",
    }
