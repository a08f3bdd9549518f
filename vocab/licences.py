"""Licences: canonical IRIs from the many ways portals name them, labels, and openness."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from vocab._licence_table import EU_LICENCE, LICENCES
from vocab._text import fold, iri_key, looks_like_iri
from vocab.concepts import pick_label

__all__ = [
    "EU_LICENCE_SCHEME",
    "Licence",
    "all_licences",
    "is_open_licence",
    "licence_label",
    "lookup_licence",
]

EU_LICENCE_SCHEME = EU_LICENCE.rstrip("/")


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence the catalogue knows: canonical IRI, labels, whether it is an open licence."""

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    open: bool = False

    @property
    def scheme(self) -> str | None:
        """The EU licence authority table for EU licence IRIs, else None."""
        return EU_LICENCE_SCHEME if self.iri.startswith(EU_LICENCE) else None


@cache
def _index() -> tuple[dict[str, Licence], dict[str, Licence], dict[str, Licence]]:
    """(IRI key -> licence for canonical IRIs, IRI key -> licence for alias URLs, folded text -> licence)."""
    canonical: dict[str, Licence] = {}
    urls: dict[str, Licence] = {}
    texts: dict[str, Licence] = {}
    for iri, (labels, is_open, aliases) in LICENCES.items():
        licence = Licence(iri, dict(labels), is_open)
        canonical[iri_key(iri)] = licence
        code = iri.rsplit("/", 1)[-1] if iri.startswith(EU_LICENCE) else None
        for text in (*labels.values(), *aliases, *([code] if code else [])):
            if looks_like_iri(text) or ("/" in text and "." in text.split("/", 1)[0]):
                urls.setdefault(_url_key(text), licence)
            else:
                texts.setdefault(fold(text), licence)
    return canonical, urls, texts


def _url_key(url: str) -> str:
    """IRI key without the human-readable tails of CC/ODC URLs (``/legalcode``, ``/deed.nl`` ...)."""
    parts = iri_key(url).split("/")
    while len(parts) > 1 and (parts[-1].startswith(("legalcode", "deed")) or parts[-1] in {"", "summary"}):
        parts.pop()
    return "/".join(parts).removesuffix(".html")


def lookup_licence(text: str) -> str | None:
    """The canonical licence IRI for an IRI, URL, SPDX or CKAN id or a licence name; None if unknown."""
    text = text.strip()
    if not text:
        return None
    canonical, urls, texts = _index()
    if looks_like_iri(text) or text.startswith(("www.", "creativecommons.org", "opendatacommons.org")):
        found = canonical.get(iri_key(text)) or urls.get(_url_key(text))
        return found.iri if found else None
    found = texts.get(fold(text))
    return found.iri if found else None


def licence_label(iri: str, lang: str = "nl") -> str | None:
    """The label of a known licence IRI in ``lang`` (with fallbacks)."""
    licence = _index()[0].get(iri_key(iri))
    return pick_label(licence.labels, lang) if licence else None


def is_open_licence(iri: str) -> bool:
    """True for licences that allow free reuse by anyone for any purpose (Open Definition)."""
    licence = _index()[0].get(iri_key(iri))
    return bool(licence and licence.open)


def all_licences() -> list[Licence]:
    """Every licence in the table, sorted by IRI."""
    return sorted(_index()[0].values(), key=lambda licence: licence.iri)
