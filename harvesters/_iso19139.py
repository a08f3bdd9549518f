"""ISO 19139 (``gmd:MD_Metadata``) records mapped to DCAT-AP-VL: the project's GeoDCAT-AP subset.

    mapped = map_iso_record(element, language="nl", resolve=known_datasets.get)
    mapped.record        # Dataset, or DataService for srv:SV_ServiceIdentification
    mapped.keywords      # every keyword with its thesaurus (title and link) and its anchor's IRI
    mapped.problems      # what could not be kept

What goes where:

- fileIdentifier and citation identifiers -> ``identifier``; an identifier that is an http IRI (or that
  its codeSpace makes one) -> ``uri``;
- citation title, abstract (with PT_FreeText translations) -> ``title``, ``description``;
- descriptiveKeywords -> ``keyword``; INSPIRE/GEMET themes and anchored concepts -> EU ``theme``;
  GDI-Vlaanderen keywords -> ``statuut``; topicCategory -> EU ``theme`` (``TOPIC_THEMES``);
- responsible parties -> ``publisher``, ``contact_point``, ``creator`` (``_iso19139_parts``);
- citation dates: publication (else creation) -> ``issued``, revision -> ``modified``;
- EX_GeographicBoundingBox -> ``spatial`` (Location with bbox); temporal extent -> ``temporal``;
- lineage statement -> ``provenance``; resourceConstraints -> ``license``, ``rights``, ``access_rights``;
- identification language -> ``language``; maintenance frequency -> ``frequency``;
- distributionInfo online resources -> ``distribution`` and ``page`` (``_iso19139_online``);
- hierarchyLevel -> ``type`` (INSPIRE resource type);
- SV_ServiceIdentification -> DataService: ``endpoint_url``, ``endpoint_description``, and
  ``serves_dataset`` from operatesOn where the reference resolves to a dataset IRI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from catalog.model import DataService, Dataset
from catalog.rdf.parse import Problem
from harvesters._iso19139_online import is_web_url, read_online
from harvesters._iso19139_parts import Reader, link_of, parties, resource_identifiers
from harvesters._iso19139_tables import FREQUENCIES, TOPIC_THEMES
from harvesters._iso19139_xml import GMD, SRV, XLINK_HREF, anchor, children, code, first, value, values
from vocab import codelists, themes

__all__ = ["IsoKeyword", "IsoRecord", "file_identifier", "language_tag", "map_iso_record", "reference_keys"]

_RESOURCE_TYPE = "http://inspire.ec.europa.eu/metadata-codelist/ResourceType/"
_TAGS = {"dut": "nl", "nld": "nl", "fre": "fr", "fra": "fr", "eng": "en", "ger": "de", "deu": "de"}
_OGC_SERVICES = ("WMTS", "WMS", "WFS", "WCS")
_lookup_theme: Callable[[str], str | None] = lru_cache(maxsize=8192)(themes.lookup_theme)
_lookup_language: Callable[[str], str | None] = lru_cache(maxsize=1024)(codelists.lookup_language)
_lookup_statuut: Callable[[str], str | None] = lru_cache(maxsize=1024)(codelists.lookup_statuut)
_CITATION = f"{GMD}citation/{GMD}CI_Citation"
_LOCALISED = f"{GMD}PT_FreeText/{GMD}textGroup/{GMD}LocalisedCharacterString"


@dataclass(frozen=True)
class IsoKeyword:
    """One ``gmd:keyword`` with the thesaurus it was taken from."""

    text: str
    uri: str | None = None
    """The ``gmx:Anchor``'s link, when the keyword is anchored to a concept."""
    thesaurus: str | None = None
    """The thesaurus's title (``GEMET - INSPIRE themes, version 1.0``)."""
    thesaurus_uri: str | None = None
    type: str | None = None
    """MD_KeywordTypeCode (``theme``, ``place`` ...)."""


@dataclass(frozen=True)
class IsoRecord:
    """One ISO record as the catalogue takes it."""

    record: Dataset | DataService
    keywords: tuple[IsoKeyword, ...]
    problems: tuple[Problem, ...]
    operates_on: tuple[str, ...] = ()
    """A service's ``srv:operatesOn`` references (uuidref or link) that could not be resolved."""


def file_identifier(root: etree._Element) -> str | None:
    """The record's ``gmd:fileIdentifier``; None when it has none."""
    return value(first(root, GMD + "fileIdentifier"))


def language_tag(text: str | None) -> str | None:
    """A language tag (``nl``) from an ISO 639-2 code (``dut``), a tag or an EU language IRI."""
    if not text:
        return None
    key = text.strip().lower()
    if key in _TAGS:
        return _TAGS[key]
    if len(key) == 2 and key.isalpha():
        return key
    eu = _lookup_language(text)
    return _TAGS.get(eu.rsplit("/", 1)[1].lower()) if eu else None


def _language_of(prop: etree._Element | None) -> str | None:
    return code(prop) or value(prop)


class _Mapper(Reader):
    """Maps one record; ``locales`` maps PT_Locale ids (``#EN``) to language tags."""

    def __init__(self, root: etree._Element, language: str) -> None:
        super().__init__(language_tag(_language_of(first(root, GMD + "language"))) or language)
        self.root = root
        self.locales: dict[str, str] = {}
        for locale in children(root, f"{GMD}locale/{GMD}PT_Locale"):
            tag = language_tag(_language_of(first(locale, GMD + "languageCode")))
            if tag and locale.get("id"):
                self.locales["#" + locale.get("id", "")] = tag

    def texts(self, prop: etree._Element | None) -> dict[str, str]:
        out: dict[str, str] = {}
        main = value(prop)
        if main:
            out[self.language] = main
        for localised in children(prop, _LOCALISED):
            tag = self.locales.get(localised.get("locale") or "")
            text = (localised.text or "").strip()
            if tag and text and tag not in out:
                out[tag] = text
        return out

    def keywords(self, ident: etree._Element) -> list[IsoKeyword]:
        found: list[IsoKeyword] = []
        for block in children(ident, f"{GMD}descriptiveKeywords/{GMD}MD_Keywords"):
            thesaurus_prop = first(block, f"{GMD}thesaurusName/{GMD}CI_Citation/{GMD}title")
            thesaurus, thesaurus_uri = anchor(thesaurus_prop)
            if thesaurus_uri is None:
                thesaurus_uri = link_of(
                    first(block, f"{GMD}thesaurusName/{GMD}CI_Citation/{GMD}identifier/*/{GMD}code/*")
                )
            kind = code(first(block, GMD + "type"))
            for prop in children(block, GMD + "keyword"):
                text, uri = anchor(prop)
                if text or uri:
                    found.append(IsoKeyword(text or uri or "", uri, thesaurus, thesaurus_uri, kind))
        return found

    def themes(self, ident: etree._Element, keywords: list[IsoKeyword]) -> tuple[list[str], list[str]]:
        """EU themes (topic categories, INSPIRE themes, anchored concepts) and DCAT-AP-VL statuut."""
        theme: list[str] = []
        statuut: list[str] = []
        for topic in values(ident, GMD + "topicCategory"):
            if topic in TOPIC_THEMES:
                theme.append(TOPIC_THEMES[topic])
        for keyword in keywords:
            thesaurus = (keyword.thesaurus or "").lower()
            if keyword.uri:
                found = _lookup_theme(keyword.uri)
                if found:
                    theme.append(found)
                status = _lookup_statuut(keyword.uri)
                if status:
                    statuut.append(status)
            elif "inspire" in thesaurus or "gemet" in thesaurus:
                found = _lookup_theme(keyword.text)
                if found:
                    theme.append(found)
            elif "gdi-vlaanderen" in thesaurus:
                status = _lookup_statuut(keyword.text)
                if status:
                    statuut.append(status)
        return theme, statuut

    def dates(self, citation: etree._Element | None) -> dict[str, object]:
        by_type: dict[str, str] = {}
        for holder in children(citation, f"{GMD}date/{GMD}CI_Date"):
            kind = code(first(holder, GMD + "dateType"))
            text = value(first(holder, GMD + "date"))
            if kind and text and kind not in by_type:
                by_type[kind] = text
        issued = self.date(by_type.get("publication") or by_type.get("creation"), "issued")
        modified = self.date(by_type.get("revision"), "modified")
        return {"issued": issued, "modified": modified}

    def uri(self, identifiers: list[tuple[str, str | None]]) -> str | None:
        for text, space in identifiers:
            joined = _joined(text, space)
            if is_web_url(joined):
                return joined
        return None


def _joined(text: str, space: str | None) -> str:
    """An identifier code in its codeSpace: joined when the space is an IRI namespace (ends in / or #)."""
    if space and not is_web_url(text) and space.endswith(("/", "#")) and is_web_url(space + text):
        return space + text
    return text


def _common(m: _Mapper, ident: etree._Element, keywords: list[IsoKeyword]) -> dict[str, object]:
    """The fields datasets and services share."""
    root = m.root
    citation = first(ident, _CITATION)
    cited = resource_identifiers(citation)
    resource_parties = parties([*children(ident, GMD + "pointOfContact"),
                                *children(citation, GMD + "citedResponsibleParty")])  # fmt: skip
    metadata_parties = parties(children(root, GMD + "contact"))
    theme, statuut = m.themes(ident, keywords)
    words = sorted({k.text for k in keywords if k.text})
    constraints = m.constraints(list(children(ident, GMD + "resourceConstraints")))
    extents = [
        *children(ident, f"{GMD}extent/{GMD}EX_Extent"),
        *children(ident, f"{SRV}extent/{GMD}EX_Extent"),
    ]
    languages = [
        _lookup_language(t) for t in (_language_of(p) for p in children(ident, GMD + "language")) if t
    ]
    online = read_online(root, m.language)
    m.problems.extend(online.problems)
    file_id = file_identifier(root)
    identifiers = [file_id] if file_id else []
    identifiers += [_joined(text, space) for text, space in cited]
    return {
        "uri": m.uri(cited),
        "identifier": identifiers,
        "title": m.texts(first(citation, GMD + "title")),
        "description": m.texts(first(ident, GMD + "abstract")),
        "keyword": {m.language: words} if words else {},
        "theme": theme,
        "statuut": statuut,
        "publisher": m.publisher(resource_parties, metadata_parties),
        "creator": m.creator(resource_parties),
        "contact_point": m.contact_points(resource_parties, metadata_parties),
        **m.dates(citation),
        "license": constraints.license,
        "rights": constraints.rights,
        "access_rights": constraints.access_rights,
        "language": [iri for iri in languages if iri],
        "spatial": m.locations(extents),
        "page": online.pages,
        "_distributions": online.distributions,
        "_extents": extents,
        "_resources": online.resources,
    }


def _dataset(m: _Mapper, ident: etree._Element, fields: dict[str, object], level: str | None) -> Dataset:
    extents = fields.pop("_extents")
    distributions = fields.pop("_distributions")
    fields.pop("_resources")
    assert isinstance(extents, list)
    frequency = code(
        first(
            ident,
            f"{GMD}resourceMaintenance/{GMD}MD_MaintenanceInformation/{GMD}maintenanceAndUpdateFrequency",
        )
    )
    lineage = m.texts(
        first(m.root, f"{GMD}dataQualityInfo/{GMD}DQ_DataQuality/{GMD}lineage/{GMD}LI_Lineage/{GMD}statement")
    )
    return Dataset.model_validate(
        {
            **fields,
            "distribution": distributions,
            "temporal": m.temporal(extents),
            "frequency": FREQUENCIES.get(frequency or ""),
            "provenance": lineage,
            "type": _RESOURCE_TYPE + level if level in ("dataset", "series") else None,
        }
    )


def reference_keys(reference: str) -> list[str]:
    """The keys a reference to a record may be known by: itself, its ``id`` parameter, its last segment."""
    reference = reference.strip()
    keys = [reference]
    parts = urlsplit(reference)
    for name, given in parse_qsl(parts.query):
        if name.lower() in ("id", "uuid") and given:
            keys.append(given)
    for tail in (parts.fragment, parts.path):
        last = tail.rstrip("/").rsplit("/", 1)[-1]
        if last and last not in keys:
            keys.append(last)
    return keys


def _with_capabilities(url: str, service: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in ("service", "request")]
    query += [("service", service), ("request", "GetCapabilities")]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _service(
    m: _Mapper, ident: etree._Element, fields: dict[str, object], resolve: Callable[[str], str | None]
) -> tuple[DataService, tuple[str, ...]]:
    fields.pop("_extents")
    fields.pop("_distributions")
    resources = fields.pop("_resources")
    assert isinstance(resources, list)
    service_type = (value(first(ident, SRV + "serviceType")) or "").upper()
    endpoints = [
        url
        for url in values(
            ident,
            f"{SRV}containsOperations/{SRV}SV_OperationMetadata/{SRV}connectPoint/{GMD}CI_OnlineResource/{GMD}linkage",
        )
        if is_web_url(url)
    ]
    if not endpoints:
        endpoints = [r.url for r in resources if r.kind == "service" and is_web_url(r.url)]
    links = [*endpoints, *(r.url for r in resources if is_web_url(r.url))]
    described = list(dict.fromkeys(u for u in links if "request=getcapabilities" in u.lower()))
    known = next(
        (
            s
            for s in _OGC_SERVICES
            if s in service_type or any(s in (r.protocol or "").upper() for r in resources)
        ),
        None,
    )
    if not described and known:
        described = [_with_capabilities(u, "WMTS" if known == "WMTS" else known) for u in endpoints[:1]]
    serves: list[str] = []
    unresolved: list[str] = []
    for element in children(ident, SRV + "operatesOn"):
        keys = [
            k for ref in (element.get("uuidref"), element.get(XLINK_HREF)) if ref for k in reference_keys(ref)
        ]
        target = next((t for t in (resolve(k) for k in keys) if t), None)
        if target:
            serves.append(target)
        elif keys:
            unresolved.append(keys[0])
            m.problem("serves_dataset", "operatesOn names no dataset with a URI in this catalogue", keys[0])
    service = DataService.model_validate(
        {**fields, "endpoint_url": endpoints, "endpoint_description": described, "serves_dataset": serves}
    )
    return service, tuple(unresolved)


def map_iso_record(
    root: etree._Element, *, language: str = "nl", resolve: Callable[[str], str | None] | None = None
) -> IsoRecord:
    """Map one ``gmd:MD_Metadata``; pydantic's ValidationError when the result is not a valid record.

    ``language`` tags text when the record does not name its language; ``resolve`` turns a service's
    ``srv:operatesOn`` reference (a file identifier, a resource identifier or a link) into a dataset IRI.
    """
    m = _Mapper(root, language)
    info = first(root, GMD + "identificationInfo")
    ident = next((child for child in info if isinstance(child.tag, str)), None) if info is not None else None
    if ident is None:
        raise ValueError("record has no identificationInfo")
    keywords = m.keywords(ident)
    fields = _common(m, ident, keywords)
    level = code(first(root, GMD + "hierarchyLevel"))
    if ident.tag == SRV + "SV_ServiceIdentification" or level == "service":
        record, unresolved = _service(m, ident, fields, resolve or (lambda key: None))
        return IsoRecord(record, tuple(keywords), tuple(m.problems), unresolved)
    return IsoRecord(_dataset(m, ident, fields, level), tuple(keywords), tuple(m.problems))
