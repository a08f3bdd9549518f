"""The ArcGIS Hub / DCAT-US harvester against real and project-written feeds replayed on a loopback server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from plugin_support import collect, source
from pydantic import ValidationError
from replay import ReplayServer

from catalog.exceptions import FeedError
from catalog.harvest.registry import get_harvester, validate_options
from catalog.model import Distribution, pick_text
from harvesters._dcatus_map import DcatUsMapper, build_dataset
from harvesters.arcgis import FEED_STATE, ArcgisHarvester, ArcgisOptions, feed_urls
from harvesters.base import HarvestedRecord, Http

DATA = Path(__file__).resolve().parents[1] / "data" / "arcgis"
AP3, AP2, US, LEGACY = (
    "/api/feed/dcat-ap/3.0.0.json",
    "/api/feed/dcat-ap/2.1.1.json",
    "/api/feed/dcat-us/1.1.json",
    "/data.json",
)
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
EVIAN_HUB = "https://ville-d-evian-opendata-ville-evian.hub.arcgis.com"
EVIAN_ITEM = "https://www.arcgis.com/home/item.html?id=f6565516d1354383b25793e630cf3f2b&sublayer=5"


def harvester(url: str, http: Http, state: dict[str, Any] | None = None, **options: Any) -> ArcgisHarvester:
    return ArcgisHarvester(source(url, state=state), ArcgisOptions.model_validate(options), http)


def title(node: Distribution) -> str:
    return pick_text(node.title) or ""


def capture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def by_id(found: list[HarvestedRecord]) -> dict[str, HarvestedRecord]:
    return {r.remote_id: r for r in found}


def serve_hub_page(replay: ReplayServer, path: str) -> None:
    replay.route(path, body=capture("hub-site-page.project-written.html"), content_type="text/html")


def test_probing_skips_missing_and_html_answers_and_reads_evian_field_by_field(
    replay: ReplayServer, http: Http, samples: Path
) -> None:
    serve_hub_page(replay, AP2)  # AP3 is not served at all: 404
    replay.sample(US, "udata-evian.json")
    arcgis = harvester(replay.url("/"), http, language="fr")

    found = collect(arcgis)

    assert [r.path for r in replay.requests] == [AP3, AP2, US]
    assert arcgis.state[FEED_STATE] == replay.url(US) and arcgis.complete
    assert len(found) == 8 and all(r.record is not None for r in found)
    velos = by_id(found)[EVIAN_ITEM]
    assert velos.raw_format == "application/json" and b'"title": "stationnement velos"' in velos.raw
    assert velos.url == f"{EVIAN_HUB}/maps/f6565516d1354383b25793e630cf3f2b_5"
    dataset = velos.record
    assert dataset is not None and dataset.kind == "Dataset"
    assert dataset.uri is None, "a data.json dataset has no IRI; the catalogue mints one"
    assert dataset.identifier == [EVIAN_ITEM]
    assert dataset.title == {"fr": "stationnement velos"}
    assert dataset.description == {
        "fr": "Emplacement et description des stationnement vélos à Evian-les-Bains"
    }
    assert dataset.keyword == {"fr": ["geospatial", "mobilite"]}, "the free theme word is kept as a keyword"
    assert dataset.theme == []
    assert str(dataset.issued) == "2022-07-29 10:07:13+00:00"
    assert str(dataset.modified) == "2022-07-29 11:29:07.556000+00:00"
    assert dataset.publisher is not None and dataset.publisher.name == {"": "Ville d'Evian-les-Bains"}
    assert [(c.name, c.email) for c in dataset.contact_point] == [("sigevian", None)]
    assert dataset.access_rights == EU + "access-right/PUBLIC"
    assert dataset.license == "https://www.etalab.gouv.fr/licence-ouverte-open-licence", "URL inside HTML"
    assert dataset.landing_page == [f"{EVIAN_HUB}/maps/f6565516d1354383b25793e630cf3f2b_5"]
    [place] = dataset.spatial
    assert place.bbox is not None
    assert (place.bbox.west, place.bbox.south, place.bbox.east, place.bbox.north) == (
        6.5735,
        46.3912,
        6.6069,
        46.4028,
    )
    dists = {title(d): d for d in dataset.distribution}
    assert sorted(dists) == ["ArcGIS GeoService", "ArcGIS Hub Dataset", "CSV", "GeoJSON", "KML", "Shapefile"]
    assert (dists["CSV"].format, dists["CSV"].media_type) == (EU + "file-type/CSV", IANA + "text/csv")
    assert dists["CSV"].access_url == [
        f"{EVIAN_HUB}/api/download/v1/items/f6565516d1354383b25793e630cf3f2b/csv?layers=5"
    ]
    assert dists["ArcGIS Hub Dataset"].format == EU + "file-type/HTML"
    assert dists["ArcGIS GeoService"].format == EU + "file-type/REST"
    assert dists["Shapefile"].media_type == IANA + "application/zip"
    assert [(p.path, p.message) for p in velos.problems] == [
        ("theme", "not an EU data theme; kept as a keyword")
    ]
    placeholder = next(r for r in found if r.remote_id.endswith("92a676a42a864c4baf58856e445b6d41"))
    assert placeholder.record is not None and placeholder.record.spatial == []
    assert any("template placeholder" in p.message for p in placeholder.problems)


def test_a_data_json_address_is_read_as_it_is(replay: ReplayServer, http: Http, samples: Path) -> None:
    replay.sample(LEGACY, "udata-evian.json")
    found = collect(harvester(replay.url(LEGACY), http, language="fr"))
    assert len(found) == 8 and [r.path for r in replay.requests] == [LEGACY]


def test_any_dcat_us_catalogue_is_read(replay: ReplayServer, http: Http, samples: Path) -> None:
    replay.sample("/agency/data.json", "ckanext-dcat-catalog_pod.jsonld", content_type="application/json")
    found = collect(harvester(replay.url("/agency/data.json"), http, language="en"))
    assert found and all(r.record is not None for r in found)
    assert all(r.record.text() for r in found if r.record is not None)


def test_the_remembered_feed_is_asked_first(replay: ReplayServer, http: Http, samples: Path) -> None:
    replay.sample(LEGACY, "udata-evian.json")
    found = collect(harvester(replay.url(""), http, state={FEED_STATE: replay.url(LEGACY)}))
    assert len(found) == 8 and [r.path for r in replay.requests] == [LEGACY]


def test_a_remembered_feed_that_fails_fails_the_run_instead_of_switching(
    replay: ReplayServer, http: Http
) -> None:
    replay.route(US, body=b"busy", status=503)
    replay.route(AP3, body=capture("hub-dcat-ap-3.0.0.project-written.json"), content_type="application/json")
    with pytest.raises(FeedError, match=r"/api/feed/dcat-us/1\.1\.json answered HTTP 503"):
        collect(harvester(replay.url(""), http, state={FEED_STATE: replay.url(US)}))
    assert {r.path for r in replay.requests} == {US}


def test_a_remembered_feed_that_is_gone_is_replaced(replay: ReplayServer, http: Http) -> None:
    replay.route(AP3, body=capture("hub-dcat-ap-3.0.0.project-written.json"), content_type="application/json")
    arcgis = harvester(replay.url(""), http, state={FEED_STATE: replay.url(US)})
    assert len(collect(arcgis)) == 1
    assert [r.path for r in replay.requests] == [US, AP3] and arcgis.state[FEED_STATE] == replay.url(AP3)


def test_hub_3_template_context_inline_with_protected_terms(replay: ReplayServer, http: Http) -> None:
    body = b"""{
      "@context": {"@version": 1.1, "@protected": true, "dcat": "http://www.w3.org/ns/dcat#",
                   "dcterms": "http://purl.org/dc/terms/", "vcard": "http://www.w3.org/2006/vcard/ns#",
                   "foaf": "http://xmlns.com/foaf/0.1/"},
      "@id": "https://www.arcgis.com/home/item.html?id=5173e00000000000000000000000site",
      "@type": "dcat:Catalog",
      "dcat:dataset": [{
        "@type": "dcat:Dataset", "@id": "5173e0000000000000000000000000a1",
        "dcterms:identifier": "https://www.arcgis.com/home/item.html?id=5173e0000000000000000000000000a1",
        "dcterms:title": "Afvalkalender", "dcterms:description": "Ophaaldagen per straat.",
        "dcat:contactPoint": {"@type": "vcard:Kind", "vcard:org": "Gemeente Zwalm",
                              "vcard:hasEmail": "milieu@zwalm.example"},
        "dcterms:publisher": {"@type": "foaf:Agent", "foaf:name": "Gemeente Zwalm"},
        "dcat:distribution": [{"@type": "dcat:Distribution", "dcterms:title": "ArcGIS Hub Dataset",
          "dcat:accessURL": {"@id": "https://geo-zwalm.hub.arcgis.com/datasets/afvalkalender"}}]
      }]
    }"""
    replay.route(AP3, body=body, content_type="application/json")

    [found] = collect(harvester(replay.url(""), http, feed="dcat-ap-3"))

    assert found.remote_id == "https://www.arcgis.com/home/item.html?id=5173e0000000000000000000000000a1"
    dataset = found.record
    assert dataset is not None and dataset.title == {"": "Afvalkalender"}
    assert dataset.publisher is not None and dataset.publisher.name == {"": "Gemeente Zwalm"}
    assert [c.email for c in dataset.contact_point] == ["milieu@zwalm.example"]
    assert dataset.distribution[0].access_url == ["https://geo-zwalm.hub.arcgis.com/datasets/afvalkalender"]


def test_feed_option_asks_for_that_feed_only(replay: ReplayServer, http: Http) -> None:
    replay.route(AP3, body=capture("hub-dcat-ap-3.0.0.project-written.json"), content_type="application/json")
    with pytest.raises(FeedError, match=r"/api/feed/dcat-us/1\.1\.json answered HTTP 404"):
        collect(harvester(replay.url(""), http, feed="dcat-us"))
    assert [r.path for r in replay.requests] == [US]


def test_no_feed_at_all_lists_every_reason(replay: ReplayServer, http: Http) -> None:
    serve_hub_page(replay, LEGACY)
    with pytest.raises(FeedError) as caught:
        collect(harvester(replay.url("/"), http))
    message = str(caught.value)
    assert "no ArcGIS Hub or DCAT-US feed answered" in message
    assert all(replay.url(path) in message for path in (AP3, AP2, US))
    assert "data.json: an HTML page, not a feed" in message


def test_hub_dcat_ap_2_feed_through_the_rdf_reader(replay: ReplayServer, http: Http) -> None:
    replay.route(AP2, body=capture("hub-dcat-ap-2.1.1.project-written.json"), content_type="application/json")

    found = by_id(collect(harvester(replay.url(""), http)))

    zones = found["https://www.arcgis.com/home/item.html?id=0a1b2c3d4e5f60718293a4b5c6d7e8f9&sublayer=3"]
    dataset = zones.record
    assert dataset is not None and zones.raw_format == "ntriples"
    assert dataset.uri == "https://opendata-voorbeeld.hub.arcgis.com/datasets/voorbeeld::parkeerzones"
    assert dataset.title == {"": "Parkeerzones"}
    assert dataset.description == {
        "": "De parkeerzones van de stad. Zie parkeren in de stad (https://www.voorbeeld.be/parkeren)."
    }
    assert dataset.publisher is not None and dataset.publisher.name == {"": "Stad Antwerpen"}
    assert [(c.name, c.email) for c in dataset.contact_point] == [("Team Open Data", "opendata@voorbeeld.be")]
    assert dataset.access_rights == EU + "access-right/PUBLIC"
    assert dataset.license == EU + "licence/CC_BY_4_0"
    assert dataset.language == [EU + "language/NLD"]
    assert dataset.spatial[0].bbox is not None and dataset.spatial[0].bbox.west == 4.2176
    formats = {title(d): (d.format, d.access_url) for d in dataset.distribution}
    assert formats["GeoJSON"] == (
        EU + "file-type/GEOJSON",
        [
            "https://opendata-voorbeeld.hub.arcgis.com/api/download/v1/items/0a1b2c3d4e5f60718293a4b5c6d7e8f9/geojson?layers=3"
        ],
    ), "Hub's misspelt dcat:accessUrl is read as dcat:accessURL"
    assert (
        formats["CSV"][0] == EU + "file-type/CSV"
        and formats["ArcGIS Hub Dataset"][0] == EU + "file-type/HTML"
    )
    assert any(p.path == "theme" for p in zones.problems), (
        "the word 'geospatial' is reported, not kept as a theme"
    )
    plays = found["https://www.arcgis.com/home/item.html?id=11112222333344445555666677778888&sublayer=0"]
    assert plays.record is not None and plays.record.publisher is not None
    assert plays.record.publisher.name == {"": "Stad Antwerpen"}, "a publisher written as a bare name"
    assert (
        plays.record.license == "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
    )
    assert not any(p.path == "license" for p in plays.problems), "the licence's HTML text is mapped"
    [anonymous] = [r for r in found.values() if r.record is None]
    assert anonymous.skipped == "record has no IRI and no dct:identifier"


def test_dcat_ap_3_feed_with_the_semic_context_named_by_url(replay: ReplayServer, http: Http) -> None:
    replay.route(
        AP3, body=capture("hub-dcat-ap-3.0.0.project-written.json"), content_type="application/ld+json"
    )

    [found] = collect(harvester(replay.url(""), http))

    assert [r.path for r in replay.requests] == [AP3], "the remote context itself is never fetched"
    dataset = found.record
    assert (
        found.remote_id
        == "https://www.arcgis.com/home/item.html?id=99990000aaaabbbbccccddddeeeeffff&sublayer=1"
    )
    assert (
        dataset is not None and dataset.uri == "https://geo-zwalm.hub.arcgis.com/datasets/zwalm::trage-wegen"
    )
    assert dataset.title == {"en": "Slow roads", "nl": "Trage wegen"}
    assert dataset.description == {"nl": "Het netwerk van trage wegen in Zwalm."}
    assert dataset.keyword == {"nl": ["fietsen", "wandelen"]}
    assert dataset.theme == [EU + "data-theme/TRAN"]
    assert dataset.license == "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
    assert dataset.landing_page == ["https://geo-zwalm.hub.arcgis.com/datasets/zwalm::trage-wegen/about"]
    assert [(c.name, c.email) for c in dataset.contact_point] == [
        ("Dienst Mobiliteit", "mobiliteit@zwalm.example")
    ]
    assert dataset.spatial[0].bbox is not None and dataset.spatial[0].bbox.north == 50.912
    shapefile = next(d for d in dataset.distribution if title(d) == "Shapefile")
    assert shapefile.format == EU + "file-type/SHP" and len(shapefile.download_url) == 1


def test_antwerp_arcgis_record_through_the_dcat_ap_path(
    replay: ReplayServer, http: Http, samples: Path
) -> None:
    replay.sample(AP2, "agrarisch-groen-ontoegankelijk-antwerpen.xml")

    [found] = collect(harvester(replay.url(""), http, feed="dcat-ap-2"))

    assert (
        found.remote_id
        == "https://www.arcgis.com/home/item.html?id=e70af90454204d4390d0a6045bf280fb&sublayer=910"
    )
    dataset = found.record
    assert dataset is not None
    assert dataset.uri == (
        "https://portaal-stadantwerpen.opendata.arcgis.com/maps/stadAntwerpen::agrarisch-groen-ontoegankelijk"
    )
    assert dataset.text() == "agrarisch groen ontoegankelijk"
    assert dataset.publisher is not None and dataset.publisher.name == {"": "Stad Antwerpen"}
    assert "groen" in dataset.keyword["nl"]
    assert EU + "file-type/CSV" in {d.format for d in dataset.distribution}
    assert found.problems, "the record's real defects are reported"


def test_unknown_remote_context_is_refused_without_fetching_it(replay: ReplayServer, http: Http) -> None:
    body = b'{"@context": "https://contexts.example.org/dcat.jsonld", "@id": "https://x.example/c"}'
    replay.route("/feed.jsonld", body=body, content_type="application/ld+json")
    with pytest.raises(
        FeedError, match=r"remote JSON-LD context 'https://contexts\.example\.org/dcat\.jsonld'"
    ):
        collect(harvester(replay.url("/feed.jsonld"), http))
    assert len(replay.requests) == 1


def test_probing_moves_past_a_feed_whose_context_cannot_be_read(replay: ReplayServer, http: Http) -> None:
    unknown = b'{"@context": "https://contexts.example.org/hub.jsonld", "@id": "https://x.example/c"}'
    replay.route(AP3, body=unknown, content_type="application/ld+json")
    replay.route(AP2, body=capture("hub-dcat-ap-2.1.1.project-written.json"), content_type="application/json")
    arcgis = harvester(replay.url(""), http)

    found = collect(arcgis)

    assert len([r for r in found if r.record is not None]) == 2
    assert arcgis.state[FEED_STATE] == replay.url(AP2)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"@context": 42, "conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": []}',
            r"invalid @context 42 for a DCAT-US data\.json \(expected https://project-open-data",
        ),
        (
            b'{"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": {"a": 1}}',
            r"'dataset' must be a list of datasets \(a JSON dict\)",
        ),
        (b'{"results": [], "count": 0}', r"neither a DCAT-US data\.json .* found: count, results"),
        (b'{"dataset": [', r"JSON syntax error"),
        (b"", r"empty answer"),
    ],
)
def test_bad_documents_fail_with_a_reason_that_names_the_problem(
    replay: ReplayServer, http: Http, body: bytes, message: str
) -> None:
    replay.route(LEGACY, body=body, content_type="application/json")
    with pytest.raises(FeedError, match=message):
        collect(harvester(replay.url(LEGACY), http))


def test_html_in_every_text_field_and_broken_datasets_alone(replay: ReplayServer, http: Http) -> None:
    replay.route(
        US, body=capture("dcat-us-html-everywhere.project-written.json"), content_type="application/json"
    )

    found = collect(harvester(replay.url(""), http, feed="dcat-us"))

    trees = found[0]
    dataset = trees.record
    assert dataset is not None
    assert dataset.title == {"nl": "Bomen & struiken"}
    assert dataset.description == {
        "nl": "Inventaris van het openbaar groen.\n\nMeer info: groendienst (https://www.voorbeeldstad.be/groen)"
        "\n\n- bomen\n- struiken"
    }
    assert dataset.keyword == {"nl": ["bomen & struiken", "geospatial", "groen"]}
    assert dataset.theme == [EU + "data-theme/ENVI"]
    assert dataset.publisher is not None and dataset.publisher.name == {"": "Stad Gent"}
    assert [(c.name, c.email) for c in dataset.contact_point] == [("Groendienst", "groen@voorbeeldstad.be")]
    assert dataset.license == EU + "licence/CC_BY_4_0", "the licence link inside the HTML text"
    assert dataset.rights is not None and dataset.rights.label == {"nl": "© Stad Gent"}
    assert [s.name for s in dataset.spatial] == [{"": "Gent"}]
    assert dataset.temporal[0].start is not None and str(dataset.temporal[0].end) == "2025-12-31"
    assert dataset.frequency == EU + "frequency/MONTHLY" and dataset.language == [EU + "language/NLD"]
    assert dataset.page == ["https://www.voorbeeldstad.be/groen/handleiding"]
    csv, service = dataset.distribution
    assert (csv.title, csv.description) == ({"nl": "CSV-bestand"}, {"nl": "Alle bomen als CSV"})
    assert csv.download_url == csv.access_url and csv.media_type == IANA + "text/csv"
    assert service.format == EU + "file-type/REST"
    assert any(p.path == "distribution.2.access_url" for p in trees.problems), "a link-less one is reported"

    no_id, not_object, duplicate, internal = found[1:]
    assert (no_id.record, no_id.skipped) == (None, "dataset has no identifier")
    assert no_id.remote_id == "(no identifier: Een dataset zonder identifier)"
    assert (not_object.record, not_object.error) == (None, "not a JSON object")
    assert duplicate.record is None and duplicate.skipped and "listed again" in duplicate.skipped
    assert internal.record is not None and internal.record.access_rights == EU + "access-right/NON_PUBLIC"
    assert internal.record.license is None
    assert {(p.path, p.message) for p in internal.problems} == {
        ("license", "unknown licence"),
        ("spatial", "not a west,south,east,north bounding box in degrees"),
    }


def test_q_filter_is_sent_and_the_listing_withdraws_nothing(
    replay: ReplayServer, http: Http, samples: Path
) -> None:
    replay.sample(US, "udata-evian.json")
    arcgis = harvester(replay.url(""), http, feed="dcat-us", q="velos")
    collect(arcgis)
    assert replay.requests[0].param("q") == "velos" and arcgis.complete is False


def test_options_are_checked_when_a_source_is_saved() -> None:
    assert ArcgisOptions().feed == "auto" and ArcgisOptions().language == "nl"
    with pytest.raises(ValidationError, match="feed"):
        ArcgisOptions.model_validate({"feed": "dcat-us-3"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ArcgisOptions.model_validate({"where": "x"})


@pytest.mark.parametrize(
    ("url", "feed", "expected"),
    [
        (
            "https://stad.hub.arcgis.com/",
            "dcat-us",
            ["https://stad.hub.arcgis.com/api/feed/dcat-us/1.1.json"],
        ),
        ("https://stad.hub.arcgis.com/search?q=groen", "dcat-ap-3", ["https://stad.hub.arcgis.com" + AP3]),
        (
            "https://stad.hub.arcgis.com/datasets/a::b/about",
            "dcat-ap-2",
            ["https://stad.hub.arcgis.com" + AP2],
        ),
        ("https://data.example.org/data.json", "auto", ["https://data.example.org/data.json"]),
        ("https://stad.hub.arcgis.com" + US, "dcat-ap-3", ["https://stad.hub.arcgis.com" + US]),
        (
            "https://stad.hub.arcgis.com",
            "auto",
            [f"https://stad.hub.arcgis.com{p}" for p in (AP3, AP2, US, LEGACY)],
        ),
    ],
)
def test_the_feed_addresses_asked_for(url: str, feed: str, expected: list[str]) -> None:
    assert feed_urls(url, feed) == expected


def test_a_distribution_the_model_refuses_is_dropped_alone() -> None:
    mapper = DcatUsMapper("nl")
    good = {"access_url": ["https://a.example/x.csv"], "title": {"nl": "CSV"}}
    bad = {"access_url": ["https://a.example/y.csv"], "byte_size": -1}
    dataset = build_dataset({"identifier": ["x"], "title": {"nl": "X"}, "distribution": [bad, good]}, mapper)
    assert [d.access_url for d in dataset.distribution] == [["https://a.example/x.csv"]]
    assert [p.path for p in mapper.problems] == ["distribution.0.byte_size"]


def test_registered_as_a_source_kind() -> None:
    assert get_harvester("arcgis") is ArcgisHarvester
    assert validate_options("arcgis", {"feed": "dcat-us", "language": "fr"}) == ArcgisOptions(
        feed="dcat-us", language="fr"
    )
