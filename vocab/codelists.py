"""EU authority tables and Flemish code lists: frequency, access rights, language, status, code lists."""

from __future__ import annotations

from functools import cache

from vocab._text import fold, iri_key
from vocab.concepts import Vocabulary, vocabulary

__all__ = [
    "lookup_access_rights",
    "lookup_dataset_status",
    "lookup_frequency",
    "lookup_language",
    "lookup_levensfase",
    "lookup_licence_type",
    "lookup_ontwikkelingstoestand",
    "lookup_publisher_type",
    "lookup_status",
    "lookup_statuut",
]

_AUTHORITY = "http://publications.europa.eu/resource/authority/"

# The project's own names and codes for concepts, by vocabulary and code.
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "frequencies": {
        "DAILY": ("R/P1D", "P1D", "dagelijks", "day", "http://purl.org/cld/freq/daily"),
        "WEEKLY": ("R/P1W", "P1W", "wekelijks", "week", "http://purl.org/cld/freq/weekly"),
        "MONTHLY": ("R/P1M", "P1M", "maandelijks", "month", "http://purl.org/cld/freq/monthly"),
        "QUARTERLY": ("R/P3M", "P3M", "driemaandelijks", "per kwartaal", "http://purl.org/cld/freq/quarterly"),
        "ANNUAL": ("R/P1Y", "P1Y", "yearly", "jaarlijks", "year", "http://purl.org/cld/freq/annual"),
        "ANNUAL_2": ("R/P6M", "P6M", "halfjaarlijks", "semiannual", "http://purl.org/cld/freq/semiannual"),
        "BIENNIAL": ("R/P2Y", "P2Y", "tweejaarlijks", "http://purl.org/cld/freq/biennial"),
        "IRREG": ("irregular", "onregelmatig", "http://purl.org/cld/freq/irregular"),
        "UPDATE_CONT": ("continuous", "continu", "realtime", "real-time", "live", "http://purl.org/cld/freq/continuous"),
        "NEVER": ("eenmalig", "nooit", "none", "geen"),
        "UNKNOWN": ("onbekend",),
    },
    "access-rights": {
        "PUBLIC": ("public", "openbaar", "publiek", "open"),
        "NON_PUBLIC": ("non-public", "niet publiek", "niet openbaar", "private"),
    },
    "distribution-status": {
        "COMPLETED": ("http://purl.org/adms/status/Completed", "active", "actief", "final"),
        "DEPRECATED": ("http://purl.org/adms/status/Deprecated", "verouderd"),
        "DEVELOP": ("http://purl.org/adms/status/UnderDevelopment", "under development", "in ontwikkeling"),
        "WITHDRAWN": ("http://purl.org/adms/status/Withdrawn", "ingetrokken"),
    },
}  # fmt: skip

RESTRICTED = _AUTHORITY + "access-right/RESTRICTED"
"""The EU access right for restricted access (not in the reference table, part of the EU vocabulary)."""


@cache
def _vocab(name: str) -> Vocabulary:
    vocab = vocabulary(name)
    by_code = {c.code: c for c in vocab}
    for code, aliases in _ALIASES.get(name, {}).items():
        for alias in aliases:
            if alias.startswith("http"):
                vocab.add_iri_alias(alias, by_code[code])
            else:
                vocab.add_alias(alias, by_code[code])
    return vocab


def lookup_frequency(text: str) -> str | None:
    """EU frequency IRI from an IRI, code, label ("wekelijks"), ISO 8601 ("R/P1W") or DC freq IRI."""
    return _vocab("frequencies").lookup(text)


_RESTRICTED_WORDS = {
    "restricted",
    "restricted public",
    "beperkt",
    "restreint",
    "eingeschrankt",
    "restricted access",
}


def lookup_access_rights(text: str) -> str | None:
    """EU access-right IRI (PUBLIC, NON_PUBLIC, RESTRICTED) from an IRI, code, label or DCAT-US level."""
    key = fold(text)
    if key in _RESTRICTED_WORDS or iri_key(text) == iri_key(RESTRICTED):
        return RESTRICTED
    return _vocab("access-rights").lookup(text)


@cache
def _languages() -> Vocabulary:
    vocab = vocabulary("languages")
    for concept in vocab:
        for key in ("iso639_1", "iso639_2t", "iso639_2b"):
            code = concept.extra.get(key)
            if code:
                vocab.add_alias(code, concept)
                vocab.add_iri_alias(
                    f"http://id.loc.gov/vocabulary/iso639-{2 if '2' in key else 1}/{code}", concept
                )
    vocab.add_alias("Nederlands", vocab.get(_AUTHORITY + "language/NLD") or next(iter(vocab)))
    vocab.add_alias("Vlaams", vocab.get(_AUTHORITY + "language/NLD") or next(iter(vocab)))
    vocab.add_alias("Français", vocab.get(_AUTHORITY + "language/FRA") or next(iter(vocab)))
    vocab.add_alias("Deutsch", vocab.get(_AUTHORITY + "language/DEU") or next(iter(vocab)))
    return vocab


def lookup_language(text: str) -> str | None:
    """EU language IRI from a BCP 47 tag ("nl", "nl-BE"), ISO 639 code, name, id.loc.gov or EU IRI."""
    vocab = _languages()
    found = vocab.lookup(text)
    if found is None and not text.strip().lower().startswith("http"):
        primary = text.strip().replace("_", "-").split("-", 1)[0]
        if primary != text.strip():
            found = vocab.lookup(primary)
    return found


def lookup_status(text: str) -> str | None:
    """EU distribution-status IRI (also from ADMS status IRIs and names)."""
    return _vocab("distribution-status").lookup(text)


def lookup_dataset_status(text: str) -> str | None:
    """ADMS status IRI (Completed, Deprecated, UnderDevelopment, Withdrawn)."""
    return _vocab("dataset-status").lookup(text)


def lookup_levensfase(text: str) -> str | None:
    """Flemish levensfase IRI (design, live, sunset, deprecated) from an IRI, code or label."""
    return _vocab("levensfase").lookup(text)


def lookup_ontwikkelingstoestand(text: str) -> str | None:
    """Flemish ontwikkelingstoestand IRI (DEV, TEST, BETA, TNI, ...) from an IRI, code or label."""
    return _vocab("ontwikkelingstoestand").lookup(text)


def lookup_statuut(text: str) -> str | None:
    """GDI-Vlaanderen keyword IRI for mdcat:statuut (e.g. VLOPENDATA)."""
    return _vocab("statuut").lookup(text)


def lookup_publisher_type(text: str) -> str | None:
    """ADMS publisher-type IRI (LocalAuthority, RegionalAuthority ...)."""
    return _vocab("publisher-types").lookup(text)


def lookup_licence_type(text: str) -> str | None:
    """ADMS licence-type IRI (Attribution, PublicDomain ...)."""
    return _vocab("licence-types").lookup(text)
