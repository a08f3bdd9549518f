"""DCAT-AP JSON-LD feeds made readable without the network: known remote contexts replaced by a local one.

The RDF reader refuses a JSON-LD document that names a remote ``@context`` (a parser never goes to the
network). DCAT-AP feeds often name the SEMIC DCAT-AP context or the W3C DCAT context by URL instead of
inlining it. :func:`prepare_jsonld` replaces each such URL with :data:`DCAT_AP_CONTEXT`, a context the
project wrote from the DCAT-AP 2/3 and DCAT 3 term names (prefixes, classes, properties); a context URL
that is not known stays refused, with its URL in the message. An inline context (what ArcGIS Hub's own
2.x and 3.x feed templates write) is kept as it is.

The same pass repairs two spellings ArcGIS Hub's older DCAT-AP template writes, ``dcat:accessUrl`` and
``dcat:downloadUrl``, to the DCAT properties ``dcat:accessURL`` and ``dcat:downloadURL``; without it the
distributions' links would be lost. Everything else (a publisher given as a plain name, a theme or access
right given as a word, links given as strings) is read by the RDF reader, which accepts those variants.
"""

from __future__ import annotations

import json
import re
from typing import Any

from catalog.exceptions import FeedError

__all__ = ["DCAT_AP_CONTEXT", "is_known_context", "needs_preparing", "prepare_jsonld"]

_PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/",
    "dct": "http://purl.org/dc/terms/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "mdcat": "https://data.vlaanderen.be/ns/metadata-dcat#",
    "odrs": "http://schema.theodi.org/odrs#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "time": "http://www.w3.org/2006/time#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_CLASSES = {
    "Catalog": "dcat:Catalog", "Catalogue": "dcat:Catalog", "CatalogRecord": "dcat:CatalogRecord",
    "Dataset": "dcat:Dataset", "DatasetSeries": "dcat:DatasetSeries", "Distribution": "dcat:Distribution",
    "DataService": "dcat:DataService", "Relationship": "dcat:Relationship", "Agent": "foaf:Agent",
    "Organization": "foaf:Organization", "Document": "foaf:Document", "Kind": "vcard:Kind",
    "Individual": "vcard:Individual", "Location": "dct:Location", "PeriodOfTime": "dct:PeriodOfTime",
    "LicenseDocument": "dct:LicenseDocument", "LicenceDocument": "dct:LicenseDocument",
    "RightsStatement": "dct:RightsStatement", "Standard": "dct:Standard", "MediaType": "dct:MediaType",
    "Checksum": "spdx:Checksum", "Identifier": "adms:Identifier", "Concept": "skos:Concept",
    "ConceptScheme": "skos:ConceptScheme", "Attribution": "prov:Attribution",
}  # fmt: skip
_TEXT = {
    "title": "dct:title", "description": "dct:description", "keyword": "dcat:keyword",
    "name": "foaf:name", "label": "rdfs:label", "prefLabel": "skos:prefLabel",
    "versionNotes": "adms:versionNotes", "provenance": "dct:provenance",
}  # fmt: skip
"""Text properties: a plain string, or a language map (``{"nl": "...", "en": "..."}``)."""
_LINKS = {
    "accessURL": "dcat:accessURL", "downloadURL": "dcat:downloadURL", "landingPage": "dcat:landingPage",
    "endpointURL": "dcat:endpointURL", "endpointDescription": "dcat:endpointDescription",
    "dataset": "dcat:dataset", "distribution": "dcat:distribution", "service": "dcat:service",
    "accessService": "dcat:accessService", "servesDataset": "dcat:servesDataset",
    "homepage": "foaf:homepage", "page": "foaf:page", "record": "dcat:record",
    "primaryTopic": "foaf:primaryTopic", "inSeries": "dcat:inSeries",
}  # fmt: skip
"""Properties whose string values are links (relative ones are resolved against the feed's URL)."""
_VALUES = {
    "identifier": "dct:identifier", "issued": "dct:issued", "modified": "dct:modified",
    "created": "dct:created", "publisher": "dct:publisher", "creator": "dct:creator",
    "contactPoint": "dcat:contactPoint", "theme": "dcat:theme", "themeTaxonomy": "dcat:themeTaxonomy",
    "language": "dct:language", "license": "dct:license", "licence": "dct:license",
    "accessRights": "dct:accessRights", "rights": "dct:rights", "conformsTo": "dct:conformsTo",
    "spatial": "dct:spatial", "temporal": "dct:temporal", "accrualPeriodicity": "dct:accrualPeriodicity",
    "frequency": "dct:accrualPeriodicity", "format": "dct:format", "mediaType": "dcat:mediaType",
    "compressFormat": "dcat:compressFormat", "packageFormat": "dcat:packageFormat",
    "byteSize": "dcat:byteSize", "checksum": "spdx:checksum", "algorithm": "spdx:algorithm",
    "checksumValue": "spdx:checksumValue", "status": "adms:status", "version": "dcat:version",
    "type": "dct:type", "relation": "dct:relation", "source": "dct:source",
    "hasVersion": "dcat:hasVersion", "isVersionOf": "dct:isVersionOf",
    "isReferencedBy": "dct:isReferencedBy", "qualifiedAttribution": "prov:qualifiedAttribution",
    "applicableLegislation": "dcatap:applicableLegislation", "availability": "dcatap:availability",
    "startDate": "dcat:startDate", "endDate": "dcat:endDate", "bbox": "dcat:bbox",
    "centroid": "dcat:centroid", "geometry": "locn:geometry", "spatialResolutionInMeters":
    "dcat:spatialResolutionInMeters", "temporalResolution": "dcat:temporalResolution",
    "fn": "vcard:fn", "hasEmail": "vcard:hasEmail", "hasTelephone": "vcard:hasTelephone",
    "hasURL": "vcard:hasURL", "notation": "skos:notation", "statuut": "mdcat:statuut",
}  # fmt: skip
"""Other properties: values read as they come (the RDF reader maps words and strings to IRIs)."""


def _context() -> dict[str, Any]:
    context: dict[str, Any] = dict(_PREFIXES)
    context.update(_CLASSES)
    for term, iri in _TEXT.items():
        context[term] = {"@id": iri, "@container": "@language"}
    for term, iri in _LINKS.items():
        context[term] = {"@id": iri, "@type": "@id"}
    context.update(_VALUES)
    return context


DCAT_AP_CONTEXT: dict[str, Any] = _context()
"""The local stand-in for the DCAT-AP / DCAT JSON-LD contexts (written by the project, see the docstring)."""

_KNOWN = (
    re.compile(r"^https?://semiceu\.github\.io/DCAT-AP/.+\.jsonld$", re.IGNORECASE),
    re.compile(r"^https?://raw\.githubusercontent\.com/SEMICeu/DCAT-AP/.+\.jsonld$", re.IGNORECASE),
    re.compile(r"^https?://(?:www\.)?w3\.org/ns/dcat[23]?\.jsonld$", re.IGNORECASE),
)
_KEY_REPAIRS = {"dcat:accessUrl": "dcat:accessURL", "dcat:downloadUrl": "dcat:downloadURL"}
_NEEDS_WORK = re.compile(rb'"@context"\s*:\s*[\["]|"@import"|"dcat:(?:accessUrl|downloadUrl)"')


def is_known_context(url: str) -> bool:
    """True when ``url`` names a DCAT-AP or DCAT context that :data:`DCAT_AP_CONTEXT` stands in for."""
    return any(pattern.match(url.strip()) for pattern in _KNOWN)


def needs_preparing(data: bytes) -> bool:
    """True when the document names a context by URL or uses a spelling :func:`prepare_jsonld` repairs."""
    return _NEEDS_WORK.search(data) is not None


def _context_value(value: Any) -> Any:
    """One ``@context`` value with each known URL replaced; FeedError for an unknown URL."""
    if isinstance(value, str):
        if is_known_context(value):
            return DCAT_AP_CONTEXT
        raise FeedError(
            f"remote JSON-LD context {value!r} is not known and is not fetched; known are the DCAT-AP "
            "contexts of SEMIC (semiceu.github.io/DCAT-AP/...) and the W3C DCAT context"
        )
    if isinstance(value, list):
        return [_context_value(item) for item in value]
    if isinstance(value, dict):
        if "@import" in value:
            imported = value["@import"]
            if not isinstance(imported, str) or not is_known_context(imported):
                raise FeedError(
                    f"JSON-LD context imports {imported!r}, which is not known and is not fetched"
                )
            rest = {k: v for k, v in value.items() if k != "@import"}
            return [DCAT_AP_CONTEXT, rest] if rest else DCAT_AP_CONTEXT
        return value
    if value is None:
        return None
    raise FeedError(f"invalid JSON-LD @context: {type(value).__name__} {str(value)[:80]!r}")


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "@context":
                out[key] = _context_value(value)
            else:
                out[str(_KEY_REPAIRS.get(key, key))] = _walk(value)
        return out
    if isinstance(node, list):
        return [_walk(item) for item in node]
    return node


def prepare_jsonld(data: bytes, document: Any = None) -> bytes:
    """The document with known remote contexts inlined and Hub's misspelt keys repaired.

    ``document`` is ``data`` already read as JSON, when the caller has it. Raises FeedError for a body
    that is not JSON, or that names a context not known here.
    """
    if not needs_preparing(data):
        return data
    if document is None:
        try:
            document = json.loads(data)
        except (ValueError, RecursionError) as exc:
            raise FeedError(f"JSON-LD syntax error: {exc}") from exc
    return json.dumps(_walk(document), ensure_ascii=False).encode()
