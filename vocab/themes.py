"""EU data themes: lookups from IRIs, codes, labels, Belgian and Flemish portal themes and keywords."""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote

from vocab._data import load
from vocab.concepts import Concept, Vocabulary, pick_label, vocabulary

__all__ = ["THEME_SCHEME", "all_themes", "lookup_theme", "theme_label"]

THEME_SCHEME = "http://publications.europa.eu/resource/authority/data-theme"

# Short English and Dutch names portals use for a whole theme (the project's own choices).
_OWN_ALIASES = {
    "AGRI": ("agriculture", "landbouw en visserij", "voeding"),
    "ECON": ("economy", "finance", "financien", "economie en werk", "werk en economie", "economie", "werk"),
    "EDUC": (
        "education",
        "culture",
        "cultuur en sport",
        "onderwijs en cultuur",
        "vrije tijd",
        "cultuur, sport en vrije tijd",
        "sport en vrije tijd",
        "cultuur en erfgoed",
        "onderwijs",
    ),
    "ENER": ("energy",),
    "ENVI": ("environment", "natuur en milieu", "klimaat", "milieu en natuur", "milieu en klimaat", "milieu"),
    "GOVE": ("government", "bestuur", "overheid en bestuur", "stadsbestuur", "public sector"),
    "HEAL": ("health", "gezondheid en welzijn", "zorg"),
    "INTR": ("international", "internationaal"),
    "JUST": ("justice", "justitie", "veiligheid", "safety"),
    "REGI": ("regions", "regions and cities", "ruimtelijke ordening", "ruimte"),
    "SOCI": ("population", "society", "samenleving", "welzijn", "demografie"),
    "TECH": ("science", "technology", "wetenschap", "technologie", "innovatie"),
    "TRAN": ("transport", "mobility", "verkeer", "mobiliteit en openbare werken", "mobiliteit en verkeer"),
}


@cache
def _themes() -> Vocabulary:
    themes = vocabulary("themes")
    by_iri = {c.iri: c for c in themes}
    mappings = load("theme-mappings")
    for concept in themes:
        for alias in _OWN_ALIASES.get(concept.code, ()):
            themes.add_alias(alias, concept)
    for other, target in mappings["iris"].items():
        if target in by_iri:
            themes.add_iri_alias(other, by_iri[target])
            if "/theme/" in other:
                themes.add_alias(unquote(other.rsplit("/", 1)[1]), by_iri[target])
    for belgian in mappings["belgif_themes"]:
        target = mappings["iris"].get(belgian["iri"])
        if target in by_iri:
            for text in belgian["labels"].values():
                themes.add_alias(text, by_iri[target])
    for word, target in mappings["words"].items():
        if target in by_iri:
            themes.add_alias(word, by_iri[target])
    return themes


def lookup_theme(text: str) -> str | None:
    """The EU data-theme IRI for an IRI (EU, Belgian, Gent ...), a code, a label or a mapped keyword."""
    return _themes().lookup(text)


def theme_label(iri: str, lang: str = "nl") -> str | None:
    """The label of an EU data theme in ``lang`` (nl, en, fr, de)."""
    concept = _themes().get(iri)
    return pick_label(concept.labels, lang) if concept else None


def all_themes() -> list[Concept]:
    """The 13 EU data themes, sorted by code."""
    return sorted(vocabulary("themes"), key=lambda c: c.code)
