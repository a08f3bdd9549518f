"""CSW 2.0.2 GetRecords requests: the XML body for POST, the KVP parameters for GET, the constraint.

The constraint is built from the source's options: ``keyword`` (any of them, queryable ``Subject``),
``organisation`` (queryable ``OrganisationName``), and ``constraint``, a raw OGC Filter (XML, an
``ogc:Filter`` element) or CQL text, ANDed with the others. When the raw constraint is CQL, the keyword
and organisation filters are written in CQL too, so one constraint language is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from catalog.exceptions import FeedError
from harvesters._iso19139_xml import parse_xml

__all__ = [
    "CSW_NS",
    "OGC_NS",
    "OUTPUT_SCHEMAS",
    "Query",
    "check_filter",
    "endpoint",
    "get_params",
    "post_body",
    "record_url",
]

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
OGC_NS = "http://www.opengis.net/ogc"
OUTPUT_SCHEMAS = {"iso19139": "http://www.isotc211.org/2005/gmd", "dcat": "http://www.w3.org/ns/dcat#"}
"""The ``output_schema`` option's values and the outputSchema URIs they ask for."""
_KVP_KEYS = frozenset(
    {
        "service", "version", "request", "typenames", "resulttype", "elementsetname", "outputschema",
        "startposition", "maxrecords", "constraint", "constraintlanguage", "constraint_language_version",
        "namespace", "outputformat", "id",
    }
)  # fmt: skip
_O = f"{{{OGC_NS}}}"
_C = f"{{{CSW_NS}}}"


@dataclass(frozen=True)
class Query:
    """What every page of one listing asks for."""

    output_schema: str
    """An outputSchema URI (``OUTPUT_SCHEMAS``)."""
    page_size: int
    keywords: tuple[str, ...] = ()
    organisation: str | None = None
    constraint: str | None = None
    """Raw OGC Filter XML or CQL text."""

    @property
    def raw_is_filter(self) -> bool:
        return self.constraint is not None and self.constraint.lstrip().startswith("<")


def check_filter(text: str) -> etree._Element:
    """The ``ogc:Filter`` element of a raw filter option; ValueError when it is not one."""
    try:
        element = parse_xml(text.encode("utf-8"), what="the constraint filter")
    except FeedError as exc:
        raise ValueError(str(exc)) from exc
    if element.tag != _O + "Filter":
        raise ValueError(f"the constraint must be an ogc:Filter element ({OGC_NS}), not {element.tag}")
    return element


def endpoint(url: str) -> str:
    """The CSW endpoint of a source URL, without CSW request parameters a steward may have pasted."""
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _KVP_KEYS]
    return urlunsplit(parts._replace(query=urlencode(kept), fragment=""))


def _literal_filter(name: str, literal: str, *, like: bool = False) -> etree._Element:
    if like:
        element = etree.Element(_O + "PropertyIsLike", wildCard="*", singleChar="?", escapeChar="\\")
    else:
        element = etree.Element(_O + "PropertyIsEqualTo", matchCase="false")
    etree.SubElement(element, _O + "PropertyName").text = name
    etree.SubElement(element, _O + "Literal").text = literal
    return element


def _filter(query: Query) -> etree._Element | None:
    parts: list[etree._Element] = []
    if query.keywords:
        words = [_literal_filter("Subject", word) for word in query.keywords]
        if len(words) == 1:
            parts.append(words[0])
        else:
            either = etree.Element(_O + "Or")
            either.extend(words)
            parts.append(either)
    if query.organisation:
        parts.append(_literal_filter("OrganisationName", query.organisation))
    if query.raw_is_filter and query.constraint:
        raw = check_filter(query.constraint)
        parts.extend(child for child in raw if isinstance(child.tag, str))
    if not parts:
        return None
    root = etree.Element(_O + "Filter", nsmap={"ogc": OGC_NS})
    if len(parts) == 1:
        root.append(parts[0])
    else:
        both = etree.SubElement(root, _O + "And")
        both.extend(parts)
    return root


def _cql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _cql(query: Query) -> str | None:
    parts: list[str] = []
    if query.keywords:
        parts.append("(" + " OR ".join(f"Subject = {_cql_text(w)}" for w in query.keywords) + ")")
    if query.organisation:
        parts.append(f"OrganisationName = {_cql_text(query.organisation)}")
    if query.constraint:
        parts.append(f"({query.constraint.strip()})")
    return " AND ".join(parts) or None


def post_body(query: Query, start: int) -> bytes:
    """The GetRecords request document for the page starting at ``start`` (1-based)."""
    root = etree.Element(
        _C + "GetRecords",
        nsmap={"csw": CSW_NS, "ogc": OGC_NS},
        service="CSW",
        version="2.0.2",
        resultType="results",
        startPosition=str(start),
        maxRecords=str(query.page_size),
        outputSchema=query.output_schema,
        outputFormat="application/xml",
    )
    q = etree.SubElement(root, _C + "Query", typeNames="csw:Record")
    etree.SubElement(q, _C + "ElementSetName").text = "full"
    if query.constraint is not None and not query.raw_is_filter:
        cql = _cql(query)
        constraint = etree.SubElement(q, _C + "Constraint", version="1.1.0")
        etree.SubElement(constraint, _C + "CqlText").text = cql
    else:
        found = _filter(query)
        if found is not None:
            constraint = etree.SubElement(q, _C + "Constraint", version="1.1.0")
            constraint.append(found)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def get_params(query: Query, start: int) -> dict[str, str | int]:
    """The GetRecords KVP parameters for the page starting at ``start`` (the GET fallback)."""
    params: dict[str, str | int] = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typeNames": "csw:Record",
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": query.output_schema,
        "startPosition": start,
        "maxRecords": query.page_size,
        "namespace": f"xmlns(csw={CSW_NS})",
    }
    if query.constraint is not None and not query.raw_is_filter:
        params |= {"constraintLanguage": "CQL_TEXT", "constraint": _cql(query) or ""}
    else:
        found = _filter(query)
        if found is not None:
            params |= {
                "constraintLanguage": "FILTER",
                "constraint_language_version": "1.1.0",
                "constraint": etree.tostring(found, encoding="unicode"),
            }
    return params


def record_url(base: str, identifier: str, output_schema: str) -> str:
    """Where a steward sees one record: its GetRecordById URL."""
    parts = urlsplit(base)
    query = [
        *parse_qsl(parts.query, keep_blank_values=True),
        ("service", "CSW"),
        ("version", "2.0.2"),
        ("request", "GetRecordById"),
        ("elementSetName", "full"),
        ("outputSchema", output_schema),
        ("id", identifier),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))
