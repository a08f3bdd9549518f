"""The ISO 19139 -> DCAT-AP mapping, field by field, on a full Flemish record and on GeoNetwork's real one."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import rdflib
from csw_support import PAGE_2
from lxml import etree
from replay import SAMPLES_DIR

from catalog.model import DataService, Dataset
from catalog.rdf.serialize import serialize_record
from harvesters._iso19139 import IsoKeyword, map_iso_record
from harvesters._iso19139_xml import GMD, parse_xml

EU = "http://publications.europa.eu/resource/authority/"
GENT = "https://data.stad.gent/id/dataset/fietspaden-gent"


def records(data: bytes) -> list[etree._Element]:
    return list(parse_xml(data).iter(GMD + "MD_Metadata"))


@pytest.fixture(scope="module")
def page_2() -> list[etree._Element]:
    return records(PAGE_2.read_bytes())


def test_full_flemish_record_field_by_field(page_2: list[etree._Element]) -> None:
    mapped = map_iso_record(page_2[0], language="en")
    d = mapped.record
    assert isinstance(d, Dataset)
    assert mapped.problems == ()
    # identity: fileIdentifier and the citation identifier in its codeSpace, which gives the URI
    assert d.uri == GENT
    assert d.identifier == ["7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f", GENT]
    # texts are tagged with the record's own language (dut), not the default given
    assert d.title == {"nl": "Fietspaden in Gent"}
    assert d.description == {
        "nl": "Alle fietspaden op het grondgebied van de stad Gent, met hun type en breedte."
    }
    # keywords, each with its thesaurus
    assert d.keyword == {"nl": ["Vervoersnetwerken", "Vlaamse Open data", "fiets", "mobiliteit"]}
    assert mapped.keywords == (
        IsoKeyword(
            "Vervoersnetwerken",
            "http://inspire.ec.europa.eu/theme/tn",
            "GEMET - INSPIRE themes, version 1.0",
            "https://metadata.vlaanderen.be/srv/dut/thesaurus.download?ref=external.theme.httpinspireeceuropaeutheme-theme",
            "theme",
        ),
        IsoKeyword(
            "Vlaamse Open data",
            "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA",
            "GDI-Vlaanderen Trefwoorden",
        ),
        IsoKeyword("fiets"),
        IsoKeyword("mobiliteit"),
    )
    # INSPIRE theme tn and topic category transportation -> TRAN; elevation maps to no EU theme
    assert d.theme == [EU + "data-theme/TRAN"]
    assert d.statuut == ["https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA"]
    # parties: the owner publishes (its anchor gives the IRI), the point of contact is the contact point
    assert d.publisher is not None
    assert d.publisher.uri == "https://data.vlaanderen.be/id/organisatie/OVO000107"
    assert d.publisher.name == {"nl": "Stad Gent - Dienst Mobiliteit"}
    assert [c.model_dump(exclude_none=True) for c in d.contact_point] == [
        {
            "name": "Stad Gent",
            "email": "gis@stad.gent",
            "telephone": "+3292662211",
            "url": "https://stad.gent/",
        }
    ]
    # dates: publication -> issued (not creation), revision -> modified
    assert d.issued == date(2021, 4, 1)
    assert d.modified == datetime(2026, 9, 30, 12, 0)
    # extents
    assert len(d.spatial) == 1 and d.spatial[0].name == {"nl": "Gent"}
    bbox = d.spatial[0].bbox
    assert bbox is not None
    assert (bbox.west, bbox.south, bbox.east, bbox.north) == (3.5799, 50.9787, 3.8492, 51.1885)
    assert [(t.start, t.end) for t in d.temporal] == [(date(2020, 1, 1), date(2025, 12, 31))]
    # constraints: licence by its anchor, the rest as rights, INSPIRE no-limitations as PUBLIC
    assert d.license == "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
    assert d.rights is not None and d.rights.label == {"nl": "Bronvermelding: Stad Gent"}
    assert d.access_rights == EU + "access-right/PUBLIC"
    assert d.language == [EU + "language/NLD"]
    assert d.frequency == EU + "frequency/MONTHLY"
    assert d.provenance == {"nl": "Ingetekend op basis van het GRB en terreinopnames."}
    assert d.type == "http://inspire.ec.europa.eu/metadata-codelist/ResourceType/dataset"
    # online resources: a WMS and a download become distributions, a web link documentation
    assert d.page == ["https://stad.gent/nl/mobiliteit/fietsen"]
    assert [dist.model_dump(exclude_none=True, exclude_defaults=True) for dist in d.distribution] == [
        {
            "title": {"nl": "fietspaden"},
            "description": {"nl": "Kaartlaag fietspaden"},
            "access_url": ["https://geo.gent.be/geoserver/ows?service=WMS&request=GetCapabilities"],
            "format": EU + "file-type/WMS_SRVC",
        },
        {
            "title": {"nl": "Download als shapefile"},
            "access_url": ["https://data.stad.gent/downloads/fietspaden.zip"],
            "download_url": ["https://data.stad.gent/downloads/fietspaden.zip"],
            "format": EU + "file-type/ZIP",
        },
    ]


def test_service_becomes_a_data_service_serving_the_dataset(page_2: list[etree._Element]) -> None:
    known = {"7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f": GENT}

    mapped = map_iso_record(page_2[1], resolve=known.get)

    s = mapped.record
    assert isinstance(s, DataService)
    assert s.title == {"nl": "Fietspaden Gent - kaartdienst (WMS)"}
    assert s.endpoint_url == ["https://geo.gent.be/geoserver/ows"]
    assert s.endpoint_description == ["https://geo.gent.be/geoserver/ows?service=WMS&request=GetCapabilities"]
    assert s.serves_dataset == [GENT]
    assert s.publisher is not None and s.publisher.name == {"nl": "Stad Gent"}
    assert [c.email for c in s.contact_point] == ["gis@stad.gent"]
    assert mapped.operates_on == ("not-in-this-catalogue",)
    assert [(p.path, p.value) for p in mapped.problems] == [("serves_dataset", "not-in-this-catalogue")]


def test_geonetwork_record_keeps_thesauri_and_protocols() -> None:
    first = records((SAMPLES_DIR / "udata-geonetwork-iso19139-page-1.xml").read_bytes())[0]

    mapped = map_iso_record(first)

    d = mapped.record
    assert isinstance(d, Dataset)
    assert d.title == {"fr": "Plan local d'urbanisme de la commune de Cartigny"}
    by_thesaurus = {k.text: k.thesaurus for k in mapped.keywords}
    assert by_thesaurus["Usage des sols"] == "GEMET - INSPIRE themes, version 1.0"
    assert (
        by_thesaurus["Aménagement Urbanisme/Zonages Planification"] == "Arborescence thématique de la COVADIS"
    )
    assert by_thesaurus["plu"] is None
    assert d.theme == [EU + "data-theme/REGI"], "topic category planningCadastre"
    assert d.issued == date(2017, 10, 7) and d.language == [EU + "language/FRA"]
    # codeSpace without a trailing separator is not glued to the code
    assert d.identifier[1] == "fr-120066022-orphan-residentifier-140d31c6-643d-42a9-85df-2737a118e144"
    assert d.uri is None
    # the WWW:LINK with function download is a distribution; those without a function are pages
    download = "http://atom.geo-ide.developpement-durable.gouv.fr/atomArchive/GetResource?id=fr-120066022-ldd-cab63273-b3ae-4e8a-ae1c-6192e45faa94&datasetAggregate=true"
    assert any(dist.download_url == [download] for dist in d.distribution)
    assert (
        "http://geostandards.developpement-durable.gouv.fr/afficherPageStandard.do?lot=Plan-local-d-urbanisme-v2.0"
        in d.page
    )
    # the real record's box has west east of east: kept as given (a box may cross the antimeridian)
    assert d.spatial[0].bbox is not None and d.spatial[0].bbox.west == 3.28133559
    assert d.contact_point[0].email == "ddtm-sap-bsig@somme.gouv.fr"
    assert d.rights is not None and "Licence Ouverte 1.0" in d.rights.label["fr"]


def test_unreadable_values_are_dropped_and_reported(page_2: list[etree._Element]) -> None:
    element = page_2[0]
    west = element.find(f".//{GMD}westBoundLongitude/*")
    revision = [e for e in element.iter("{http://www.isotc211.org/2005/gco}DateTime")][-1]
    assert west is not None
    west.text, revision.text = "west", "30/09/2026 noon"
    try:
        mapped = map_iso_record(element)
    finally:
        west.text, revision.text = "3.5799", "2026-09-30T12:00:00"

    assert isinstance(mapped.record, Dataset)
    assert mapped.record.spatial == [] and mapped.record.modified is None
    assert [(p.path, p.value) for p in mapped.problems] == [
        ("modified", "30/09/2026 noon"),
        ("spatial.bbox", "west"),
    ]


def test_free_text_translations_are_kept_by_locale(page_2: list[etree._Element]) -> None:
    source = etree.tostring(page_2[0]).decode()
    locale = (
        '<gmd:locale xmlns:gmd="http://www.isotc211.org/2005/gmd"><gmd:PT_Locale id="EN">'
        '<gmd:languageCode><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/"'
        ' codeListValue="eng"/></gmd:languageCode></gmd:PT_Locale></gmd:locale>'
    )
    translated = (
        "<gco:CharacterString>Fietspaden in Gent</gco:CharacterString>"
        '<gmd:PT_FreeText><gmd:textGroup><gmd:LocalisedCharacterString locale="#EN">Cycle paths in Ghent'
        "</gmd:LocalisedCharacterString></gmd:textGroup></gmd:PT_FreeText>"
    )
    source = source.replace("<gco:CharacterString>Fietspaden in Gent</gco:CharacterString>", translated)
    source = source.replace("<gmd:hierarchyLevel>", locale + "<gmd:hierarchyLevel>", 1)

    mapped = map_iso_record(parse_xml(source.encode()))

    assert mapped.record.title == {"en": "Cycle paths in Ghent", "nl": "Fietspaden in Gent"}


_ONLINE_RECORD = """<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>protocols</gco:CharacterString></gmd:fileIdentifier>
  <gmd:identificationInfo><gmd:MD_DataIdentification><gmd:citation><gmd:CI_Citation>
    <gmd:title><gco:CharacterString>Links</gco:CharacterString></gmd:title>
  </gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo>
  <gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>
    {links}
  </gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>"""
_LINK = """<gmd:onLine><gmd:CI_OnlineResource>
  <gmd:linkage><gmd:URL>{url}</gmd:URL></gmd:linkage>
  <gmd:protocol><gco:CharacterString>{protocol}</gco:CharacterString></gmd:protocol>
</gmd:CI_OnlineResource></gmd:onLine>"""


@pytest.mark.parametrize(
    ("protocol", "url", "download", "file_type"),
    [
        ("OGC:WMS-1.3.0-http-get-map", "https://geo.example.be/wms", False, "WMS_SRVC"),
        ("OGC:WFS", "https://geo.example.be/wfs", False, "WFS_SRVC"),
        ("OGC:WMTS", "https://geo.example.be/wmts", False, "WMS_SRVC"),
        ("ESRI:REST", "https://services.arcgis.com/x/FeatureServer/0", False, "REST"),
        ("INSPIRE Atom", "https://geo.example.be/atom/feed.xml", False, "ATOM"),
        ("WWW:DOWNLOAD-1.0-http--download", "https://geo.example.be/data.csv", True, "CSV"),
        ("", "https://geo.example.be/data.geojson", True, "GEOJSON"),
        ("", "https://geo.example.be/ows?SERVICE=WFS&request=GetCapabilities", False, "WFS_SRVC"),
    ],
)
def test_online_resources_by_protocol(protocol: str, url: str, download: bool, file_type: str) -> None:
    record = _ONLINE_RECORD.format(links=_LINK.format(url=url.replace("&", "&amp;"), protocol=protocol))

    mapped = map_iso_record(parse_xml(record.encode()))

    assert isinstance(mapped.record, Dataset)
    [distribution] = mapped.record.distribution
    assert distribution.access_url == [url]
    assert distribution.download_url == ([url] if download else [])
    assert distribution.format == EU + "file-type/" + file_type


def test_web_links_are_documentation_and_bad_links_are_reported() -> None:
    links = _LINK.format(url="https://example.be/about", protocol="WWW:LINK-1.0-http--link") + _LINK.format(
        url="not a url", protocol="WWW:DOWNLOAD-1.0-http--download"
    )

    mapped = map_iso_record(parse_xml(_ONLINE_RECORD.format(links=links).encode()))

    assert isinstance(mapped.record, Dataset)
    assert mapped.record.distribution == [] and mapped.record.page == ["https://example.be/about"]
    assert [(p.path, p.value) for p in mapped.problems] == [("distribution.access_url", "not a url")]


def test_mapped_records_conform_to_dcat_ap_3_shapes(page_2: list[etree._Element]) -> None:
    """The full dataset and its service, as the catalogue writes them, meet DCAT-AP 3.0.1 and its ranges."""
    pyshacl = pytest.importorskip("pyshacl")
    base = "https://catalog.example/"
    shapes = rdflib.Graph()
    for name in ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl"):
        shapes.parse(SAMPLES_DIR.parent / "shapes" / name, format="turtle")
    dataset = map_iso_record(page_2[0]).record
    service = map_iso_record(page_2[1], resolve={"7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f": GENT}.get).record
    service = service.model_copy(update={"uri": base + "datasets/fietspaden-wms"})
    data = rdflib.Graph()
    for record in (dataset, service):
        data.parse(data=serialize_record(record, format="turtle", base_uri=base), format="turtle")

    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)

    assert conforms, text


def test_an_anchored_identifier_link_is_the_dataset_uri(page_2: list[etree._Element]) -> None:
    source = (
        etree.tostring(page_2[0])
        .decode()
        .replace(
            "<gco:CharacterString>fietspaden-gent</gco:CharacterString>",
            '<gmx:Anchor xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' xlink:href="https://metadata.vlaanderen.be/id/dataset/7f3c0d2e">7f3c0d2e</gmx:Anchor>',
        )
    )

    mapped = map_iso_record(parse_xml(source.encode()))

    assert mapped.record.uri == "https://metadata.vlaanderen.be/id/dataset/7f3c0d2e"
