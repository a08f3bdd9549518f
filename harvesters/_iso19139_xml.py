"""Reading ISO 19139 and CSW XML safely, and the small text helpers the ISO mapping is written with.

``parse_xml`` is the only way the CSW harvester turns bytes into an element tree: a document type
declaration (where entity bombs and external entities live) is refused before lxml sees the document,
and the parser itself loads no DTD, expands no entity, opens no network connection and keeps lxml's
limits on tree size (``huge_tree`` off).

The text helpers read ISO 19139's wrapped values: ``gco:CharacterString``, ``gmx:Anchor`` (text plus an
``xlink:href``), ``gco:Date``/``gco:DateTime``, ``gmd:URL``, code-list elements (``codeListValue``)
and ``gmd:PT_FreeText`` translations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from catalog.exceptions import FeedError

__all__ = [
    "CSW",
    "GCO",
    "GMD",
    "GMI",
    "GML",
    "GML32",
    "GMX",
    "OWS_NAMESPACES",
    "SRV",
    "XLINK_HREF",
    "anchor",
    "children",
    "code",
    "first",
    "href",
    "local_name",
    "parse_xml",
    "refuse_doctype",
    "value",
    "values",
]

GMD = "{http://www.isotc211.org/2005/gmd}"
GCO = "{http://www.isotc211.org/2005/gco}"
GMX = "{http://www.isotc211.org/2005/gmx}"
GMI = "{http://www.isotc211.org/2005/gmi}"
SRV = "{http://www.isotc211.org/2005/srv}"
GML = "{http://www.opengis.net/gml}"
GML32 = "{http://www.opengis.net/gml/3.2}"
CSW = "{http://www.opengis.net/cat/csw/2.0.2}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
OWS_NAMESPACES = frozenset({"http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1"})
"""OWS 1.0 (CSW 2.0.2's) and OWS 1.1 (some servers answer with it): where ExceptionReport lives."""

_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_PROLOG_LIMIT = 1024 * 1024
_VALUE_TAGS = frozenset(
    {
        GCO + "CharacterString",
        GMX + "Anchor",
        GCO + "Date",
        GCO + "DateTime",
        GCO + "Decimal",
        GCO + "Real",
        GCO + "Integer",
        GCO + "Boolean",
        GMD + "URL",
        GMX + "FileName",
        GMX + "MimeFileType",
    }
)


def refuse_doctype(data: bytes) -> None:
    """FeedError when the prolog (before the first element) declares a DOCTYPE or an ENTITY."""
    start = _FIRST_ELEMENT.search(data, 0, _PROLOG_LIMIT)
    if start is None:
        if len(data) >= _PROLOG_LIMIT:
            raise FeedError("XML prolog is too long (over 1 MiB before the first element)")
        prolog = data
    else:
        prolog = data[: start.start()]
    upper = prolog.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise FeedError("XML document type declarations (DTD, entities) are not allowed")


def _parser() -> etree.XMLParser:
    # A parser per document: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, what: str = "XML document") -> etree._Element:
    """The root element of ``data``; FeedError (naming ``what``) when it is hostile or not XML."""
    refuse_doctype(data)
    if not data.strip():
        raise FeedError(f"{what} is empty")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{what} is not well-formed XML: {exc}") from exc
    if root is None:  # lxml gives None for a document that is only a prolog
        raise FeedError(f"{what} holds no element")
    return root


def local_name(element: etree._Element) -> str:
    """The element's name without its namespace (``MD_Metadata``)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@lru_cache(maxsize=1024)
def _compiled(path: str) -> etree.ETXPath:
    return etree.ETXPath(path)


def children(element: etree._Element | None, path: str) -> list[etree._Element]:
    """The elements at ``path`` (Clark notation, ``{ns}a/{ns}b``) under ``element``; none without one.

    A single name is matched among the children directly; a longer path goes through a compiled XPath
    (several times faster than ``findall`` on ISO 19139's deep nesting)."""
    if element is None:
        return []
    if "/" not in path and "*" not in path:
        return list(element.iterchildren(path))
    found = _compiled(path)(element)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def first(element: etree._Element | None, path: str) -> etree._Element | None:
    """The first element at ``path`` under ``element``, or None."""
    if element is None:
        return None
    if "/" not in path and "*" not in path:
        return next(element.iterchildren(path), None)
    found = _compiled(path)(element)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def _wrapped(prop: etree._Element) -> etree._Element | None:
    if not len(prop):
        return None
    inner = prop[0]  # the usual case, read without iterating
    if isinstance(inner.tag, str):
        return inner
    for child in prop:
        if isinstance(child.tag, str):
            return child
    return None


def value(prop: etree._Element | None) -> str | None:
    """The text of a property element's value (CharacterString, Anchor, Date, URL, code list ...)."""
    if prop is None:
        return None
    inner = _wrapped(prop)
    if inner is None:
        text = prop.text
    elif inner.tag in _VALUE_TAGS:
        text = inner.text
    elif inner.get("codeListValue"):
        text = inner.get("codeListValue")
    else:
        text = inner.text
    if text is None:
        return None
    text = text.strip()
    return text or None


def values(element: etree._Element | None, path: str) -> Iterator[str]:
    """The non-empty values of every property element at ``path``."""
    for prop in children(element, path):
        text = value(prop)
        if text:
            yield text


def code(prop: etree._Element | None) -> str | None:
    """A code list value (``codeListValue``, else the element's text) of a property element."""
    if prop is None:
        return None
    inner = _wrapped(prop)
    if inner is None:
        return None
    text = inner.get("codeListValue") or inner.text or ""
    return text.strip() or None


def href(element: etree._Element | None) -> str | None:
    """An ``xlink:href`` on the element itself, stripped; None when absent or empty."""
    if element is None:
        return None
    found = element.get(XLINK_HREF)
    return found.strip() or None if found else None


def anchor(prop: etree._Element | None) -> tuple[str | None, str | None]:
    """``(text, href)`` of a property holding a ``gmx:Anchor`` (href None for a CharacterString)."""
    if prop is None:
        return None, None
    inner = _wrapped(prop)
    link = href(inner) if inner is not None and inner.tag == GMX + "Anchor" else None
    return value(prop), link
