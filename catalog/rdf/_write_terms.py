"""RDF terms for the writer: pyoxigraph nodes and literals, built safely and cheaply.

pyoxigraph terms are used because building and serialising them is several times faster than rdflib
(see ``benchmarks/`` and the serializer's docstring). Every helper returns ``None`` rather than raise
when a harvested value cannot be written as valid RDF, so that one odd value never breaks a feed.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode

from vocab.namespaces import (
    ADMS,
    DCAT,
    DCATAP,
    DCT,
    FOAF,
    HYDRA,
    LOCN,
    MDCAT,
    PROV,
    RDF,
    RDFS,
    SKOS,
    SPDX,
    VCARD,
    XSD,
)

__all__ = [
    "ELI",
    "GSP",
    "TIME",
    "Node",
    "Statement",
    "Term",
    "blank",
    "date_literal",
    "decimal_literal",
    "duration_literal",
    "hex_literal",
    "int_literal",
    "iri",
    "mailto",
    "ns",
    "tel",
    "text_literal",
    "wkt_literal",
]

log = logging.getLogger(__name__)

Node = NamedNode | BlankNode
"""A subject."""
Term = NamedNode | BlankNode | Literal
"""An object."""
Statement = tuple[NamedNode | BlankNode, NamedNode, NamedNode | BlankNode | Literal]
"""A triple as a plain tuple: building pyoxigraph ``Triple`` objects costs ~4 µs each, a tuple ~0.1."""

ELI = "http://data.europa.eu/eli/ontology#"
GSP = "http://www.opengis.net/ont/geosparql#"
TIME = "http://www.w3.org/2006/time#"

_NAMESPACES = {
    "adms": str(ADMS),
    "dcat": str(DCAT),
    "dcatap": str(DCATAP),
    "dct": str(DCT),
    "eli": ELI,
    "foaf": str(FOAF),
    "gsp": GSP,
    "hydra": str(HYDRA),
    "locn": str(LOCN),
    "mdcat": str(MDCAT),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


def ns(curie: str) -> NamedNode:
    """``ns("dct:title")`` -> the pyoxigraph node of the full IRI (for module-level constants)."""
    prefix, _, local = curie.partition(":")
    return NamedNode(_NAMESPACES[prefix] + local)


_XSD_DATE = ns("xsd:date")
_XSD_DATETIME = ns("xsd:dateTime")
_XSD_DECIMAL = ns("xsd:decimal")
_XSD_DURATION = ns("xsd:duration")
_XSD_HEX = ns("xsd:hexBinary")
_XSD_NNI = ns("xsd:nonNegativeInteger")
_XSD_INTEGER = ns("xsd:integer")
_WKT = NamedNode(GSP + "wktLiteral")

# Characters kept as they are when an IRI has to be repaired by percent-encoding.
_IRI_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def iri(value: str) -> NamedNode | None:
    """A named node for ``value``; percent-encodes what RFC 3987 forbids, ``None`` if still invalid."""
    try:
        return NamedNode(value)
    except ValueError:
        pass
    try:
        return NamedNode(quote(value, safe=_IRI_SAFE))
    except ValueError:
        log.warning("left out an IRI that cannot be written as RDF: %r", value)
        return None


def mailto(email: str) -> NamedNode | None:
    """``vcard:hasEmail`` / ``foaf:mbox`` value: a ``mailto:`` IRI."""
    email = email.strip()
    if not email:
        return None
    return iri("mailto:" + quote(email, safe="@+!$&'*=^_`{|}~.-"))


def tel(number: str) -> NamedNode | None:
    """``vcard:hasTelephone`` value: a ``tel:`` IRI with spaces and punctuation removed."""
    cleaned = re.sub(r"[^0-9+]", "", number)
    return iri("tel:" + cleaned) if cleaned.strip("+") else None


def text_literal(text: str, lang: str) -> Literal:
    """A language-tagged literal, or an ``xsd:string`` when ``lang`` is ``""``."""
    if lang:
        try:
            return Literal(text, language=lang)
        except ValueError:
            log.warning("wrote text with an invalid language tag %r untagged", lang)
    return Literal(text)


def date_literal(value: date | datetime) -> Literal:
    """``xsd:dateTime`` for a datetime, ``xsd:date`` for a date."""
    if isinstance(value, datetime):
        return Literal(value.isoformat(), datatype=_XSD_DATETIME)
    return Literal(value.isoformat(), datatype=_XSD_DATE)


def decimal_literal(value: float) -> Literal | None:
    """An ``xsd:decimal`` in plain notation (``1e-05`` is written ``0.00001``)."""
    try:
        text = format(Decimal(repr(value)), "f")
    except InvalidOperation:
        return None
    if text in {"NaN", "Infinity", "-Infinity", "inf", "-inf", "nan"}:
        return None
    return Literal(text, datatype=_XSD_DECIMAL)


def int_literal(value: int, *, non_negative: bool = False) -> Literal:
    """``xsd:nonNegativeInteger`` or ``xsd:integer``."""
    return Literal(str(value), datatype=_XSD_NNI if non_negative else _XSD_INTEGER)


_DURATION = re.compile(r"-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


def duration_literal(value: str) -> Literal | None:
    """An ``xsd:duration`` (``P1D``, ``PT15M``); ``None`` for text that is not one."""
    text = value.strip()
    if _DURATION.fullmatch(text) and "W" not in text:
        return Literal(text, datatype=_XSD_DURATION)
    log.info("left out a temporal resolution that is not an xsd:duration: %r", value)
    return None


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


def hex_literal(value: str) -> Literal | None:
    """An ``xsd:hexBinary`` checksum value; ``None`` when the value is not hexadecimal."""
    text = value.strip()
    if _HEX.fullmatch(text):
        return Literal(text.lower(), datatype=_XSD_HEX)
    log.info("left out a checksum value that is not hexadecimal: %r", value)
    return None


def wkt_literal(wkt: str) -> Literal:
    """A ``gsp:wktLiteral`` (CRS84 is the default CRS, so none is named)."""
    return Literal(wkt, datatype=_WKT)


def blank(key: str, number: int) -> BlankNode:
    """A deterministic blank node: the same record always gives the same labels."""
    return BlankNode(f"{key}n{number}")
