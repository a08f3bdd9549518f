"""The Gent datasets, field by field, and the same dataset read by the ODS and the DCAT harvester.

The Explore v2.1 answer is project-written (``tests/data/opendatasoft/``) with the values of the real
Gent record ``../shared/reference/samples/fietstelpaal-visserij-gent.dcat-ap3.xml``, which the DCAT
harvester reads from the replayed sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from plugin_support import collect, source
from replay import ReplayServer
from test_opendatasoft import by_id, gent_capture, harvester, serve_catalogue

from catalog.model import Dataset
from catalog.rdf.serialize import serialize_record
from harvesters._ods_html import html_to_text
from harvesters._ods_map import map_dataset
from harvesters.base import HarvestedRecord, Http
from harvesters.dcat import DcatHarvester, DcatOptions

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
GRATIS = "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
FIETSTELPAAL = "fietstelpaal-visserij-2023-gent"
BASE = "https://catalog.example/"


@pytest.fixture
def gent(replay: ReplayServer, http: Http) -> dict[str, HarvestedRecord]:
    serve_catalogue(replay, gent_capture()["results"])
    return by_id(collect(harvester(replay.url(""), http)))


def dataset(found: HarvestedRecord) -> Dataset:
    assert isinstance(found.record, Dataset), found.error
    return found.record


def test_fietstelpaal_field_by_field(gent: dict[str, HarvestedRecord], replay: ReplayServer) -> None:
    portal = replay.url("")
    record = dataset(gent[FIETSTELPAAL])

    assert record.uri is None, "no http(s) identifier from the portal: the catalogue mints the URI"
    assert record.identifier == [FIETSTELPAAL]
    assert record.title == {"nl": "Fietstelpaal Visserij 2023 Gent"}
    description = record.description["nl"]
    assert description.startswith("Deze dataset bevat de data van de fietstelpaal Visserij van 2023.")
    assert "\n- Totaal: totaal aantal gepasseerde fietsers\n- Hoofdrichting:" in description
    assert (
        "Locatie van de telpaal: https://data.stad.gent/explore/dataset/fietstelpalen-gent/table/"
        in description
    )
    assert description.endswith("No Data waarde: NaN")
    assert record.keyword == {"nl": ["Fietsen", "Fietstelpaal"]}
    assert record.theme == [EU + "data-theme/TRAN"]
    assert record.language == [EU + "language/NLD"]
    assert record.license == GRATIS, "the licence string is mapped to the Flemish licence URI"
    assert str(record.modified) == "2024-09-19 01:30:05.391000+00:00"
    assert record.publisher is not None and record.publisher.name == {"": "Stad Gent"}
    assert record.landing_page == [f"{portal}/explore/dataset/{FIETSTELPAAL}/"]
    assert gent[FIETSTELPAAL].problems == ()

    exports = {d.access_url[0].rsplit("/", 1)[-1]: d for d in record.distribution}
    assert sorted(exports) == ["csv", "json", "parquet", "xlsx"], (
        "no geographic field: no GeoJSON, no shapefile"
    )
    csv = exports["csv"]
    assert (
        csv.access_url
        == csv.download_url
        == [f"{portal}/api/explore/v2.1/catalog/datasets/{FIETSTELPAAL}/exports/csv"]
    )
    assert (csv.format, csv.media_type) == (EU + "file-type/CSV", IANA + "text/csv")
    assert csv.license == GRATIS and csv.identifier == [f"{FIETSTELPAAL}-csv"]
    assert (exports["xlsx"].format, exports["parquet"].format) == (EU + "file-type/XLSX", None)
    assert exports["parquet"].media_type == IANA + "application/vnd.apache.parquet"


def test_geographic_dataset_with_dcat_template(
    gent: dict[str, HarvestedRecord], replay: ReplayServer
) -> None:
    record = dataset(gent["fietstelpalen-gent"])

    exports = sorted(d.access_url[0].rsplit("/", 1)[-1] for d in record.distribution)
    assert exports == ["csv", "geojson", "handleiding_pdf", "json", "parquet", "shp", "xlsx"]
    geojson = next(d for d in record.distribution if d.access_url[0].endswith("/geojson"))
    assert (geojson.format, geojson.media_type) == (EU + "file-type/GEOJSON", IANA + "application/geo+json")
    shapefile = next(d for d in record.distribution if d.access_url[0].endswith("/shp"))
    assert (shapefile.format, shapefile.media_type) == (EU + "file-type/SHP", IANA + "application/zip")
    manual = next(d for d in record.distribution if d.identifier == ["handleiding_pdf"])
    assert (manual.format, manual.title) == (EU + "file-type/PDF", {"nl": "Handleiding telpalen"})

    assert record.description == {
        "nl": "Locaties van de fietstelpalen in Gent. Zie ook de mobiliteitspagina (https://stad.gent/nl/mobiliteit)."
    }
    [place, extent] = record.spatial
    assert place.uri == "https://data.vlaanderen.be/id/gemeente/44021" and place.name == {"nl": "Gent"}
    assert extent.bbox is not None and (extent.bbox.west, extent.bbox.north) == (3.69, 51.07)
    assert str(record.issued) == "2021-05-04 10:00:00+00:00"
    assert record.creator is not None and record.creator.name == {"": "Mobiliteitsbedrijf Stad Gent"}
    assert [(c.name, c.email) for c in record.contact_point] == [
        ("Mobiliteitsbedrijf", "mobiliteit@stad.gent")
    ]
    assert record.frequency == EU + "frequency/IRREG"
    assert record.access_rights == EU + "access-right/PUBLIC"
    assert [str(p.start) for p in record.temporal] == ["2021-01-01"]
    assert record.page == ["https://stad.gent/nl/mobiliteit"]
    assert record.provenance == {"": "Mobiliteitsbedrijf Stad Gent"}
    assert str(record.distribution[0].modified) == "2024-01-10 08:00:00+00:00", (
        "exports dated by data_processed"
    )


def test_attachments_only_and_an_unknown_licence(gent: dict[str, HarvestedRecord]) -> None:
    found = gent["jaarverslag-mobiliteit-2022"]
    record = dataset(found)
    assert [d.identifier for d in record.distribution] == [["jaarverslag_2022_pdf"]], "no records: no exports"
    assert record.license is None
    assert [(p.path, p.message, p.value) for p in found.problems] == [
        ("license", "unknown licence", "Eigen gebruiksvoorwaarden van de stad")
    ]


def test_an_http_identifier_from_the_dcat_template_is_the_dataset_uri(
    replay: ReplayServer, http: Http
) -> None:
    item = gent_capture()["results"][0]
    item["metas"]["dcat"] = {"identifier": "https://data.stad.gent/id/dataset/fietstelpaal-visserij-2023"}
    serve_catalogue(replay, [item])
    [found] = collect(harvester(replay.url(""), http))
    assert dataset(found).uri == "https://data.stad.gent/id/dataset/fietstelpaal-visserij-2023"


def test_same_dataset_through_the_dcat_export_and_the_explore_api(
    gent: dict[str, HarvestedRecord], replay: ReplayServer, http: Http, samples: object
) -> None:
    """What both harvesters make of the Gent record: the same facts; the Explore API adds what DCAT lost."""
    replay.sample("/api/v2/catalog/exports/rdf", "fietstelpaal-visserij-gent.dcat-ap3.xml")
    dcat_plugin = DcatHarvester(source(replay.url("/api/v2/catalog/exports/rdf")), DcatOptions(), http)
    [from_dcat] = collect(dcat_plugin)
    dcat, ods = dataset(from_dcat), dataset(gent[FIETSTELPAAL])

    assert ods.identifier == dcat.identifier == [FIETSTELPAAL]
    assert ods.title["nl"] == dcat.title[""]
    assert ods.description["nl"] == html_to_text(dcat.description[""]), "the same text, without the markup"
    assert ods.keyword == dcat.keyword
    assert ods.theme == dcat.theme
    assert ods.language == dcat.language
    dcat_exports = {d.access_url[0].rsplit("/", 1)[-1] for d in dcat.distribution}
    ods_exports = {d.access_url[0].rsplit("/", 1)[-1] for d in ods.distribution}
    assert dcat_exports == {"csv", "json"} and dcat_exports < ods_exports
    # What the DCAT export lost and the Explore API keeps:
    assert dcat.license is None and all(d.license is None for d in dcat.distribution)
    assert from_dcat.problems, "the DCAT side reports its licence defect"
    assert ods.license == GRATIS and all(d.license == GRATIS for d in ods.distribution)
    assert dcat.modified is None and ods.modified is not None
    assert all(d.format is None for d in dcat.distribution) and all(d.media_type for d in ods.distribution)
    # What only the DCAT-AP-VL export carries:
    assert dcat.statuut and not ods.statuut


@pytest.mark.parametrize(
    ("license", "license_url", "expected"),
    [
        ("Modellicentie Gratis Hergebruik", None, GRATIS),
        ("Modellicentie Gratis Hergebruik v1.0", None, GRATIS),
        ("Open Database License (ODbL)", None, EU + "licence/ODC_BL"),
        ("Licence Ouverte v2.0 (Etalab)", None, "https://www.etalab.gouv.fr/licence-ouverte-open-licence"),
        ("CC BY 4.0", None, EU + "licence/CC_BY_4_0"),
        ("Eigen licentie", "https://creativecommons.org/licenses/by/4.0/deed.nl", EU + "licence/CC_BY_4_0"),
        ("Eigen licentie", "https://stad.example/licentie", "https://stad.example/licentie"),
        ("CC BY 2.0", None, None),
    ],
)
def test_licence_names_as_ods_writes_them(
    license: str, license_url: str | None, expected: str | None
) -> None:
    item = gent_capture()["results"][0]
    item["metas"]["default"].update(license=license, license_url=license_url)
    record, problems = map_dataset(item, portal="https://data.stad.gent", language="nl")
    assert record.license == expected
    assert bool(problems) is (expected is None), "an unknown licence is reported, never guessed"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("a < b &amp;&amp; c > d", "a < b && c > d"),
        ('<a href="javascript:alert(1)">klik</a> hier', "klik hier"),
        ('<a href="https://x.be/kaart/">https://x.be/kaart</a>', "https://x.be/kaart"),
        ('<a href="https://x.be/?a=1&amp;b=2"></a>', "https://x.be/?a=1&b=2"),
        ("<style>p {color: red}</style><p>Tekst<!-- nota --></p>", "Tekst"),
        ("<P>Een</P><P>Twee<BR>drie</P>", "Een\n\nTwee\ndrie"),
    ],
)
def test_html_edge_cases(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_mapped_records_conform_to_dcat_ap_3_shapes(gent: dict[str, HarvestedRecord], samples: Path) -> None:
    """The Gent datasets, as the catalogue writes them (URI minted), meet DCAT-AP 3.0.1 and its ranges."""
    pyshacl = pytest.importorskip("pyshacl")
    shapes = rdflib.Graph()
    for name in ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl"):
        shapes.parse(samples.parent / "shapes" / name, format="turtle")
    data = rdflib.Graph()
    for remote_id, found in sorted(gent.items()):
        record = dataset(found).model_copy(update={"uri": f"{BASE}datasets/{remote_id}"})
        data.parse(data=serialize_record(record, format="turtle", base_uri=BASE), format="turtle")

    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)

    assert conforms, text


@pytest.mark.parametrize(
    ("dcat", "period", "problem"),
    [
        ({"temporal": "2023"}, ("2023-01-01", "2023-12-31"), None),
        ({"temporal": "2019 - 2023"}, ("2019-01-01", "2023-12-31"), None),
        ({"temporal": "2020-03-01/2021-02-28"}, ("2020-03-01", "2021-02-28"), None),
        ({"temporal": "sinds de jaren 90"}, None, "temporal"),
        ({"temporal_coverage_start": "2021-01-01", "temporal": "2023"}, ("2021-01-01", "None"), None),
        ({"temporal_coverage_start": "2024-01-01", "temporal_coverage_end": "2023-01-01"}, None, "temporal"),
    ],
)
def test_temporal_coverage(dcat: dict[str, str], period: tuple[str, str] | None, problem: str | None) -> None:
    item = gent_capture()["results"][0]
    item["metas"]["dcat"] = dcat
    record, problems = map_dataset(item, portal="https://data.stad.gent", language="nl")
    assert [(str(p.start), str(p.end)) for p in record.temporal] == ([period] if period else [])
    assert [p.path for p in problems] == ([problem] if problem else [])


def test_the_geo_feature_alone_adds_the_geographic_exports() -> None:
    item = gent_capture()["results"][0]
    assert len(map_dataset(item, portal="https://p", language="nl")[0].distribution) == 4
    item["features"] = ["geo", "analyze"]
    names = [
        d.access_url[0].rsplit("/", 1)[-1]
        for d in map_dataset(item, portal="https://p", language="nl")[0].distribution
    ]
    assert sorted(names) == ["csv", "geojson", "json", "parquet", "shp", "xlsx"]
