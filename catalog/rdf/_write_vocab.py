"""What the writer needs to know about the terms records point to: concept schemes, labels, licence types.

DCAT-AP 3's range shapes want every controlled value described in the output itself (a
``skos:Concept`` with a ``skos:prefLabel`` and a ``skos:inScheme``). Labels and schemes come from
``vocab.concepts`` (``labels(iri)`` for tagged labels, else ``label(iri)`` written untagged,
``scheme_of(iri)``) when it is installed; otherwise from the IRI (the EU authority pattern
``.../authority/<table>/<CODE>`` gives the scheme ``.../authority/<table>``; the code is the label).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from vocab.namespaces import AUTHORITY

__all__ = [
    "LICENCE_TYPE_SCHEME",
    "concept_labels",
    "concept_scheme",
    "licence_types",
    "scheme_title",
]

log = logging.getLogger(__name__)

_LABEL_LANGS = ("nl", "en", "fr", "de", "")

LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
_LT = "http://purl.org/adms/licencetype/"
_LICENCE_TYPE_LABELS: dict[str, dict[str, str]] = {
    "Attribution": {"en": "Attribution", "nl": "Verplichte bronvermelding"},
    "NoDerivativeWork": {"en": "No derivative work", "nl": "Geen afgeleide werken"},
    "NonCommercialUseOnly": {"en": "Non-commercial use only", "nl": "Alleen niet-commercieel gebruik"},
    "PublicDomain": {"en": "Public domain", "nl": "Werk in het publiek domein"},
    "RoyaltiesRequired": {"en": "Royalties required", "nl": "Royalty’s van toepassing"},
    "ViralEffect-ShareAlike": {
        "en": "Viral effect (a.k.a. Share-alike)",
        "nl": "Virale licentie (met zg. Share-alike effect)",
    },
}

# (fragment of a licence IRI, licence-type codes); the first fragment found in the lower-cased IRI wins,
# so the more specific fragments come first.
_LICENCE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/licentie/modellicentie-gratis-hergebruik", ("Attribution",)),
    ("/licentie/modellicentie-hergebruik-tegen-vergoeding", ("Attribution", "RoyaltiesRequired")),
    ("/licentie/creative-commons-zero-verklaring", ("PublicDomain",)),
    ("/licentie/onvoorwaardelijk-hergebruik", ("PublicDomain",)),
    ("/publicdomain/zero", ("PublicDomain",)),
    ("/publicdomain/mark", ("PublicDomain",)),
    ("/licenses/by-nc-sa", ("Attribution", "NonCommercialUseOnly", "ViralEffect-ShareAlike")),
    ("/licenses/by-nc-nd", ("Attribution", "NonCommercialUseOnly", "NoDerivativeWork")),
    ("/licenses/by-nc", ("Attribution", "NonCommercialUseOnly")),
    ("/licenses/by-nd", ("Attribution", "NoDerivativeWork")),
    ("/licenses/by-sa", ("Attribution", "ViralEffect-ShareAlike")),
    ("/licenses/by/", ("Attribution",)),
    ("opendatacommons.org/licenses/odbl", ("Attribution", "ViralEffect-ShareAlike")),
    ("opendatacommons.org/licenses/by", ("Attribution",)),
    ("opendatacommons.org/licenses/pddl", ("PublicDomain",)),
    ("/authority/licence/cc0", ("PublicDomain",)),
    ("/authority/licence/pddl", ("PublicDomain",)),
    ("/authority/licence/odc_pddl", ("PublicDomain",)),
    ("/authority/licence/cc_byncsa", ("Attribution", "NonCommercialUseOnly", "ViralEffect-ShareAlike")),
    ("/authority/licence/cc_byncnd", ("Attribution", "NonCommercialUseOnly", "NoDerivativeWork")),
    ("/authority/licence/cc_bync", ("Attribution", "NonCommercialUseOnly")),
    ("/authority/licence/cc_bynd", ("Attribution", "NoDerivativeWork")),
    ("/authority/licence/cc_bysa", ("Attribution", "ViralEffect-ShareAlike")),
    ("/authority/licence/cc_by", ("Attribution",)),
    ("/authority/licence/odc_odbl", ("Attribution", "ViralEffect-ShareAlike")),
    ("/authority/licence/odbl", ("Attribution", "ViralEffect-ShareAlike")),
    ("/authority/licence/odc_by", ("Attribution",)),
)


class _Vocab:
    """``vocab.concepts`` looked up lazily; ``None`` answers when it is missing or cannot load."""

    def __init__(self) -> None:
        self._module: Any = None
        self._tried = False

    def _get(self, name: str) -> Callable[..., Any] | None:
        if not self._tried:
            self._tried = True
            try:
                self._module = importlib.import_module("vocab.concepts")
            except ImportError:
                self._module = None
        function = getattr(self._module, name, None)
        return function if callable(function) else None

    def call(self, name: str, *args: str) -> Any:
        function = self._get(name)
        if function is None:
            return None
        try:
            return function(*args)
        except ImportError:  # a vocabulary module not installed: fall back to the IRI patterns
            log.warning("vocab.concepts.%s failed; concept labels and schemes come from IRIs", name)
            self._module = None
            return None


_vocab = _Vocab()


def _code(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


def _authority_scheme(iri: str) -> str | None:
    """``.../authority/<table>/<CODE>`` -> ``.../authority/<table>``."""
    if iri.startswith(AUTHORITY):
        table, sep, code = iri[len(AUTHORITY) :].partition("/")
        if table and sep and code:
            return AUTHORITY + table
    return None


@lru_cache(maxsize=8192)
def concept_scheme(iri: str) -> str | None:
    """The concept scheme ``iri`` belongs to, if known."""
    if iri.startswith(_LT) and iri != LICENCE_TYPE_SCHEME:
        return LICENCE_TYPE_SCHEME
    scheme = _vocab.call("scheme_of", iri)
    if isinstance(scheme, str) and scheme:
        return scheme
    return _authority_scheme(iri)


@lru_cache(maxsize=8192)
def concept_labels(iri: str) -> tuple[tuple[str, str], ...]:
    """``(lang, label)`` pairs for ``skos:prefLabel``: Dutch and English when known, else the code."""
    if iri.startswith(_LT) and _code(iri) in _LICENCE_TYPE_LABELS:
        return tuple(sorted(_LICENCE_TYPE_LABELS[_code(iri)].items()))
    labels = _vocab.call("labels", iri)
    if isinstance(labels, Mapping):
        found = tuple((lang, str(labels[lang])) for lang in _LABEL_LANGS if labels.get(lang))
        if found:
            return found
    text = _vocab.call("label", iri, "nl")  # falls back across languages, so written untagged
    return (("", text if isinstance(text, str) and text else _code(iri)),)


def scheme_title(iri: str) -> str:
    """A ``dct:title`` for a concept scheme (the catalogue's theme taxonomy)."""
    text = _vocab.call("label", iri, "nl")
    return text if isinstance(text, str) and text else _code(iri)


@lru_cache(maxsize=1024)
def licence_types(iri: str) -> tuple[str, ...]:
    """The ADMS licence-type concepts that describe a known licence (none for an unknown one)."""
    lowered = iri.lower().rstrip("/") + "/"
    for fragment, codes in _LICENCE_RULES:
        if fragment in lowered:
            return tuple(_LT + code for code in codes)
    return ()
