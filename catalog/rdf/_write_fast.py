"""Stored records straight to N-Triples / Turtle text: the fast path of dumps and catalogue pages.

``TripleWriter`` maps validated pydantic records to pyoxigraph terms. For the formats that are lines
of text (N-Triples, and Turtle written statement by statement) a stored record can skip both: its
JSON (written by the model, so already validated and canonical) is read with ``json.loads`` and
mapped to the terms' N-Triples text directly. ``JsonTripleWriter`` is that mapping, kept method by
method in step with ``TripleWriter`` (same triples, same order, same blank-node labels; the tests
compare both on every sample record and on generated ones), several times cheaper per record:

- IRIs go through the same ``iri()`` check once and are remembered (themes, formats, licences,
  publishers and places repeat across records);
- text is quoted as pyoxigraph quotes it (the rare text with a character to escape goes through
  pyoxigraph itself), language tags are checked once per tag;
- dates are parsed only when they carry a time (a model ``datetime`` is written with
  ``isoformat()``, which may differ from its JSON form);
- what is rare (a record without IRI, checksums, durations, bounding boxes, telephone numbers)
  goes through the pyoxigraph helpers and is written with their text forms.

A statement is a tuple of three N-Triples term strings; ``ntriples_lines`` and ``turtle_text`` write
them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from catalog.model import DataService, Dataset, DatasetSeries
from catalog.rdf._write_formats import PREFIXES
from catalog.rdf._write_terms import (
    Term,
    decimal_literal,
    duration_literal,
    hex_literal,
    int_literal,
    iri,
    mailto,
    tel,
    text_literal,
    wkt_literal,
)
from catalog.rdf._write_triples import _PATH, AnyRecord, mint_iri
from catalog.rdf._write_vocab import concept_labels, concept_scheme, licence_types, scheme_title

__all__ = ["JsonTripleWriter", "TextStatement", "ntriples_lines", "turtle_text"]

TextStatement = tuple[str, str, str]
"""``(subject, predicate, object)`` as N-Triples term text (``<iri>``, ``_:label``, ``"literal"@nl``)."""

_MODELS: dict[str, type[Dataset | DataService | DatasetSeries]] = {
    "Dataset": Dataset,
    "DataService": DataService,
    "DatasetSeries": DatasetSeries,
}

_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_DATE = f"^^<{_XSD}date>"
_XSD_DATETIME = f"^^<{_XSD}dateTime>"

# Characters pyoxigraph escapes in a quoted literal (checked against it character by character).
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f\ufffe\uffff]')


_TURTLE_NAMES: dict[str, str] = {}
"""Term text -> its prefixed name in Turtle, for every constant term below (``rdf:type`` is ``a``)."""
_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _term(curie: str) -> str:
    """``_term("dct:title")`` -> ``<http://purl.org/dc/terms/title>``, remembered for Turtle."""
    prefix, _, local = curie.partition(":")
    text = f"<{PREFIXES[prefix]}{local}>"
    if _LOCAL.fullmatch(local):
        _TURTLE_NAMES[text] = "a" if curie == "rdf:type" else curie
    return text


A = _term("rdf:type")
RDFS_LABEL = _term("rdfs:label")
SKOS_CONCEPT = _term("skos:Concept")
SKOS_SCHEME = _term("skos:ConceptScheme")
SKOS_IN_SCHEME = _term("skos:inScheme")
SKOS_PREF_LABEL = _term("skos:prefLabel")
DCT_TITLE = _term("dct:title")
DCT_DESCRIPTION = _term("dct:description")
DCT_IDENTIFIER = _term("dct:identifier")
DCT_TYPE = _term("dct:type")
DCT_ISSUED = _term("dct:issued")
DCT_MODIFIED = _term("dct:modified")
DCT_LICENSE = _term("dct:license")
DCT_RIGHTS = _term("dct:rights")
DCT_ACCESS_RIGHTS = _term("dct:accessRights")
DCT_CONFORMS_TO = _term("dct:conformsTo")
DCT_LANGUAGE = _term("dct:language")
DCT_SPATIAL = _term("dct:spatial")
DCT_TEMPORAL = _term("dct:temporal")
DCT_FORMAT = _term("dct:format")
FOAF_PAGE = _term("foaf:page")
FOAF_DOCUMENT = _term("foaf:Document")
FOAF_NAME = _term("foaf:name")
DCAT_SPATIAL_RES = _term("dcat:spatialResolutionInMeters")
DCAT_TEMPORAL_RES = _term("dcat:temporalResolution")
DCAT_ENDPOINT_URL = _term("dcat:endpointURL")
DCAT_ENDPOINT_DESCRIPTION = _term("dcat:endpointDescription")
DCAT_SERVES_DATASET = _term("dcat:servesDataset")
DCT_FREQUENCY = _term("dct:accrualPeriodicity")
DCATAP_LEGISLATION = _term("dcatap:applicableLegislation")
MDCAT_LEVENSFASE = _term("mdcat:levensfase")
MDCAT_ONTWIKKELINGSTOESTAND = _term("mdcat:ontwikkelingstoestand")

_CLASS = {
    "Dataset": _term("dcat:Dataset"),
    "DataService": _term("dcat:DataService"),
    "DatasetSeries": _term("dcat:DatasetSeries"),
}
_RIGHTS_STATEMENT = _term("dct:RightsStatement")
_LICENSE_DOCUMENT = _term("dct:LicenseDocument")
_MEDIA_TYPE = _term("dct:MediaType")
_MEDIA_TYPE_OR_EXTENT = _term("dct:MediaTypeOrExtent")
_LINGUISTIC_SYSTEM = _term("dct:LinguisticSystem")
_STANDARD = _term("dct:Standard")
_FREQUENCY = _term("dct:Frequency")
_LEGAL = "<http://data.europa.eu/eli/ontology#LegalResource>"  # eli is not a document prefix
_KEYWORD = _term("dcat:keyword")
_THEME = _term("dcat:theme")
_PUBLISHER = _term("dct:publisher")
_CREATOR = _term("dct:creator")
_LANDING_PAGE = _term("dcat:landingPage")
_STATUUT = _term("mdcat:statuut")
_VERSION = _term("dcat:version")
_VERSION_NOTES = _term("adms:versionNotes")
_PROVENANCE = _term("dct:provenance")
_PROVENANCE_STATEMENT = _term("dct:ProvenanceStatement")
_RELATION = _term("dct:relation")
_SOURCE = _term("dct:source")
_HAS_VERSION = _term("dct:hasVersion")
_IS_VERSION_OF = _term("dct:isVersionOf")
_IS_REFERENCED_BY = _term("dct:isReferencedBy")
_IN_SERIES = _term("dcat:inSeries")
_HOMEPAGE = _term("foaf:homepage")
_DISTRIBUTION = _term("dcat:distribution")
_DISTRIBUTION_CLASS = _term("dcat:Distribution")
_ACCESS_URL = _term("dcat:accessURL")
_DOWNLOAD_URL = _term("dcat:downloadURL")
_ACCESS_SERVICE = _term("dcat:accessService")
_MEDIA_TYPE_P = _term("dcat:mediaType")
_COMPRESS_FORMAT = _term("dcat:compressFormat")
_PACKAGE_FORMAT = _term("dcat:packageFormat")
_BYTE_SIZE = _term("dcat:byteSize")
_STATUS = _term("adms:status")
_AVAILABILITY = _term("dcatap:availability")
_MBOX = _term("foaf:mbox")
_CONTACT_POINT = _term("dcat:contactPoint")
_FN = _term("vcard:fn")
_HAS_EMAIL = _term("vcard:hasEmail")
_HAS_TELEPHONE = _term("vcard:hasTelephone")
_HAS_URL = _term("vcard:hasURL")
_LOCATION = _term("dct:Location")
_BBOX = _term("dcat:bbox")
_PERIOD = _term("dct:PeriodOfTime")
_START = _term("dcat:startDate")
_END = _term("dcat:endDate")
_CHECKSUM = _term("spdx:checksum")
_CHECKSUM_CLASS = _term("spdx:Checksum")
_ALGORITHM = _term("spdx:algorithm")
_CHECKSUM_VALUE = _term("spdx:checksumValue")
_QUALIFIED_ATTRIBUTION = _term("prov:qualifiedAttribution")
_ATTRIBUTION = _term("prov:Attribution")
_PROV_AGENT = _term("prov:agent")
_HAD_ROLE = _term("dcat:hadRole")
_ROLE = _term("dcat:Role")
_AGENT_TYPES = (_term("foaf:Agent"), _term("dct:Agent"))
_CONTACT_TYPES = (_term("vcard:Kind"), _term("vcard:Organization"))

_REMEMBERED_IRIS = 50_000
_iris: dict[str, str | None] = {}
_SEGMENT = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*"
_PLAIN_HTTP_IRI = re.compile(
    rf"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/{_SEGMENT})?(?:\?(?:{_SEGMENT}|\?)*)?(?:#(?:{_SEGMENT}|\?)*)?"
)
"""An ASCII http(s) IRI that RFC 3987 (and so pyoxigraph) accepts as it is: no need to ask pyoxigraph."""


def _iri(value: str) -> str | None:
    """``iri(value)`` as N-Triples text (``<...>``), remembered; ``None`` when it cannot be written."""
    text = _iris.get(value, "")
    if text == "":
        if _PLAIN_HTTP_IRI.fullmatch(value):
            text = f"<{value}>"
        else:
            node = iri(value)
            text = None if node is None else str(node)
        if len(_iris) >= _REMEMBERED_IRIS:
            _iris.clear()
        _iris[value] = text
    return text


@lru_cache(maxsize=256)
def _lang_suffix(lang: str) -> str:
    """``@tag`` as pyoxigraph writes it (lower-cased), or ``""`` when the tag is invalid or empty."""
    return str(text_literal("", lang))[2:] if lang else ""


def _quoted(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return str(text_literal(text, ""))


def _literal(text: str, lang: str) -> str:
    """A language-tagged literal (``text_literal``), or an ``xsd:string`` when ``lang`` is ``""``."""
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"{_lang_suffix(lang)}' if lang else f'"{text}"'
    return _quoted(text) + (_lang_suffix(lang) if lang else "")


@lru_cache(maxsize=4096)
def _date(value: str) -> str:
    """A JSON date or datetime as ``date_literal`` writes the model's ``date`` / ``datetime``."""
    if len(value) == 10:
        return f'"{value}"{_XSD_DATE}'
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    return f'"{datetime.fromisoformat(text).isoformat()}"{_XSD_DATETIME}'


def _text(term: Term | None) -> str | None:
    return None if term is None else str(term)


class JsonTripleWriter:
    """``TripleWriter`` for stored records' JSON, giving statements as N-Triples term text.

    ``described``: the set of terms already described in this document (share the one of the
    ``TripleWriter`` that wrote the document's head, so each is described once per document).
    """

    def __init__(
        self, base_uri: str, *, remember: int = 20_000, described: set[tuple[str, str]] | None = None
    ) -> None:
        self.base_uri = base_uri
        self._remember = remember
        self._described: set[tuple[str, str]] = set() if described is None else described
        self._out: list[TextStatement] = []
        self._key = ""
        self._count = 0

    # -- plumbing -----------------------------------------------------------------------------------

    def _blank(self) -> str:
        self._count += 1
        return f"_:{self._key}n{self._count}"

    def _node(self, uri: str | None) -> str:
        node = _iri(uri) if uri else None
        return node if node is not None else self._blank()

    def _first_time(self, value: str, what: str) -> bool:
        key = (value, what)
        if key in self._described:
            return False
        if len(self._described) >= self._remember:
            self._described.clear()
        self._described.add(key)
        return True

    def _type(self, node: str, cls: str) -> None:
        if self._first_time(node[1:-1] if node[0] == "<" else node[2:], cls[1:-1]):
            self._out.append((node, A, cls))

    def _texts(self, s: str, p: str, texts: dict[str, str] | None) -> None:
        if texts:
            add = self._out.append
            for lang, text in texts.items():
                add((s, p, _literal(text, lang)))

    def _links(self, s: str, p: str, values: Iterable[str] | None, cls: str | None = None) -> None:
        if not values:
            return
        for value in values:
            node = _iri(value)
            if node is not None:
                self._out.append((s, p, node))
                if cls is not None:
                    self._type(node, cls)

    def _concept(self, s: str, p: str, value: str | None, *classes: str, always: bool = True) -> None:
        """Link to a controlled value and describe it (type, label, scheme) the first time."""
        if not value:
            return
        node = _iri(value)
        if node is None:
            return
        add = self._out.append
        add((s, p, node))
        for cls in classes:
            self._type(node, cls)
        value = node[1:-1]
        scheme = concept_scheme(value)
        if (always or scheme) and self._first_time(value, "concept"):
            add((node, A, SKOS_CONCEPT))
            for lang, label in concept_labels(value):
                add((node, SKOS_PREF_LABEL, _literal(label, lang)))
            scheme_node = _iri(scheme) if scheme else None
            if scheme_node is not None:
                add((node, SKOS_IN_SCHEME, scheme_node))
                self._scheme(scheme_node)

    def _scheme(self, node: str) -> None:
        if self._first_time(node[1:-1], "scheme"):
            self._out.append((node, A, SKOS_SCHEME))
            self._out.append((node, DCT_TITLE, _literal(scheme_title(node[1:-1]), "")))

    def _date(self, s: str, p: str, value: str | None) -> None:
        if value is not None:
            self._out.append((s, p, _date(value)))

    def _decimal(self, s: str, p: str, value: float | None) -> None:
        if value is not None:
            literal = _text(decimal_literal(float(value)))
            if literal is not None:
                self._out.append((s, p, literal))

    def _duration(self, s: str, p: str, value: str | None) -> None:
        if value:
            literal = _text(duration_literal(value))
            if literal is not None:
                self._out.append((s, p, literal))

    # -- records ------------------------------------------------------------------------------------

    def record_json(self, uri: str, text: str | bytes) -> list[TextStatement]:
        """All statements of one stored record (its JSON), written under its public ``uri``."""
        data = json.loads(text)
        data["uri"] = uri
        return self.record(data)

    def record(self, data: dict[str, Any]) -> list[TextStatement]:
        """All statements of one record given as its JSON object, grouped by subject."""
        self._out = []
        self._resource(data)
        out, self._out = self._out, []
        return out

    def _subject(self, data: dict[str, Any]) -> str:
        uri = data.get("uri")
        s = _iri(uri) if uri else None
        if s is None:  # rare: no IRI of its own, so the model mints one (its content hash may be needed)
            fields = {name: value for name, value in data.items() if name != "uri" or value}
            record: AnyRecord = _MODELS[data.get("kind", "Dataset")].model_validate(fields)
            s = _iri(mint_iri(record, self.base_uri))
            if s is None:
                from catalog.model import content_hash

                s = _iri(f"{self.base_uri}{_PATH[record.kind]}/{content_hash(record)[:32]}")
                if s is None:
                    raise ValueError(f"base_uri is not an IRI: {self.base_uri!r}")
        return s

    def _resource(self, data: dict[str, Any]) -> str:
        s = self._subject(data)
        kind = data.get("kind", "Dataset")
        outer_key, outer_count = self._key, self._count
        self._key = "b" + hashlib.sha1(s[1:-1].encode("utf-8")).hexdigest()[:16]
        self._count = 0
        self._out.append((s, A, _CLASS[kind]))
        if kind == "DatasetSeries":
            self._out.append((s, A, _CLASS["Dataset"]))
        self._common(s, data)
        if kind == "Dataset":
            self._dataset(s, data)
        elif kind == "DataService":
            self._service(s, data)
        else:
            self._temporal(s, data.get("temporal"))
            self._concept(s, DCT_FREQUENCY, data.get("frequency"), _FREQUENCY)
            self._links(s, DCATAP_LEGISLATION, data.get("applicable_legislation"), _LEGAL)
        self._key, self._count = outer_key, outer_count
        return s

    def _common(self, s: str, r: dict[str, Any]) -> None:
        add = self._out.append
        get = r.get
        for identifier in get("identifier") or ():
            add((s, DCT_IDENTIFIER, _quoted(identifier)))
        self._texts(s, DCT_TITLE, get("title"))
        self._texts(s, DCT_DESCRIPTION, get("description"))
        for lang, words in (get("keyword") or {}).items():
            for word in words:
                add((s, _KEYWORD, _literal(word, lang)))
        for theme in get("theme") or ():
            self._concept(s, _THEME, theme)
        if (publisher := get("publisher")) is not None:
            self._agent(s, _PUBLISHER, publisher)
        if (creator := get("creator")) is not None:
            self._agent(s, _CREATOR, creator)
        for contact in get("contact_point") or ():
            self._contact(s, contact)
        self._date(s, DCT_ISSUED, get("issued"))
        self._date(s, DCT_MODIFIED, get("modified"))
        self._concept(s, DCT_ACCESS_RIGHTS, get("access_rights"), _RIGHTS_STATEMENT)
        self._license(s, get("license"))
        if (rights := get("rights")) is not None:
            self._rights(s, DCT_RIGHTS, rights)
        self._links(s, DCT_CONFORMS_TO, get("conforms_to"), _STANDARD)
        self._links(s, _LANDING_PAGE, get("landing_page"), FOAF_DOCUMENT)
        self._links(s, FOAF_PAGE, get("page"), FOAF_DOCUMENT)
        for language in get("language") or ():
            self._concept(s, DCT_LANGUAGE, language, _LINGUISTIC_SYSTEM, always=False)
        for location in get("spatial") or ():
            self._location(s, location)
        for statuut in get("statuut") or ():
            self._concept(s, _STATUUT, statuut)

    def _dataset(self, s: str, d: dict[str, Any]) -> None:
        get = d.get
        for distribution in get("distribution") or ():
            self._distribution(s, distribution)
        self._temporal(s, get("temporal"))
        self._concept(s, DCT_FREQUENCY, get("frequency"), _FREQUENCY)
        if version := get("version"):
            self._out.append((s, _VERSION, _quoted(version)))
        self._texts(s, _VERSION_NOTES, get("version_notes"))
        if provenance := get("provenance"):
            statement = self._blank()
            self._out.append((s, _PROVENANCE, statement))
            self._out.append((statement, A, _PROVENANCE_STATEMENT))
            self._texts(statement, RDFS_LABEL, provenance)
        self._links(s, _RELATION, get("relation"))
        self._links(s, _SOURCE, get("source"))
        self._links(s, _HAS_VERSION, get("has_version"))
        self._links(s, _IS_VERSION_OF, get("is_version_of"))
        self._links(s, _IS_REFERENCED_BY, get("is_referenced_by"))
        self._links(s, _IN_SERIES, get("in_series"))
        for attribution in get("qualified_attribution") or ():
            self._attribution(s, attribution)
        self._links(s, DCATAP_LEGISLATION, get("applicable_legislation"), _LEGAL)
        self._concept(s, DCT_TYPE, get("type"))
        self._decimal(s, DCAT_SPATIAL_RES, get("spatial_resolution_in_meters"))
        self._duration(s, DCAT_TEMPORAL_RES, get("temporal_resolution"))
        self._concept(s, MDCAT_LEVENSFASE, get("levensfase"))
        self._concept(s, MDCAT_ONTWIKKELINGSTOESTAND, get("ontwikkelingstoestand"))

    def _service(self, s: str, d: dict[str, Any]) -> None:
        self._links(s, DCAT_ENDPOINT_URL, d.get("endpoint_url"))
        self._links(s, DCAT_ENDPOINT_DESCRIPTION, d.get("endpoint_description"))
        self._links(s, DCAT_SERVES_DATASET, d.get("serves_dataset"))
        self._concept(s, MDCAT_LEVENSFASE, d.get("levensfase"))
        self._concept(s, MDCAT_ONTWIKKELINGSTOESTAND, d.get("ontwikkelingstoestand"))

    # -- nested nodes -------------------------------------------------------------------------------

    def _distribution(self, s: str, d: dict[str, Any]) -> None:
        get = d.get
        add = self._out.append
        node = self._node(get("uri"))
        add((s, _DISTRIBUTION, node))
        add((node, A, _DISTRIBUTION_CLASS))
        for identifier in get("identifier") or ():
            add((node, DCT_IDENTIFIER, _quoted(identifier)))
        self._texts(node, DCT_TITLE, get("title"))
        self._texts(node, DCT_DESCRIPTION, get("description"))
        self._links(node, _ACCESS_URL, get("access_url"))
        self._links(node, _DOWNLOAD_URL, get("download_url"))
        for service in get("access_service") or ():
            service.setdefault("kind", "DataService")
            add((node, _ACCESS_SERVICE, self._resource(service)))
        self._concept(node, DCT_FORMAT, get("format"), _MEDIA_TYPE_OR_EXTENT, always=False)
        self._concept(
            node, _MEDIA_TYPE_P, get("media_type"), _MEDIA_TYPE, _MEDIA_TYPE_OR_EXTENT, always=False
        )
        self._concept(node, _COMPRESS_FORMAT, get("compress_format"), _MEDIA_TYPE, always=False)
        self._concept(node, _PACKAGE_FORMAT, get("package_format"), _MEDIA_TYPE, always=False)
        self._license(node, get("license"))
        if (rights := get("rights")) is not None:
            self._rights(node, DCT_RIGHTS, rights)
        self._concept(node, DCT_ACCESS_RIGHTS, get("access_rights"), _RIGHTS_STATEMENT)
        if (byte_size := get("byte_size")) is not None:
            add((node, _BYTE_SIZE, str(int_literal(byte_size, non_negative=True))))
        if (checksum := get("checksum")) is not None:
            self._checksum(node, checksum)
        self._date(node, DCT_ISSUED, get("issued"))
        self._date(node, DCT_MODIFIED, get("modified"))
        self._concept(node, _STATUS, get("status"))
        self._concept(node, _AVAILABILITY, get("availability"))
        for language in get("language") or ():
            self._concept(node, DCT_LANGUAGE, language, _LINGUISTIC_SYSTEM, always=False)
        self._links(node, DCT_CONFORMS_TO, get("conforms_to"), _STANDARD)
        self._links(node, FOAF_PAGE, get("page"), FOAF_DOCUMENT)
        self._decimal(node, DCAT_SPATIAL_RES, get("spatial_resolution_in_meters"))
        self._duration(node, DCAT_TEMPORAL_RES, get("temporal_resolution"))

    def _agent(self, s: str, p: str, agent: dict[str, Any]) -> str:
        get = agent.get
        node = self._node(get("uri"))
        self._out.append((s, p, node))
        for cls in _AGENT_TYPES:
            self._out.append((node, A, cls))
        self._texts(node, FOAF_NAME, get("name"))
        self._concept(node, DCT_TYPE, get("type"))
        if email := get("email"):
            self._link_node(node, _MBOX, _mailto(email))
        if homepage := get("homepage"):
            self._links(node, _HOMEPAGE, (homepage,), FOAF_DOCUMENT)
        if identifier := get("identifier"):
            self._out.append((node, DCT_IDENTIFIER, _quoted(identifier)))
        return node

    def _link_node(self, s: str, p: str, node: str | None) -> None:
        if node is not None:
            self._out.append((s, p, node))

    def _contact(self, s: str, c: dict[str, Any]) -> None:
        get = c.get
        node = self._node(get("uri"))
        self._out.append((s, _CONTACT_POINT, node))
        for cls in _CONTACT_TYPES:
            self._out.append((node, A, cls))
        if name := get("name"):
            self._out.append((node, _FN, _quoted(name)))
        if email := get("email"):
            self._link_node(node, _HAS_EMAIL, _mailto(email))
        if telephone := get("telephone"):
            self._link_node(node, _HAS_TELEPHONE, _text(tel(telephone)))
        if url := get("url"):
            self._links(node, _HAS_URL, (url,))

    def _location(self, s: str, location: dict[str, Any]) -> None:
        node = self._node(location.get("uri"))
        self._out.append((s, DCT_SPATIAL, node))
        self._out.append((node, A, _LOCATION))
        self._texts(node, RDFS_LABEL, location.get("name"))
        if (bbox := location.get("bbox")) is not None:
            w, so, e, n = (float(bbox[k]) for k in ("west", "south", "east", "north"))
            wkt = f"POLYGON(({w} {so},{e} {so},{e} {n},{w} {n},{w} {so}))"
            self._out.append((node, _BBOX, str(wkt_literal(wkt))))

    def _temporal(self, s: str, periods: list[dict[str, Any]] | None) -> None:
        for period in periods or ():
            node = self._blank()
            self._out.append((s, DCT_TEMPORAL, node))
            self._out.append((node, A, _PERIOD))
            self._date(node, _START, period.get("start"))
            self._date(node, _END, period.get("end"))

    def _rights(self, s: str, p: str, rights: dict[str, Any]) -> None:
        node = self._node(rights.get("uri"))
        self._out.append((s, p, node))
        self._out.append((node, A, _RIGHTS_STATEMENT))
        self._texts(node, RDFS_LABEL, rights.get("label"))

    def _license(self, s: str, value: str | None) -> None:
        if not value:
            return
        node = _iri(value)
        if node is None:
            return
        self._out.append((s, DCT_LICENSE, node))
        if self._first_time(node[1:-1], "licence"):
            self._out.append((node, A, _LICENSE_DOCUMENT))
            for licence_type in licence_types(node[1:-1]):
                self._concept(node, DCT_TYPE, licence_type)

    def _checksum(self, s: str, checksum: dict[str, Any]) -> None:
        value = _text(hex_literal(checksum.get("value") or ""))
        algorithm = _iri(checksum.get("algorithm") or "")
        if value is None or algorithm is None:
            return
        node = self._blank()
        self._out.append((s, _CHECKSUM, node))
        self._out.append((node, A, _CHECKSUM_CLASS))
        self._out.append((node, _ALGORITHM, algorithm))
        self._out.append((node, _CHECKSUM_VALUE, value))

    def _attribution(self, s: str, attribution: dict[str, Any]) -> None:
        node = self._blank()
        self._out.append((s, _QUALIFIED_ATTRIBUTION, node))
        self._out.append((node, A, _ATTRIBUTION))
        self._agent(node, _PROV_AGENT, attribution["agent"])
        if role := attribution.get("role"):
            self._links(node, _HAD_ROLE, (role,), _ROLE)


@lru_cache(maxsize=4096)
def _mailto(email: str) -> str | None:
    return _text(mailto(email))


# -- writing ----------------------------------------------------------------------------------------


def ntriples_lines(statements: Iterable[TextStatement]) -> str:
    """The statements as N-Triples lines."""
    return "".join([f"{s} {p} {o} .\n" for s, p, o in statements])


_TURTLE_SEPARATOR = " ;\n    "


def turtle_text(statements: Iterable[TextStatement]) -> str:
    """The statements as Turtle, each subject's statements together (subjects in first-seen order)."""
    names = _TURTLE_NAMES
    by_subject: dict[str, list[str]] = {}
    for s, p, o in statements:
        entry = f"{names.get(p, p)} {names.get(o, o)}"
        bucket = by_subject.get(s)
        if bucket is None:
            by_subject[s] = [entry]
        else:
            bucket.append(entry)
    separator = _TURTLE_SEPARATOR
    return "".join([f"{s} {separator.join(entries)} .\n" for s, entries in by_subject.items()])
