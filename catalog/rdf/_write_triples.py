"""Records to DCAT-AP 3 / DCAT-AP-VL triples (pyoxigraph terms).

One method per model class. Everything a record points to is typed with the class DCAT-AP 3.0.1's
range shapes expect, and controlled values are described as ``skos:Concept`` with a label and their
scheme, so that a single record's output validates on its own.

Identity:
- A record without ``uri`` gets a minted IRI ``{base_uri}{dataset|service|series|catalog}/{id}``, where
  ``id`` is the first 32 hex digits of the SHA-256 of its identifiers (stable across edits of the
  record), or of its content when it has no identifier. The store normally sets ``uri`` itself.
- Nested nodes without IRI (distributions, contact points, agents, periods, locations, checksums,
  rights and provenance statements, attributions) are blank nodes whose labels derive from the
  record's IRI and their position, so the same record always gives the same output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from pyoxigraph import NamedNode

from catalog.model import (
    Agent,
    Attribution,
    Catalog,
    Checksum,
    ContactPoint,
    DataService,
    Dataset,
    DatasetSeries,
    Distribution,
    Location,
    PeriodOfTime,
    RightsStatement,
    content_hash,
)
from catalog.rdf._write_terms import (
    Node,
    Statement,
    Term,
    blank,
    date_literal,
    decimal_literal,
    duration_literal,
    hex_literal,
    int_literal,
    iri,
    mailto,
    ns,
    tel,
    text_literal,
    wkt_literal,
)
from catalog.rdf._write_vocab import (
    concept_labels,
    concept_scheme,
    licence_types,
    scheme_title,
)

__all__ = ["AnyRecord", "TripleWriter", "mint_iri"]

AnyRecord = Dataset | DataService | DatasetSeries | Catalog

A = ns("rdf:type")
RDFS_LABEL = ns("rdfs:label")
SKOS_CONCEPT = ns("skos:Concept")
SKOS_SCHEME = ns("skos:ConceptScheme")
SKOS_IN_SCHEME = ns("skos:inScheme")
SKOS_PREF_LABEL = ns("skos:prefLabel")
DCT_TITLE = ns("dct:title")
DCT_DESCRIPTION = ns("dct:description")
DCT_IDENTIFIER = ns("dct:identifier")
DCT_TYPE = ns("dct:type")
DCT_ISSUED = ns("dct:issued")
DCT_MODIFIED = ns("dct:modified")
DCT_LICENSE = ns("dct:license")
DCT_RIGHTS = ns("dct:rights")
DCT_ACCESS_RIGHTS = ns("dct:accessRights")
DCT_CONFORMS_TO = ns("dct:conformsTo")
DCT_LANGUAGE = ns("dct:language")
DCT_SPATIAL = ns("dct:spatial")
DCT_TEMPORAL = ns("dct:temporal")
DCT_FORMAT = ns("dct:format")
FOAF_PAGE = ns("foaf:page")
FOAF_DOCUMENT = ns("foaf:Document")
FOAF_NAME = ns("foaf:name")
DCAT_SPATIAL_RES = ns("dcat:spatialResolutionInMeters")
DCAT_TEMPORAL_RES = ns("dcat:temporalResolution")
DCAT_ENDPOINT_URL = ns("dcat:endpointURL")
DCAT_ENDPOINT_DESCRIPTION = ns("dcat:endpointDescription")
DCAT_SERVES_DATASET = ns("dcat:servesDataset")
DCT_FREQUENCY = ns("dct:accrualPeriodicity")
DCATAP_LEGISLATION = ns("dcatap:applicableLegislation")
MDCAT_LEVENSFASE = ns("mdcat:levensfase")
MDCAT_ONTWIKKELINGSTOESTAND = ns("mdcat:ontwikkelingstoestand")

_CLASS = {
    "Dataset": ns("dcat:Dataset"),
    "DataService": ns("dcat:DataService"),
    "DatasetSeries": ns("dcat:DatasetSeries"),
    "Catalog": ns("dcat:Catalog"),
}
_PATH = {"Dataset": "dataset", "DataService": "service", "DatasetSeries": "series", "Catalog": "catalog"}

_RIGHTS_STATEMENT = ns("dct:RightsStatement")
_LICENSE_DOCUMENT = ns("dct:LicenseDocument")
_MEDIA_TYPE = ns("dct:MediaType")
_MEDIA_TYPE_OR_EXTENT = ns("dct:MediaTypeOrExtent")
_LINGUISTIC_SYSTEM = ns("dct:LinguisticSystem")
_STANDARD = ns("dct:Standard")
_FREQUENCY = ns("dct:Frequency")
_LEGAL = ns("eli:LegalResource")
_KEYWORD = ns("dcat:keyword")
_THEME = ns("dcat:theme")
_PUBLISHER = ns("dct:publisher")
_CREATOR = ns("dct:creator")
_LANDING_PAGE = ns("dcat:landingPage")
_STATUUT = ns("mdcat:statuut")
_VERSION = ns("dcat:version")
_VERSION_NOTES = ns("adms:versionNotes")
_PROVENANCE = ns("dct:provenance")
_PROVENANCE_STATEMENT = ns("dct:ProvenanceStatement")
_RELATION = ns("dct:relation")
_SOURCE = ns("dct:source")
_HAS_VERSION = ns("dct:hasVersion")
_IS_VERSION_OF = ns("dct:isVersionOf")
_IS_REFERENCED_BY = ns("dct:isReferencedBy")
_IN_SERIES = ns("dcat:inSeries")
_HOMEPAGE = ns("foaf:homepage")
_THEME_TAXONOMY = ns("dcat:themeTaxonomy")
_HAS_PART = ns("dct:hasPart")
_DISTRIBUTION = ns("dcat:distribution")
_DISTRIBUTION_CLASS = ns("dcat:Distribution")
_ACCESS_URL = ns("dcat:accessURL")
_DOWNLOAD_URL = ns("dcat:downloadURL")
_ACCESS_SERVICE = ns("dcat:accessService")
_MEDIA_TYPE_P = ns("dcat:mediaType")
_COMPRESS_FORMAT = ns("dcat:compressFormat")
_PACKAGE_FORMAT = ns("dcat:packageFormat")
_BYTE_SIZE = ns("dcat:byteSize")
_STATUS = ns("adms:status")
_AVAILABILITY = ns("dcatap:availability")
_MBOX = ns("foaf:mbox")
_CONTACT_POINT = ns("dcat:contactPoint")
_FN = ns("vcard:fn")
_HAS_EMAIL = ns("vcard:hasEmail")
_HAS_TELEPHONE = ns("vcard:hasTelephone")
_HAS_URL = ns("vcard:hasURL")
_LOCATION = ns("dct:Location")
_BBOX = ns("dcat:bbox")
_PERIOD = ns("dct:PeriodOfTime")
_START = ns("dcat:startDate")
_END = ns("dcat:endDate")
_CHECKSUM = ns("spdx:checksum")
_CHECKSUM_CLASS = ns("spdx:Checksum")
_ALGORITHM = ns("spdx:algorithm")
_CHECKSUM_VALUE = ns("spdx:checksumValue")
_QUALIFIED_ATTRIBUTION = ns("prov:qualifiedAttribution")
_ATTRIBUTION = ns("prov:Attribution")
_PROV_AGENT = ns("prov:agent")
_HAD_ROLE = ns("dcat:hadRole")
_ROLE = ns("dcat:Role")
_AGENT_TYPES = (ns("foaf:Agent"), ns("dct:Agent"))
_CONTACT_TYPES = (ns("vcard:Kind"), ns("vcard:Organization"))


def mint_iri(record: AnyRecord, base_uri: str) -> str:
    """The IRI written for a record: its own ``uri``, else one minted under ``base_uri``."""
    if record.uri:
        return record.uri
    if record.identifier:
        digest = hashlib.sha256("\x1f".join(record.identifier).encode("utf-8")).hexdigest()
    else:
        digest = content_hash(record)
    return f"{base_uri}{_PATH[record.kind]}/{digest[:32]}"


class TripleWriter:
    """Turns records into lists of ``(subject, predicate, object)`` statements.

    Descriptions of the vocabulary terms records point to (a theme's type, label and scheme) are
    written once per writer: pass one writer through a stream so each is written once per document.
    At most ``remember`` of them are remembered, so memory stays bounded on any stream.
    """

    def __init__(self, base_uri: str, *, remember: int = 20_000) -> None:
        self.base_uri = base_uri
        self._remember = remember
        self._described: set[tuple[str, str]] = set()
        self._out: list[Statement] = []
        self._key = ""
        self._count = 0

    @property
    def described(self) -> set[tuple[str, str]]:
        """``(term, what)`` for the vocabulary terms described so far (share it with a
        ``JsonTripleWriter`` writing the same document)."""
        return self._described

    # -- plumbing -----------------------------------------------------------------------------------

    def _add(self, s: Node, p: NamedNode, o: Term) -> None:
        self._out.append((s, p, o))

    def _blank(self) -> Node:
        self._count += 1
        return blank(self._key, self._count)

    def _node(self, uri: str | None) -> Node:
        node = iri(uri) if uri else None
        return node if node is not None else self._blank()

    def _first_time(self, value: str, what: str) -> bool:
        key = (value, what)
        if key in self._described:
            return False
        if len(self._described) >= self._remember:
            self._described.clear()
        self._described.add(key)
        return True

    def _type(self, node: Node, cls: NamedNode) -> None:
        if self._first_time(node.value, cls.value):
            self._add(node, A, cls)

    def _texts(self, s: Node, p: NamedNode, texts: dict[str, str]) -> None:
        for lang, text in texts.items():
            self._add(s, p, text_literal(text, lang))

    def _links(self, s: Node, p: NamedNode, values: Iterable[str], cls: NamedNode | None = None) -> None:
        for value in values:
            node = iri(value)
            if node is not None:
                self._add(s, p, node)
                if cls is not None:
                    self._type(node, cls)

    def _concept(
        self, s: Node, p: NamedNode, value: str | None, *classes: NamedNode, always: bool = True
    ) -> None:
        """Link to a controlled value and describe it (type, label, scheme) the first time."""
        if not value:
            return
        node = iri(value)
        if node is None:
            return
        self._add(s, p, node)
        for cls in classes:
            self._type(node, cls)
        scheme = concept_scheme(node.value)
        if (always or scheme) and self._first_time(node.value, "concept"):
            self._add(node, A, SKOS_CONCEPT)
            for lang, label in concept_labels(node.value):
                self._add(node, SKOS_PREF_LABEL, text_literal(label, lang))
            scheme_node = iri(scheme) if scheme else None
            if scheme_node is not None:
                self._add(node, SKOS_IN_SCHEME, scheme_node)
                self._scheme(scheme_node)

    def _scheme(self, node: NamedNode) -> None:
        """Describe a concept scheme once: DCAT-AP wants a ``dct:title``, DCAT-AP-VL its type."""
        if self._first_time(node.value, "scheme"):
            self._add(node, A, SKOS_SCHEME)
            self._add(node, DCT_TITLE, text_literal(scheme_title(node.value), ""))

    def _date(self, s: Node, p: NamedNode, value: Any) -> None:
        if value is not None:
            self._add(s, p, date_literal(value))

    def _decimal(self, s: Node, p: NamedNode, value: float | None) -> None:
        if value is not None:
            literal = decimal_literal(value)
            if literal is not None:
                self._add(s, p, literal)

    def _duration(self, s: Node, p: NamedNode, value: str | None) -> None:
        if value:
            literal = duration_literal(value)
            if literal is not None:
                self._add(s, p, literal)

    # -- records ------------------------------------------------------------------------------------

    def record(self, record: AnyRecord) -> list[Statement]:
        """All triples of one record (its nested nodes included), grouped by subject."""
        self._out = []
        self._resource(record)
        out, self._out = self._out, []
        return out

    def _resource(self, record: AnyRecord) -> Node:
        uri = mint_iri(record, self.base_uri)
        s = iri(uri)
        if s is None:  # the model checks IRIs, so only the strictest RFC 3987 rules end here
            s = iri(f"{self.base_uri}{_PATH[record.kind]}/{content_hash(record)[:32]}")
            if s is None:
                raise ValueError(f"base_uri is not an IRI: {self.base_uri!r}")
        outer_key, outer_count = self._key, self._count
        self._key = "b" + hashlib.sha1(s.value.encode("utf-8")).hexdigest()[:16]
        self._count = 0
        self._add(s, A, _CLASS[record.kind])
        if isinstance(record, DatasetSeries):  # DCAT 3: a series is a dataset (what dcat:dataset ranges over)
            self._add(s, A, _CLASS["Dataset"])
        self._common(s, record)
        if isinstance(record, Dataset):
            self._dataset(s, record)
        elif isinstance(record, DataService):
            self._service(s, record)
        elif isinstance(record, DatasetSeries):
            self._temporal(s, record.temporal)
            self._concept(s, DCT_FREQUENCY, record.frequency, _FREQUENCY)
            self._links(s, DCATAP_LEGISLATION, record.applicable_legislation, _LEGAL)
        else:
            self._catalog(s, record)
        self._key, self._count = outer_key, outer_count
        return s

    def _common(self, s: Node, r: AnyRecord) -> None:
        for identifier in r.identifier:
            self._add(s, DCT_IDENTIFIER, text_literal(identifier, ""))
        self._texts(s, DCT_TITLE, r.title)
        self._texts(s, DCT_DESCRIPTION, r.description)
        for lang, words in r.keyword.items():
            for word in words:
                self._add(s, _KEYWORD, text_literal(word, lang))
        for theme in r.theme:
            self._concept(s, _THEME, theme)
        if r.publisher is not None:
            self._agent(s, _PUBLISHER, r.publisher)
        if r.creator is not None:
            self._agent(s, _CREATOR, r.creator)
        for contact in r.contact_point:
            self._contact(s, contact)
        self._date(s, DCT_ISSUED, r.issued)
        self._date(s, DCT_MODIFIED, r.modified)
        self._concept(s, DCT_ACCESS_RIGHTS, r.access_rights, _RIGHTS_STATEMENT)
        self._license(s, r.license)
        if r.rights is not None:
            self._rights(s, DCT_RIGHTS, r.rights)
        self._links(s, DCT_CONFORMS_TO, r.conforms_to, _STANDARD)
        self._links(s, _LANDING_PAGE, r.landing_page, FOAF_DOCUMENT)
        self._links(s, FOAF_PAGE, r.page, FOAF_DOCUMENT)
        for language in r.language:
            self._concept(s, DCT_LANGUAGE, language, _LINGUISTIC_SYSTEM, always=False)
        for location in r.spatial:
            self._location(s, location)
        for statuut in r.statuut:
            self._concept(s, _STATUUT, statuut)

    def _dataset(self, s: Node, d: Dataset) -> None:
        for distribution in d.distribution:
            self._distribution(s, distribution)
        self._temporal(s, d.temporal)
        self._concept(s, DCT_FREQUENCY, d.frequency, _FREQUENCY)
        if d.version:
            self._add(s, _VERSION, text_literal(d.version, ""))
        self._texts(s, _VERSION_NOTES, d.version_notes)
        if d.provenance:
            statement = self._blank()
            self._add(s, _PROVENANCE, statement)
            self._add(statement, A, _PROVENANCE_STATEMENT)
            self._texts(statement, RDFS_LABEL, d.provenance)
        self._links(s, _RELATION, d.relation)
        self._links(s, _SOURCE, d.source)
        self._links(s, _HAS_VERSION, d.has_version)
        self._links(s, _IS_VERSION_OF, d.is_version_of)
        self._links(s, _IS_REFERENCED_BY, d.is_referenced_by)
        self._links(s, _IN_SERIES, d.in_series)
        for attribution in d.qualified_attribution:
            self._attribution(s, attribution)
        self._links(s, DCATAP_LEGISLATION, d.applicable_legislation, _LEGAL)
        self._concept(s, DCT_TYPE, d.type)
        self._decimal(s, DCAT_SPATIAL_RES, d.spatial_resolution_in_meters)
        self._duration(s, DCAT_TEMPORAL_RES, d.temporal_resolution)
        self._concept(s, MDCAT_LEVENSFASE, d.levensfase)
        self._concept(s, MDCAT_ONTWIKKELINGSTOESTAND, d.ontwikkelingstoestand)

    def _service(self, s: Node, d: DataService) -> None:
        self._links(s, DCAT_ENDPOINT_URL, d.endpoint_url)
        self._links(s, DCAT_ENDPOINT_DESCRIPTION, d.endpoint_description)
        self._links(s, DCAT_SERVES_DATASET, d.serves_dataset)
        self._concept(s, MDCAT_LEVENSFASE, d.levensfase)
        self._concept(s, MDCAT_ONTWIKKELINGSTOESTAND, d.ontwikkelingstoestand)

    def _catalog(self, s: Node, c: Catalog) -> None:
        if c.homepage:
            self._links(s, _HOMEPAGE, (c.homepage,), FOAF_DOCUMENT)
        for taxonomy in c.theme_taxonomy:
            node = iri(taxonomy)
            if node is not None:
                self._add(s, _THEME_TAXONOMY, node)
                self._scheme(node)
        self._links(s, _HAS_PART, c.has_part)

    # -- nested nodes -------------------------------------------------------------------------------

    def _distribution(self, s: Node, d: Distribution) -> None:
        node = self._node(d.uri)
        self._add(s, _DISTRIBUTION, node)
        self._add(node, A, _DISTRIBUTION_CLASS)
        for identifier in d.identifier:
            self._add(node, DCT_IDENTIFIER, text_literal(identifier, ""))
        self._texts(node, DCT_TITLE, d.title)
        self._texts(node, DCT_DESCRIPTION, d.description)
        self._links(node, _ACCESS_URL, d.access_url)
        self._links(node, _DOWNLOAD_URL, d.download_url)
        for service in d.access_service:
            self._add(node, _ACCESS_SERVICE, self._resource(service))
        self._concept(node, DCT_FORMAT, d.format, _MEDIA_TYPE_OR_EXTENT, always=False)
        self._concept(node, _MEDIA_TYPE_P, d.media_type, _MEDIA_TYPE, _MEDIA_TYPE_OR_EXTENT, always=False)
        self._concept(node, _COMPRESS_FORMAT, d.compress_format, _MEDIA_TYPE, always=False)
        self._concept(node, _PACKAGE_FORMAT, d.package_format, _MEDIA_TYPE, always=False)
        self._license(node, d.license)
        if d.rights is not None:
            self._rights(node, DCT_RIGHTS, d.rights)
        self._concept(node, DCT_ACCESS_RIGHTS, d.access_rights, _RIGHTS_STATEMENT)
        if d.byte_size is not None:
            self._add(node, _BYTE_SIZE, int_literal(d.byte_size, non_negative=True))
        if d.checksum is not None:
            self._checksum(node, d.checksum)
        self._date(node, DCT_ISSUED, d.issued)
        self._date(node, DCT_MODIFIED, d.modified)
        self._concept(node, _STATUS, d.status)
        self._concept(node, _AVAILABILITY, d.availability)
        for language in d.language:
            self._concept(node, DCT_LANGUAGE, language, _LINGUISTIC_SYSTEM, always=False)
        self._links(node, DCT_CONFORMS_TO, d.conforms_to, _STANDARD)
        self._links(node, FOAF_PAGE, d.page, FOAF_DOCUMENT)
        self._decimal(node, DCAT_SPATIAL_RES, d.spatial_resolution_in_meters)
        self._duration(node, DCAT_TEMPORAL_RES, d.temporal_resolution)

    def _agent(self, s: Node, p: NamedNode, agent: Agent) -> Node:
        node = self._node(agent.uri)
        self._add(s, p, node)
        for cls in _AGENT_TYPES:
            self._add(node, A, cls)
        self._texts(node, FOAF_NAME, agent.name)
        self._concept(node, DCT_TYPE, agent.type)
        if agent.email:
            self._links_node(node, _MBOX, mailto(agent.email))
        if agent.homepage:
            self._links(node, _HOMEPAGE, (agent.homepage,), FOAF_DOCUMENT)
        if agent.identifier:
            self._add(node, DCT_IDENTIFIER, text_literal(agent.identifier, ""))
        return node

    def _links_node(self, s: Node, p: NamedNode, node: Node | None) -> None:
        if node is not None:
            self._add(s, p, node)

    def _contact(self, s: Node, c: ContactPoint) -> None:
        node = self._node(c.uri)
        self._add(s, _CONTACT_POINT, node)
        for cls in _CONTACT_TYPES:
            self._add(node, A, cls)
        if c.name:
            self._add(node, _FN, text_literal(c.name, ""))
        if c.email:
            self._links_node(node, _HAS_EMAIL, mailto(c.email))
        if c.telephone:
            self._links_node(node, _HAS_TELEPHONE, tel(c.telephone))
        if c.url:
            self._links(node, _HAS_URL, (c.url,))

    def _location(self, s: Node, location: Location) -> None:
        node = self._node(location.uri)
        self._add(s, DCT_SPATIAL, node)
        self._add(node, A, _LOCATION)
        self._texts(node, RDFS_LABEL, location.name)
        if location.bbox is not None:
            self._add(node, _BBOX, wkt_literal(location.bbox.to_wkt()))

    def _temporal(self, s: Node, periods: list[PeriodOfTime]) -> None:
        for period in periods:
            node = self._blank()
            self._add(s, DCT_TEMPORAL, node)
            self._add(node, A, _PERIOD)
            self._date(node, _START, period.start)
            self._date(node, _END, period.end)

    def _rights(self, s: Node, p: NamedNode, rights: RightsStatement) -> None:
        node = self._node(rights.uri)
        self._add(s, p, node)
        self._add(node, A, _RIGHTS_STATEMENT)
        self._texts(node, RDFS_LABEL, rights.label)

    def _license(self, s: Node, value: str | None) -> None:
        if not value:
            return
        node = iri(value)
        if node is None:
            return
        self._add(s, DCT_LICENSE, node)
        if self._first_time(node.value, "licence"):
            self._add(node, A, _LICENSE_DOCUMENT)
            for licence_type in licence_types(node.value):
                self._concept(node, DCT_TYPE, licence_type)

    def _checksum(self, s: Node, checksum: Checksum) -> None:
        value = hex_literal(checksum.value)
        algorithm = iri(checksum.algorithm)
        if value is None or algorithm is None:
            return
        node = self._blank()
        self._add(s, _CHECKSUM, node)
        self._add(node, A, _CHECKSUM_CLASS)
        self._add(node, _ALGORITHM, algorithm)
        self._add(node, _CHECKSUM_VALUE, value)

    def _attribution(self, s: Node, attribution: Attribution) -> None:
        node = self._blank()
        self._add(s, _QUALIFIED_ATTRIBUTION, node)
        self._add(node, A, _ATTRIBUTION)
        self._agent(node, _PROV_AGENT, attribution.agent)
        if attribution.role:
            self._links(node, _HAD_ROLE, (attribution.role,), _ROLE)
