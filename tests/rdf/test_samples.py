"""Every real DCAT RDF sample in ../shared/reference/samples/ parses into the records it holds.

Not covered here, because they are not RDF and belong to other harvesters: the CKAN API responses
(ckan-datasud/*.json), the DKAN and ArcGIS data.json files (udata-dkan-*.json, udata-evian.json) and
GeoNetwork's ISO 19139 response (udata-geonetwork-iso19139-page-1.xml). GeoNetwork's DCAT response
wraps rdf:RDF in a CSW envelope; the reader takes it out.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from catalog.exceptions import FeedError
from catalog.rdf.parse import FeedReader, ParsedRecord, parse_feed

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"reference samples not found at {SAMPLES}")

FVL = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"

# file: (kinds, one subject, its title, a licence IRI in the file or None, a distribution access URL)
CASES: dict[str, tuple[dict[str, int], str, dict[str, str], str | None, str | None]] = {
    "agrarisch-groen-ontoegankelijk-antwerpen.xml": (
        {"Dataset": 1},
        "https://portaal-stadantwerpen.opendata.arcgis.com/maps/stadAntwerpen::agrarisch-groen-ontoegankelijk",
        {"": "agrarisch groen ontoegankelijk"},
        None,
        "https://geodata.antwerpen.be/arcgissql/rest/services/P_Portal/portal_publiek9/MapServer/910",
    ),
    "ckanext-dcat-catalog.rdf": (
        {"Dataset": 2},
        "https://data.some.org/catalog/datasets/1",
        {"": "Example dataset 1"},
        "https://data.some.org/link/to/license",
        "https://data.some.org/the/actual/catalog/link/to/an/api",
    ),
    "ckanext-dcat-catalog_pod.jsonld": (
        {"Dataset": 1},
        "http://www.agency.gov/datasets/widgets-data",
        {"": "U.S. Widget Manufacturing Statistics"},
        None,
        "https://data.agency.gov/api/widgets-statistics/",
    ),
    "ckanext-dcat-catalog_with_at_graph.jsonld": (
        {"Dataset": 1},
        "https://ckan.example.org/dataset/d4ce4e6e-ab89-44cb-bf5c-33a162c234de#dataset",
        {"": "Title dataset"},
        "http://www.opendefinition.org/licenses/cc-zero",
        None,
    ),
    "ckanext-dcat-dataset_multilingual.ttl": (
        {"Dataset": 1},
        "https://example.org/dataset/0112cf32-bce0-4071-9504-923375f9f2ad",
        {
            "ca": "Conjunt de dades de prova DCAT",
            "en": "Test DCAT dataset",
            "es": "Conjunto de datos de prueba DCAT",
        },
        None,
        "https://example.com/data.csv",
    ),
    "evolutie-fijn-stof-in-de-lucht-vlaanderen.xml": (
        {"Dataset": 1},
        "https://metadata.vlaanderen.be/srv/resources/datasets/c96bf4c0-5669-4f52-81c7-34bfa8a6ba20",
        {"nl": "Evolutie fijn stof in de lucht"},
        FVL,
        "https://www.vmm.be/lucht/fijn-stof/concentratie-pm10/pm10-daggemiddelden-eu/@@download/csv",
    ),
    "fedict-best-dcat.rdf": (
        {"DataService": 1, "Dataset": 2},
        "http://data.gov.be/dataservice/fpsbosa/best/full",
        {"fr": "Adresses BeSt, API", "nl": "BeSt adressen, API"},
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
        "https://opendata.bosa.be/index.fr.html",
    ),
    "fedict-fpsecocbe.xml": (
        {"DataService": 1, "Dataset": 2},
        "http://data.gov.be/service/fpseco/cbefull",
        {
            "de": "ZDU - Webservice Public Search",
            "en": "CBE - Public Search web service",
            "fr": "Banque-Carrefour des Entreprises - Service web Public Search",
            "nl": "Kruispuntbank van Ondernemingen - Webservice Public Search",
        },
        "http://data.gov.be/license/cbe/full",
        None,
    ),
    "fietstelpaal-visserij-gent.dcat-ap3.xml": (
        {"Dataset": 1},
        "https://data.stad.gent/api/v2/catalog/datasets/fietstelpaal-visserij-2023-gent",
        {"": "Fietstelpaal Visserij 2023 Gent"},
        None,
        "https://data.stad.gent/api/v2/catalog/datasets/fietstelpaal-visserij-2023-gent/exports/csv",
    ),
    "mobilidata-vlaanderen-service.xml": (
        {"DataService": 1},
        "https://metadata.vlaanderen.be/srv/resources/services/cd3378bf-40e6-48fb-b1c5-3f9114f108f1",
        {"nl": "Mobilidata"},
        None,
        None,
    ),
    "ods-capatlantique-catalog-exports-dcat.rdf": (
        {"Dataset": 1, "DataService": 1},
        "https://data.capatlantique.fr/explore/dataset/264400516_arretes_ccas_guerande/",
        {"fr": "Arrêtés du CCAS de Guérande"},
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
        "https://data.capatlantique.fr/api/explore/v2.1/catalog/datasets/264400516_arretes_ccas_guerande/exports/csv?use_labels=true",
    ),
    "ogc-api-features-landinrichting-service-vlaanderen.xml": (
        {"DataService": 1},
        "https://metadata.vlaanderen.be/srv/resources/services/237bcd44-d30e-42e2-816b-2ee410c652ec",
        {"nl": "OGC API Features Landinrichting"},
        None,
        None,
    ),
    "profiel-werknemers-met-aanmoedigingspremie-vlaanderen.xml": (
        {"Dataset": 1},
        "https://opendata.wse.vlaanderen.be/api/v2/catalog/datasets/amp03_profiel_werknemers_v1",
        {"nl": "AP03 - Profiel werknemers met aanmoedigingspremie per jaar"},
        FVL,
        "https://opendata.wse.vlaanderen.be/api/v2/catalog/datasets/amp03_profiel_werknemers_v1/exports/csv?use_labels=true",
    ),
    "udata-bnodes.xml": ({"Dataset": 3, "DataService": 1}, "dataset-3", {"": "Dataset 3"}, None, None),
    "udata-catalog.xml": (
        {"Dataset": 4, "DataService": 1},
        "http://data.test.org/datasets/3",
        {"": "Dataset 3"},
        None,
        "http://data.test.org/datasets/1/resources/1/file.json",
    ),
    "udata-geonetwork-dcat-page-1.xml": (
        {"Dataset": 2},
        "https://www.geo2france.fr/geonetwork/srv/fre/catalog.search#/metadata/04bcec79-5b25-4b16-b635-73115f7456e4",
        {"": "INSEE - Part des ménages présents depuis 5 ans ou plus dans leur logement actuel (2010)"},
        None,
        "https://www.data.gouv.fr/fr/datasets/donnees-carroyees-a-200-m-sur-la-population/",
    ),
    "udata-udata.xml": (
        {"Dataset": 2, "DataService": 1},
        "https://vanves-seineouest.opendatasoft.com/explore/dataset/bureau-de-vote-vanves/",
        {"": "Bureaux de vote - Vanves"},
        None,
        "https://www.data.gouv.fr/datasets/r/0f80d285-72f8-49f8-a691-1dad6bd2f6db",
    ),
}


def read(name: str) -> tuple[FeedReader, list[ParsedRecord]]:
    reader = parse_feed(SAMPLES / name)
    return reader, list(reader)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_parses_into_its_records(name: str) -> None:
    kinds, subject, title, licence, access_url = CASES[name]
    reader, records = read(name)
    assert reader.failures == []
    assert dict(Counter(r.record.kind for r in records)) == kinds
    by_subject = {r.subject: r for r in records}
    assert by_subject[subject].record.title == title
    licences = {r.record.license for r in records} | {
        d.license for r in records for d in getattr(r.record, "distribution", [])
    }
    if licence is not None:
        assert licence in licences
    urls = {u for r in records for d in getattr(r.record, "distribution", []) for u in d.access_url}
    if access_url is not None:
        assert access_url in urls
    for parsed in records:
        assert parsed.raw.endswith(b" .\n")


def test_gent_licence_defect_is_reported() -> None:
    _, records = read("fietstelpaal-visserij-gent.dcat-ap3.xml")
    (gent,) = records
    problems = {(p.path, p.message) for p in gent.problems}
    assert ("distribution.0.license", "licence given as an empty node, without IRI or label") in problems
    assert all(d.license is None for d in gent.record.distribution)  # type: ignore[union-attr]


def test_udata_licence_text_is_mapped_or_reported() -> None:
    _, records = read("udata-catalog.xml")
    record = next(r for r in records if r.subject == "http://data.test.org/datasets/3")
    if record.record.license is None:
        assert any(p.path == "license" and p.value == "Licence Ouverte Version 2.0" for p in record.problems)


def test_blank_node_datasets_get_blank_labels() -> None:
    _, records = read("udata-bnodes.xml")
    assert sum(r.subject.startswith("_:") for r in records) >= 1


@pytest.mark.parametrize("kind", ["paged", "partial"])
def test_hydra_paging(kind: str) -> None:
    first, records = read(f"udata-{kind}-collection-1.jsonld")
    assert first.feed.next_page == "http://data.test.org/catalog.jsonld?page=2"
    assert first.feed.total_items == 4
    assert len(records) == 3
    last, records = read(f"udata-{kind}-collection-2.jsonld")
    assert last.feed.next_page is None
    assert [r.subject for r in records] == ["http://data.test.org/datasets/4"]


def test_catalogue_description_is_read() -> None:
    reader, _ = read("evolutie-fijn-stof-in-de-lucht-vlaanderen.xml")
    assert reader.feed.catalog is not None
    assert reader.feed.catalog.title == {"nl": "Open Data Catalogus van agentschap Digitaal Vlaanderen"}


def test_broken_sample_fails_as_one_feed_error_with_position() -> None:
    # The ckanext-dcat example uses the prefix healthdcatap: without declaring it: invalid Turtle.
    with pytest.raises(FeedError, match=r"line 149.*healthdcatap"):
        parse_feed(SAMPLES / "ckanext-dcat-dataset.ttl")
