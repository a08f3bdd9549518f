"""Sample records shared by the serializer tests (this module holds no tests of its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.model import (
    Agent,
    Attribution,
    BBox,
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
)

AU = "http://publications.europa.eu/resource/authority/"
BASE = "https://catalogus.example.be/"
GENT = "https://data.vlaanderen.be/id/gemeente/44021"
VLOPENDATA = "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA"
GRATIS = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
CC0 = "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"
SHAPES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "shapes"
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


def shapes_dir() -> Path:
    """The official SHACL shapes, or skip the test when the reference folder is absent."""
    if not SHAPES.is_dir():
        pytest.skip(f"reference shapes not found at {SHAPES} (../shared/reference is absent)")
    return SHAPES


def gent_contact() -> ContactPoint:
    return ContactPoint(
        name="Stad Gent, Data & Informatie", email="opendata@stad.gent", telephone="09 266 22 11"
    )


def gent() -> Agent:
    return Agent(uri="https://data.vlaanderen.be/id/organisatie/OVO002949", name={"nl": "Stad Gent"})


def dataset(i: int = 0) -> Dataset:
    """A realistic Gent dataset with DCAT-AP-VL's mandatory fields and two distributions."""
    api = f"https://data.stad.gent/api/explore/v2.1/catalog/datasets/fietstelpaal-{i}"
    return Dataset(
        uri=f"https://data.stad.gent/id/dataset/fietstelpaal-{i}",
        identifier=[f"fietstelpaal-{i}"],
        title={"nl": f"Fietstelpaal {i} Visserij", "en": f"Bicycle counter {i}"},
        description={"nl": "Tellingen van fietsers & voetgangers <per kwartier>, ‘live’."},
        keyword={"nl": ["fiets", "mobiliteit"], "en": ["bicycle"]},
        theme=[AU + "data-theme/TRAN"],
        publisher=gent(),
        contact_point=[gent_contact()],
        issued="2020-01-01",
        modified="2024-05-03T10:00:00+02:00",
        access_rights=AU + "access-right/PUBLIC",
        license=GRATIS,
        landing_page=[f"https://data.stad.gent/explore/dataset/fietstelpaal-{i}/"],
        language=[AU + "language/NLD"],
        spatial=[
            Location(uri=GENT, name={"nl": "Gent"}, bbox=BBox(west=3.58, south=50.98, east=3.85, north=51.19))
        ],
        statuut=[VLOPENDATA],
        temporal=[PeriodOfTime(start="2019-01-01", end="2024-12-31T23:59:59+01:00")],
        frequency=AU + "frequency/DAILY",
        distribution=[
            Distribution(
                identifier=[f"fietstelpaal-{i}-csv"],
                title={"nl": "CSV-export"},
                access_url=[f"{api}/exports/csv"],
                download_url=[f"{api}/exports/csv?delimiter=%3B&lang=nl"],
                format=AU + "file-type/CSV",
                media_type="https://www.iana.org/assignments/media-types/text/csv",
                license=GRATIS,
                byte_size=123456,
            ),
            Distribution(
                uri=f"https://data.stad.gent/id/distribution/fietstelpaal-{i}-geojson",
                identifier=[f"fietstelpaal-{i}-geojson"],
                title={"nl": "GeoJSON"},
                access_url=[f"{api}/exports/geojson"],
                format=AU + "file-type/GEOJSON",
                license=GRATIS,
            ),
        ],
    )


def service() -> DataService:
    """A realistic WFS data service with DCAT-AP-VL's mandatory fields."""
    return DataService(
        uri="https://geo.gent.be/id/service/wfs",
        identifier=["gent-wfs"],
        title={"nl": "WFS Stad Gent"},
        description={"nl": "Web Feature Service met de open geodata van Gent."},
        contact_point=[gent_contact()],
        publisher=gent(),
        endpoint_url=["https://geo.gent.be/geoserver/wfs"],
        endpoint_description=["https://geo.gent.be/geoserver/wfs?service=WFS&request=GetCapabilities"],
        access_rights=AU + "access-right/PUBLIC",
        license=GRATIS,
        statuut=[VLOPENDATA],
        serves_dataset=["https://data.stad.gent/id/dataset/fietstelpaal-0"],
    )


def catalog() -> Catalog:
    """The catalogue's own description."""
    return Catalog(
        uri=BASE + "catalog",
        identifier=["gemeentelijke-open-data"],
        title={"nl": "Open data van de Vlaamse gemeenten"},
        description={"nl": "Alle open data die Vlaamse steden en gemeenten publiceren."},
        contact_point=[ContactPoint(name="Open data team", email="opendata@catalogus.example.be")],
        publisher=Agent(uri="https://catalogus.example.be/id/team", name={"nl": "Open data team"}),
        license=CC0,
        homepage=BASE,
        theme_taxonomy=[AU + "data-theme"],
    )


def full_distribution() -> Distribution:
    """A distribution with every field set."""
    return Distribution(
        uri="https://data.example.be/id/distribution/full",
        identifier=["dist-full"],
        title={"nl": "Volledig"},
        description={"nl": "Alle velden"},
        access_url=["https://data.example.be/access"],
        download_url=["https://data.example.be/download.csv"],
        access_service=[DataService(identifier=["nested-svc"], title={"nl": "API"})],
        format=AU + "file-type/CSV",
        media_type="https://www.iana.org/assignments/media-types/text/csv",
        compress_format="https://www.iana.org/assignments/media-types/application/gzip",
        package_format="https://www.iana.org/assignments/media-types/application/zip",
        license=GRATIS,
        rights=RightsStatement(label={"nl": "Bronvermelding verplicht"}),
        access_rights=AU + "access-right/PUBLIC",
        byte_size=42,
        checksum=Checksum(algorithm="http://spdx.org/rdf/terms#checksumAlgorithm_sha256", value="ab" * 32),
        issued="2021-02-03",
        modified="2022-03-04T05:06:07Z",
        status=AU + "distribution-status/COMPLETED",
        availability="http://data.europa.eu/r5r/stable",
        language=[AU + "language/NLD"],
        conforms_to=["https://www.ogc.org/standard/geojson"],
        page=["https://data.example.be/docs/dist"],
        spatial_resolution_in_meters=0.5,
        temporal_resolution="PT15M",
    )


def full_dataset() -> Dataset:
    """A dataset with every field set."""
    return Dataset(
        uri="https://data.example.be/id/dataset/full",
        identifier=["full"],
        title={"nl": "Volledig", "en": "Full"},
        description={"nl": "Beschrijving"},
        keyword={"nl": ["woord"]},
        theme=[AU + "data-theme/ECON"],
        publisher=Agent(
            name={"nl": "Gemeente"},
            type=AU + "publisher-type/LocalAuthority",
            email="info@gemeente.be",
            homepage="https://gemeente.be/",
            identifier="OVO000001",
        ),
        creator=Agent(name={"nl": "Maker"}),
        contact_point=[
            ContactPoint(uri="https://gemeente.be/contact", name="Dienst", url="https://gemeente.be/c")
        ],
        issued="2020-01-01",
        modified="2021-01-01",
        access_rights=AU + "access-right/PUBLIC",
        license=CC0,
        rights=RightsStatement(uri="https://gemeente.be/rights"),
        conforms_to=["https://example.be/standard"],
        landing_page=["https://gemeente.be/data/full"],
        page=["https://gemeente.be/docs"],
        language=[AU + "language/NLD"],
        spatial=[Location(name={"nl": "Ergens"})],
        statuut=[VLOPENDATA],
        distribution=[full_distribution()],
        temporal=[PeriodOfTime(start="2020")],
        frequency=AU + "frequency/ANNUAL",
        version="1.2",
        version_notes={"nl": "Nieuw"},
        provenance={"nl": "Uit de registers"},
        relation=["https://data.example.be/id/dataset/related"],
        source=["https://data.example.be/id/dataset/source"],
        has_version=["https://data.example.be/id/dataset/v2"],
        is_version_of=["https://data.example.be/id/dataset/v0"],
        is_referenced_by=["https://doi.org/10.1234/paper"],
        in_series=["https://data.example.be/id/series/s"],
        qualified_attribution=[
            Attribution(agent=Agent(name={"nl": "Beheerder"}), role="http://example.be/role/x")
        ],
        applicable_legislation=["http://data.europa.eu/eli/reg_impl/2023/138/oj"],
        type=AU + "dataset-type/STATISTICAL",
        spatial_resolution_in_meters=10.0,
        temporal_resolution="P1D",
        levensfase="https://data.vlaanderen.be/id/concept/levensfase/inGebruik",
        ontwikkelingstoestand="https://data.vlaanderen.be/id/concept/ontwikkelingstoestand/compleet",
    )


def full_service() -> DataService:
    """A data service with every field set."""
    return DataService(
        uri="https://data.example.be/id/service/full",
        identifier=["svc-full"],
        title={"nl": "Dienst"},
        description={"nl": "Beschrijving"},
        keyword={"nl": ["api"]},
        theme=[AU + "data-theme/GOVE"],
        publisher=Agent(name={"nl": "Gemeente"}),
        creator=Agent(name={"nl": "Maker"}),
        contact_point=[ContactPoint(email="api@gemeente.be")],
        issued="2020-01-01",
        modified="2021-01-01",
        access_rights=AU + "access-right/PUBLIC",
        license=CC0,
        rights=RightsStatement(label={"nl": "Vrij"}),
        conforms_to=["https://www.ogc.org/standard/wfs"],
        landing_page=["https://gemeente.be/api"],
        page=["https://gemeente.be/api/docs"],
        language=[AU + "language/NLD"],
        spatial=[Location(uri=GENT)],
        statuut=[VLOPENDATA],
        endpoint_url=["https://gemeente.be/api/v1"],
        endpoint_description=["https://gemeente.be/api/v1/openapi.json"],
        serves_dataset=["https://data.example.be/id/dataset/full"],
        levensfase="https://data.vlaanderen.be/id/concept/levensfase/inGebruik",
        ontwikkelingstoestand="https://data.vlaanderen.be/id/concept/ontwikkelingstoestand/compleet",
    )


def series() -> DatasetSeries:
    """A dataset series."""
    return DatasetSeries(
        uri="https://data.example.be/id/series/s",
        identifier=["s"],
        title={"nl": "Reeks"},
        description={"nl": "Jaarlijkse reeks"},
        temporal=[PeriodOfTime(start="2010-01-01")],
        frequency=AU + "frequency/ANNUAL",
        applicable_legislation=["http://data.europa.eu/eli/reg_impl/2023/138/oj"],
    )
