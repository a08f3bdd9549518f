"""Concepts of the controlled vocabularies, and lookups that work across all of them.

Each vocabulary (EU data themes, file types, frequencies ... Flemish code lists) is a ``Vocabulary``
built once from its data file. ``label``, ``scheme_of`` and ``is_known`` answer for any concept IRI the
catalogue knows, licences and municipalities included, in either http or https form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from vocab._data import load
from vocab._text import fold, iri_key, looks_like_iri

__all__ = [
    "VOCABULARIES",
    "Concept",
    "Vocabulary",
    "is_known",
    "label",
    "pick_label",
    "scheme_of",
    "vocabulary",
]

VOCABULARIES = (
    "access-rights",
    "dataset-status",
    "distribution-status",
    "file-types",
    "frequencies",
    "languages",
    "levensfase",
    "licence-types",
    "media-types",
    "ontwikkelingstoestand",
    "publisher-types",
    "statuut",
    "themes",
)
"""Names of the SKOS vocabularies shipped in ``vocab/data``."""

_LABEL_ORDER = ("nl", "en", "", "fr", "de")


def pick_label(labels: Mapping[str, str], lang: str = "nl") -> str | None:
    """The label in ``lang``, else Dutch, English, untagged, French, German, any."""
    for tag in (lang.lower(), *_LABEL_ORDER):
        if tag in labels:
            return labels[tag]
    return next(iter(labels.values()), None)


@dataclass(frozen=True, slots=True)
class Concept:
    """A skos:Concept: its IRI, short code, scheme and labels by language ("" for untagged)."""

    iri: str
    code: str
    scheme: str
    labels: Mapping[str, str] = field(default_factory=dict)
    notation: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Further facts from the data file (media type, ISO codes ...)."""

    def label(self, lang: str = "nl") -> str | None:
        return pick_label(self.labels, lang)


class Vocabulary:
    """One concept scheme with precomputed indexes by IRI key and by folded code/label/alias."""

    def __init__(self, name: str, scheme: str, concepts: Iterable[Concept]) -> None:
        self.name = name
        self.scheme = scheme
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self._by_iri: dict[str, Concept] = {}
        self._by_text: dict[str, Concept] = {}
        for concept in self.concepts:
            self._by_iri[iri_key(concept.iri)] = concept
        for concept in self.concepts:
            for text in (concept.code, concept.notation, *concept.labels.values()):
                if text:
                    self._by_text.setdefault(fold(text), concept)

    @classmethod
    def from_data(cls, name: str, data: Mapping[str, Any]) -> Vocabulary:
        scheme = str(data["scheme"])
        concepts = [
            Concept(
                iri=c["iri"],
                code=c["code"],
                scheme=scheme,
                labels=dict(c["labels"]),
                notation=c.get("notation"),
                extra={k: v for k, v in c.items() if k not in {"iri", "code", "labels", "notation"}},
            )
            for c in data["concepts"]
        ]
        return cls(name, scheme, concepts)

    def __iter__(self) -> Any:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, iri: str) -> Concept | None:
        """The concept with this IRI (http or https, any case, with or without a final slash)."""
        return self._by_iri.get(iri_key(iri))

    def add_iri_alias(self, iri: str, concept: Concept) -> None:
        """Let another IRI (a mapped theme, an old form) find ``concept``."""
        self._by_iri.setdefault(iri_key(iri), concept)

    def add_alias(self, text: str, concept: Concept) -> None:
        """Let another word or name find ``concept`` (first alias wins)."""
        key = fold(text)
        if key:
            self._by_text.setdefault(key, concept)

    def find(self, text: str) -> Concept | None:
        """The concept for an IRI, a code, a label in any language or a registered alias."""
        text = text.strip()
        if not text:
            return None
        if looks_like_iri(text):
            return self.get(text)
        return self._by_text.get(fold(text))

    def lookup(self, text: str) -> str | None:
        """Like ``find`` but returns the canonical IRI."""
        concept = self.find(text)
        return concept.iri if concept else None


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary shipped as ``vocab/data/{name}.json`` (see ``VOCABULARIES``)."""
    if name not in VOCABULARIES:
        raise KeyError(f"unknown vocabulary {name!r}; known: {', '.join(VOCABULARIES)}")
    return Vocabulary.from_data(name, load(name))


@cache
def _all_concepts() -> dict[str, tuple[str, str | None, Mapping[str, str]]]:
    """IRI key -> (canonical IRI, scheme IRI or None, labels), across every vocabulary."""
    from vocab.licences import all_licences
    from vocab.municipalities import municipalities

    index: dict[str, tuple[str, str | None, Mapping[str, str]]] = {}
    for name in VOCABULARIES:
        for concept in vocabulary(name):
            index.setdefault(iri_key(concept.iri), (concept.iri, concept.scheme, concept.labels))
    for licence in all_licences():
        index.setdefault(iri_key(licence.iri), (licence.iri, licence.scheme, licence.labels))
    for year in (2025, 2019):
        for municipality in municipalities(year):
            labels = {"nl": municipality.name, **municipality.names}
            index.setdefault(iri_key(municipality.uri), (municipality.uri, None, labels))
    return index


def label(iri: str, lang: str = "nl") -> str | None:
    """The label of any known concept IRI in ``lang`` (with fallbacks), or None when unknown."""
    entry = _all_concepts().get(iri_key(iri))
    return pick_label(entry[2], lang) if entry else None


def scheme_of(iri: str) -> str | None:
    """The skos:ConceptScheme IRI of a known concept, for skos:inScheme; None when unknown or schemeless."""
    entry = _all_concepts().get(iri_key(iri))
    return entry[1] if entry else None


def is_known(iri: str) -> bool:
    """True when ``iri`` is a concept of a catalogue vocabulary (licences and municipalities too)."""
    return iri_key(iri) in _all_concepts()
