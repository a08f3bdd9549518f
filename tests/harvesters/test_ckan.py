"""The CKAN harvester against a real CKAN answer (DataSud) and a DKAN one, replayed on a loopback server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from plugin_support import collect, source
from pydantic import ValidationError
from replay import SAMPLES_DIR, RecordedRequest, ReplayServer, Reply

from harvesters.base import Http
from harvesters.ckan import CkanHarvester, CkanOptions, api_base

SEARCH = "/api/3/action/package_search"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


def harvester(url: str, http: Http, state: dict[str, Any] | None = None, **options: Any) -> CkanHarvester:
    return CkanHarvester(source(url, state=state), CkanOptions.model_validate(options), http)


def generated(n: int) -> dict[str, Any]:
    return {
        "id": f"id-{n:03d}",
        "name": f"dataset-{n}",
        "title": f"Dataset {n}",
        "notes": "Beschrijving",
        "license_id": "cc-by",
        "metadata_modified": f"2026-01-{n + 1:02d}T10:00:00.123456",
        "resources": [{"id": f"r{n}", "url": f"https://example.org/{n}.csv", "format": "CSV"}],
    }


def search_answer(packages: list[Any], count: int) -> bytes:
    return json.dumps({"success": True, "result": {"count": count, "results": packages}}).encode()


def serve_generated(replay: ReplayServer, total: int, *, cap: int | None = None) -> None:
    """package_search over ``total`` generated packages, honouring rows/start (at most ``cap`` rows)."""

    def handle(request: RecordedRequest) -> Reply:
        start, rows = int(request.param("start") or 0), int(request.param("rows") or 10)
        rows = min(rows, cap or rows)
        packages = [generated(n) for n in range(start, min(start + rows, total))]
        return Reply(search_answer(packages, total), headers={"Content-Type": "application/json"})

    replay.route(SEARCH, handler=handle)


@pytest.fixture
def datasud(replay: ReplayServer, samples: object) -> str:
    replay.sample(SEARCH, "ckan-datasud/package_search.json")
    return replay.url("")


def test_datasud_packages_become_datasets(datasud: str, replay: ReplayServer, http: Http) -> None:
    found = collect(harvester(datasud, http, language="fr"))

    assert len(found) == 7
    assert all(r.record is not None and r.error is None for r in found)
    titles = sorted(r.record.text("title", "fr") or "" for r in found if r.record)
    assert titles[0] == "Canisacs -  Ville de Gap"
    assert "Parcs de stationnement de la Ville de Gap" in titles
    assert {r.record.license for r in found if r.record} == {ETALAB}
    publishers = {r.record.publisher.name[""] for r in found if r.record and r.record.publisher}
    assert publishers == {"Communauté d'Agglomération de Gap-Tallard-Durance"}
    [request] = replay.requests
    assert (request.param("rows"), request.param("start"), request.param("fq")) == ("500", "0", None)
    assert request.param("sort") == "id asc", "a stable order, so pages do not shift"


def test_datasud_resources_become_distributions(datasud: str, http: Http) -> None:
    found = {r.remote_id: r for r in collect(harvester(datasud, http, language="fr"))}
    canispaces = found["cfa98601-185f-4194-bc0f-119fc23a194b"]
    record = canispaces.record
    assert record is not None and record.kind == "Dataset"

    formats = sorted(d.format or "" for d in record.distribution)
    assert formats == [EU_FILE_TYPE + "SHP", EU_FILE_TYPE + "WFS_SRVC", EU_FILE_TYPE + "WMS_SRVC"]
    shapefile = next(d for d in record.distribution if d.format == EU_FILE_TYPE + "SHP")
    assert shapefile.byte_size == 1955
    assert shapefile.download_url == shapefile.access_url, "an uploaded file is downloadable"
    assert shapefile.media_type == "https://www.iana.org/assignments/media-types/application/zip"
    wms = next(d for d in record.distribution if d.format == EU_FILE_TYPE + "WMS_SRVC")
    assert wms.download_url == [], "a service endpoint is not a download"

    assert record.keyword == {"fr": ["canispace", "chien"]}
    assert record.contact_point[0].email == "voirie@ville-gap.fr"
    assert record.landing_page == [datasud + "/dataset/canispaces----ville-de-gap"]
    assert record.identifier == ["cfa98601-185f-4194-bc0f-119fc23a194b"]
    assert str(record.issued).startswith("2025-07-16")


def test_unknown_resource_format_is_reported_not_fatal(datasud: str, http: Http) -> None:
    found = collect(harvester(datasud, http, language="fr"))
    pav = next(
        r
        for r in found
        if r.record
        and r.record.text(
            "title",
            "fr",
        ).startswith("Point d'apport")
    )
    assert any(p.path.endswith(".format") and p.value == "CSV LonLat/XY" for p in pav.problems)
    assert pav.record is not None and len(pav.record.distribution) == 3


def test_raw_is_the_package_json_and_url_its_package_show(datasud: str, http: Http) -> None:
    first = collect(harvester(datasud, http))[0]
    original = json.loads((SAMPLES_DIR / "ckan-datasud/package_search.json").read_bytes())
    package = next(p for p in original["result"]["results"] if p["id"] == first.remote_id)
    assert first.raw_format == "application/json"
    assert json.loads(first.raw) == package
    assert first.url == f"{datasud}/api/3/action/package_show?id={first.remote_id}"


def test_default_language_is_dutch(datasud: str, http: Http) -> None:
    record = collect(harvester(datasud, http))[0].record
    assert record is not None and list(record.title) == ["nl"]


def test_paging_over_two_pages(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 5)
    found = collect(harvester(replay.url(""), http, rows=3))
    assert [r.remote_id for r in found] == [f"id-{n:03d}" for n in range(5)]
    assert [r.param("start") for r in replay.requests] == ["0", "3"]
    assert all(r.param("rows") == "3" for r in replay.requests)


def test_paging_follows_count_when_the_portal_caps_rows(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 5, cap=2)
    plugin = harvester(replay.url(""), http, rows=3)
    assert len(collect(plugin)) == 5, "a short page is not taken for the last one while count says more"
    assert [r.param("start") for r in replay.requests] == ["0", "2", "4"]
    assert plugin.complete is True


def test_portal_ignoring_start_is_a_loop_not_endless(replay: ReplayServer, http: Http) -> None:
    replay.route(
        SEARCH, body=search_answer([generated(0), generated(1)], 10), content_type="application/json"
    )
    from catalog.exceptions import FeedError

    with pytest.raises(FeedError):
        collect(harvester(replay.url(""), http, rows=2))
    assert len(replay.requests) == 2


def test_organisation_and_tag_filters_reach_the_server_as_fq(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 1)
    collect(harvester(replay.url(""), http, organization="stad-gent", tags=["mobiliteit", "fiets"]))
    fq = replay.requests[0].param("fq")
    assert fq == 'organization:("stad-gent") AND tags:("mobiliteit" OR "fiets")'


def test_source_url_naming_the_api_is_understood(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 1)
    assert len(collect(harvester(replay.url(SEARCH), http))) == 1
    assert (
        api_base("https://data.example.org/ckan/api/3/action/package_search")
        == "https://data.example.org/ckan"
    )
    assert api_base("https://data.example.org/") == "https://data.example.org"
    assert api_base("https://data.example.org/dataset/") == "https://data.example.org"


def test_sort_can_be_left_to_the_portal(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 1)
    collect(harvester(replay.url(""), http, sort=""))
    assert "sort" not in replay.requests[0].query


def test_first_run_is_full_and_keeps_a_high_water_mark(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 3)
    plugin = harvester(replay.url(""), http)
    collect(plugin)
    assert replay.requests[0].param("fq") is None
    assert plugin.complete is True
    assert plugin.state["high_water_mark"] == "2026-01-03T10:00:00.123Z"
    assert datetime.fromisoformat(plugin.state["last_full_run"]) > datetime.now(UTC) - timedelta(minutes=1)


def test_incremental_run_asks_for_modified_packages_and_is_not_complete(
    replay: ReplayServer, http: Http
) -> None:
    serve_generated(replay, 3)
    state = {
        "high_water_mark": "2026-01-02T00:00:00.000Z",
        "last_full_run": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
    }
    plugin = harvester(replay.url(""), http, state=state, organization="gent")
    collect(plugin)
    assert replay.requests[0].param("fq") == (
        'organization:("gent") AND metadata_modified:[2026-01-02T00:00:00.000Z TO *]'
    )
    assert plugin.complete is False
    assert plugin.state["high_water_mark"] == "2026-01-03T10:00:00.123Z"
    assert plugin.state["last_full_run"] == state["last_full_run"]


def test_a_full_run_comes_round_so_deletions_are_seen(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 2)
    old = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    plugin = harvester(
        replay.url(""), http, state={"high_water_mark": "2026-01-05T00:00:00.000Z", "last_full_run": old}
    )
    collect(plugin)
    assert replay.requests[0].param("fq") is None
    assert plugin.complete is True
    assert plugin.state["last_full_run"] > old
    assert plugin.state["high_water_mark"] == "2026-01-02T10:00:00.123Z", "a full run sets the mark afresh"


def test_incremental_off_always_lists_everything(replay: ReplayServer, http: Http) -> None:
    serve_generated(replay, 2)
    state = {"high_water_mark": "2026-01-01T00:00:00.000Z", "last_full_run": datetime.now(UTC).isoformat()}
    plugin = harvester(replay.url(""), http, state=state, incremental=False)
    collect(plugin)
    assert replay.requests[0].param("fq") is None and plugin.complete is True


def test_bad_package_fails_alone(replay: ReplayServer, http: Http) -> None:
    packages = [generated(0), "not a package", {"title": "no id"}, generated(1)]
    replay.route(SEARCH, body=search_answer(packages, 4), content_type="application/json")

    found = collect(harvester(replay.url(""), http))

    assert [r.remote_id for r in found if r.record is not None] == ["id-000", "id-001"]
    errors = [r.error for r in found if r.record is None]
    assert errors == ["not a JSON object", "package has no id"]


def test_deleted_and_harvest_source_packages_are_skipped(replay: ReplayServer, http: Http) -> None:
    packages = [generated(0), {**generated(1), "state": "deleted"}, {**generated(2), "type": "harvest"}]
    replay.route(SEARCH, body=search_answer(packages, 3), content_type="application/json")
    found = collect(harvester(replay.url(""), http))
    assert [(r.remote_id, r.skipped is not None) for r in found] == [
        ("id-000", False),
        ("id-001", True),
        ("id-002", True),
    ]


def test_ckanext_dcat_extras_are_read(replay: ReplayServer, http: Http) -> None:
    extras = {
        "uri": "https://data.gent.be/id/dataset/parkings",
        "identifier": "parkings-gent",
        "theme": '["http://publications.europa.eu/resource/authority/data-theme/TRAN"]',
        "spatial": json.dumps(
            {"type": "Polygon", "coordinates": [[[3.6, 51.0], [3.8, 51.0], [3.8, 51.1], [3.6, 51.0]]]}
        ),
        "spatial_uri": "https://data.vlaanderen.be/id/gemeente/44021",
        "access_rights": "PUBLIC",
        "frequency": "daily",
        "language": '["nl", "en"]',
        "conforms_to": "https://example.org/spec",
        "temporal_start": "2020-01-01",
        "temporal_end": "2024-12-31",
        "contact_uri": "https://gent.be/contact",
        "contact_email": "open@gent.be",
        "publisher_uri": "https://gent.be",
        "publisher_name": "Stad Gent",
    }
    package = {**generated(0), "extras": [{"key": k, "value": v} for k, v in extras.items()]}
    replay.route(SEARCH, body=search_answer([package], 1), content_type="application/json")

    [found] = collect(harvester(replay.url(""), http))

    record = found.record
    assert record is not None and found.problems == ()
    assert record.uri == "https://data.gent.be/id/dataset/parkings"
    assert record.identifier == ["parkings-gent"]
    assert record.theme == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    [place] = record.spatial
    assert place.uri == "https://data.vlaanderen.be/id/gemeente/44021"
    assert place.bbox is not None and (place.bbox.west, place.bbox.north) == (3.6, 51.1)
    assert record.access_rights == "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    assert record.frequency == "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert len(record.language) == 2
    assert record.conforms_to == ["https://example.org/spec"]
    assert str(record.temporal[0].start) == "2020-01-01" and str(record.temporal[0].end) == "2024-12-31"
    assert (record.contact_point[0].uri, record.contact_point[0].email) == (
        "https://gent.be/contact",
        "open@gent.be",
    )
    assert record.publisher is not None and record.publisher.uri == "https://gent.be"
    assert record.publisher.name == {"": "Stad Gent"}
    assert record.license == "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


def test_groups_map_to_themes_when_they_can(replay: ReplayServer, http: Http) -> None:
    package = {**generated(0), "groups": [{"name": "mobiliteit", "title": "Mobiliteit"}, {"name": "varia"}]}
    replay.route(SEARCH, body=search_answer([package], 1), content_type="application/json")
    [found] = collect(harvester(replay.url(""), http))
    assert found.record is not None
    assert found.record.theme == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]


def test_dkan_package_list(replay: ReplayServer, http: Http, samples: object) -> None:
    action = "/api/3/action/current_package_list_with_resources"
    replay.sample(action, "udata-dkan-french-w-license.json")

    found = collect(harvester(replay.url(""), http, api="current_package_list_with_resources", language="fr"))

    [dkan] = found
    record = dkan.record
    assert dkan.remote_id == "04be6288-696d-4331-850d-a144871a7e3a"
    assert record is not None
    assert record.text("title", "fr") == "Antennes régionales de la Région Hauts-de-France (au 01/10/2019)"
    assert record.description["fr"].startswith("Liste et coordonnées"), "DKAN's HTML is reduced to text"
    assert record.license == "http://www.etalab.gouv.fr/pages/Licence_ouverte_Open_licence-5899923.html"
    assert record.spatial[0].bbox is not None and record.spatial[0].bbox.west == pytest.approx(1.18652344)
    assert {d.format for d in record.distribution} == {EU_FILE_TYPE + "XLSX", None}
    assert record.issued == datetime(2019, 12, 10, 9, 23), "DKAN's day-first dates are read"
    assert [(p.path, p.value) for p in dkan.problems] == [("distribution.0.byte_size", "42 octets")]
    assert [(r.param("limit"), r.param("offset")) for r in replay.requests] == [("500", "0")]


def test_not_a_ckan_answer_is_a_feed_error(replay: ReplayServer, http: Http) -> None:
    from catalog.exceptions import FeedError

    replay.route(SEARCH, body=b"<html>maintenance</html>", content_type="text/html")
    with pytest.raises(FeedError):
        collect(harvester(replay.url(""), http))


def test_options_are_checked() -> None:
    assert CkanOptions.model_validate({"tags": "a, b"}).tags == ["a", "b"]
    with pytest.raises(ValidationError):
        CkanOptions.model_validate({"rows": 0})
    assert CkanOptions.model_validate({"organisation": "gent"}).organization == ["gent"]
    dumped = CkanOptions.model_validate({"organisation": "gent"}).model_dump(mode="json", exclude_unset=True)
    assert CkanOptions.model_validate(dumped).organization == ["gent"], "stored options read back"
    with pytest.raises(ValidationError):
        CkanOptions.model_validate({"organisations": "x"})
    with pytest.raises(ValidationError):
        CkanOptions.model_validate({"api": "current_package_list_with_resources", "tags": ["x"]})


def test_a_package_met_twice_while_pages_shift_is_skipped_once(replay: ReplayServer, http: Http) -> None:
    replay.route(SEARCH, body=search_answer([generated(0), generated(1)], 3), content_type="application/json")
    replay.route(
        SEARCH, query={"start": "2"}, body=search_answer([generated(1)], 3), content_type="application/json"
    )
    found = collect(harvester(replay.url(""), http, rows=2))
    assert [(r.remote_id, r.skipped is None) for r in found] == [
        ("id-000", True),
        ("id-001", True),
        ("id-001", False),
    ]


def test_scheming_fields_of_ckanext_dcat_2_are_read(replay: ReplayServer, http: Http) -> None:
    package = {
        **generated(0),
        "uri": "https://data.example.be/dataset/0",
        "theme": ["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
        "contact": [{"name": "Dienst Data", "email": "data@leuven.be"}],
        "publisher": [{"name": "Stad Leuven", "uri": "https://leuven.be"}],
        "temporal_coverage": [{"start": "2021-01-01", "end": "2021-12-31"}],
        "spatial_coverage": [{"uri": "https://data.vlaanderen.be/id/gemeente/24062", "bbox": {
            "type": "Polygon", "coordinates": [[[4.6, 50.8], [4.8, 50.8], [4.8, 50.9], [4.6, 50.8]]]
        }}],
    }  # fmt: skip
    replay.route(SEARCH, body=search_answer([package], 1), content_type="application/json")

    [found] = collect(harvester(replay.url(""), http))

    record = found.record
    assert record is not None and found.problems == ()
    assert record.uri == "https://data.example.be/dataset/0"
    assert record.theme == ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]
    assert record.contact_point[0].email == "data@leuven.be"
    assert record.publisher is not None and record.publisher.uri == "https://leuven.be"
    assert str(record.temporal[0].end) == "2021-12-31"
    assert record.spatial[0].uri == "https://data.vlaanderen.be/id/gemeente/24062"
    assert record.spatial[0].bbox is not None and record.spatial[0].bbox.east == 4.8


def test_a_passing_server_error_is_retried_by_the_fetcher(replay: ReplayServer, http: Http) -> None:
    ok = Reply(search_answer([generated(0)], 1), headers={"Content-Type": "application/json"})
    replay.route(SEARCH, replies=[Reply(b"busy", 503, {"Retry-After": "0"}), ok])
    assert [r.remote_id for r in collect(harvester(replay.url(""), http))] == ["id-000"]
    assert len(replay.requests) == 2
