"""The Opendatasoft harvester against a loopback stand-in for the Explore API v2.1 catalogue.

The stand-in (``serve_catalogue``) answers like ODS: ``limit`` at most 100, ``offset + limit`` at most
10,000 (else HTTP 400 with ODS's error JSON), datasets ordered by ``dataset_id``, and the whole catalogue
as one JSON list at ``/catalog/exports/json``. The Gent answer is project-written
(``tests/data/opendatasoft/``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from plugin_support import collect, collect_until_error, source
from replay import RecordedRequest, ReplayServer, Reply

from catalog.exceptions import FeedError, InputError
from catalog.harvest.registry import get_harvester, validate_options
from harvesters.base import HarvestedRecord, Http
from harvesters.opendatasoft import DATASETS, EXPORT, OdsOptions, OpendatasoftHarvester, portal_base

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "opendatasoft"
GENT_CAPTURE = CAPTURES / "project-written-gent-catalog-datasets.json"
JSON = {"Content-Type": "application/json; charset=utf-8"}
CC_BY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"


def harvester(url: str, http: Http, **options: Any) -> OpendatasoftHarvester:
    return OpendatasoftHarvester(source(url), OdsOptions.model_validate(options), http)


def gent_capture() -> dict[str, Any]:
    """The project-written Explore v2.1 answer with three Gent datasets."""
    body: dict[str, Any] = json.loads(GENT_CAPTURE.read_bytes())
    return body


def generated(n: int, **default: Any) -> dict[str, Any]:
    """A small dataset object in the Explore v2.1 shape."""
    return {
        "dataset_id": f"ds-{n:05d}",
        "has_records": True,
        "fields": [{"name": "waarde", "label": "Waarde", "type": "int"}],
        "attachments": [],
        "metas": {
            "default": {
                "title": f"Dataset {n}",
                "description": "<p>Beschrijving</p>",
                "keyword": ["test"],
                "theme": ["Mobiliteit"],
                "license": "CC BY 4.0",
                "language": "nl",
                "modified": "2026-01-01T10:00:00+00:00",
                "publisher": "Stad Gent",
                "records_count": 3,
                **default,
            }
        },
    }


def light(n: int) -> dict[str, Any]:
    """A metadata-only dataset (no records, so no exports to build): ten thousand of them map quickly."""
    return {"dataset_id": f"ds-{n:05d}", "has_records": False, "metas": {"default": {"title": f"D{n}"}}}


def ods_error(message: str) -> Reply:
    body = {"error_code": "InvalidRESTParameterError", "message": message}
    return Reply(json.dumps(body).encode(), 400, JSON)


def serve_catalogue(replay: ReplayServer, datasets: list[dict[str, Any]]) -> None:
    """Serve ``datasets`` as an ODS portal does, enforcing its limits."""
    ordered = sorted(datasets, key=lambda d: str(d.get("dataset_id")))

    def listing(request: RecordedRequest) -> Reply:
        limit, offset = int(request.param("limit") or 10), int(request.param("offset") or 0)
        if limit > 100:
            return ods_error(
                f"Invalid value for limit API parameter: {limit} was found but <= 100 is expected."
            )
        if offset + limit > 10_000:
            total = offset + limit
            return ods_error(
                "Invalid value for sum of offset + limit API parameter: "
                f"{total} was found but <= 10000 is expected."
            )
        page = {"total_count": len(ordered), "results": ordered[offset : offset + limit]}
        return Reply(json.dumps(page).encode(), 200, JSON)

    replay.route(DATASETS, handler=listing)
    replay.route(EXPORT, handler=lambda request: Reply(json.dumps(ordered).encode(), 200, JSON))


def by_id(found: list[HarvestedRecord]) -> dict[str, HarvestedRecord]:
    return {r.remote_id: r for r in found}


def test_gent_answer_gives_three_datasets_with_their_urls(replay: ReplayServer, http: Http) -> None:
    serve_catalogue(replay, gent_capture()["results"])

    found = by_id(collect(harvester(replay.url(""), http)))

    assert sorted(found) == [
        "fietstelpaal-visserij-2023-gent",
        "fietstelpalen-gent",
        "jaarverslag-mobiliteit-2022",
    ]
    assert all(r.record is not None and r.error is None for r in found.values())
    record = found["fietstelpaal-visserij-2023-gent"]
    assert record.url == replay.url(DATASETS + "/fietstelpaal-visserij-2023-gent")
    assert record.raw_format == "application/json"
    original = next(d for d in gent_capture()["results"] if d["dataset_id"] == record.remote_id)
    assert json.loads(record.raw) == original, "raw is the dataset object as the portal sent it"
    [request] = replay.requests
    assert request.query == {"order_by": ["dataset_id"], "lang": ["nl"], "limit": ["100"], "offset": ["0"]}


def test_paging_over_three_pages_in_dataset_id_order(replay: ReplayServer, http: Http) -> None:
    serve_catalogue(replay, [generated(n) for n in range(7)])

    plugin = harvester(replay.url(""), http, page_size=3)
    found = collect(plugin)

    assert [r.remote_id for r in found] == [f"ds-{n:05d}" for n in range(7)]
    assert [(r.param("offset"), r.param("limit")) for r in replay.requests] == [
        ("0", "3"),
        ("3", "3"),
        ("6", "3"),
    ]
    assert all(r.param("order_by") == "dataset_id" for r in replay.requests), (
        "a stable order: pages do not shift"
    )
    assert plugin.complete is True
    assert not replay.requests_to(EXPORT), "a catalogue inside the offset window needs no export"


def test_past_the_offset_window_the_rest_comes_from_the_export(replay: ReplayServer, http: Http) -> None:
    total = 10_050
    serve_catalogue(replay, [light(n) for n in range(total)])

    plugin = harvester(replay.url(""), http, where='publisher = "Stad Gent"', language="nl")
    found = collect(plugin)

    assert len(found) == total
    assert len({r.remote_id for r in found}) == total, "the first page's datasets are not read twice"
    assert all(r.record is not None for r in found)
    assert plugin.complete is True
    listings = replay.requests_to(DATASETS)
    assert all(int(r.param("offset") or 0) + int(r.param("limit") or 0) <= 10_000 for r in listings)
    assert len(listings) == 1, "the first page tells the size; the rest is one export, not 100 pages"
    [export] = replay.requests_to(EXPORT)
    assert export.query == {"order_by": ["dataset_id"], "lang": ["nl"], "where": ['publisher = "Stad Gent"']}


def test_the_stand_in_refuses_what_ods_refuses(replay: ReplayServer) -> None:
    """The window test above means something: past 10,000 the stand-in answers 400 as ODS does."""
    serve_catalogue(replay, [generated(0)])
    answer = httpx.get(replay.url(DATASETS), params={"limit": 100, "offset": 9_901})
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "InvalidRESTParameterError"
    assert "offset + limit" in answer.json()["message"]
    assert httpx.get(replay.url(DATASETS), params={"limit": 100, "offset": 9_900}).status_code == 200


def test_where_and_language_reach_the_portal(replay: ReplayServer, http: Http) -> None:
    serve_catalogue(replay, [generated(0)])
    [found] = collect(harvester(replay.url(""), http, where="publisher = 'Stad Gent'", language="nl-BE"))
    request = replay.requests[0]
    assert (request.param("where"), request.param("lang")) == ("publisher = 'Stad Gent'", "nl")
    assert found.record is not None and found.record.title == {"nl-be": "Dataset 0"}


def test_a_where_clause_the_portal_refuses_is_named(replay: ReplayServer, http: Http) -> None:
    replay.route(DATASETS, replies=[ods_error("ODSQL query is malformed: invalid where clause")])
    with pytest.raises(FeedError, match=r"HTTP 400.*check the `where` option"):
        collect(harvester(replay.url(""), http, where="publisher ==="))


def test_options_are_checked_by_name_when_a_source_is_saved() -> None:
    assert get_harvester("opendatasoft") is OpendatasoftHarvester
    with pytest.raises(InputError, match=r"option 'page_size'"):
        validate_options("opendatasoft", {"page_size": "101"})
    with pytest.raises(InputError, match="unknown option 'apikey'"):
        validate_options("opendatasoft", {"apikey": "secret"})
    options = validate_options("opendatasoft", {"where": 'publisher = "Stad Gent"', "page_size": "50"})
    assert options == OdsOptions(where='publisher = "Stad Gent"', page_size=50, language="nl")


@pytest.mark.parametrize(
    "url",
    [
        "https://data.stad.gent",
        "https://data.stad.gent/",
        "https://data.stad.gent/explore/",
        "https://data.stad.gent/explore/dataset/fietstelpalen-gent/table/",
        "https://data.stad.gent/api/explore/v2.1/catalog/datasets?limit=20",
        "https://data.stad.gent/api/explore/v2.1/",
        "https://data.stad.gent/api",
    ],
)
def test_the_url_a_steward_enters_leads_to_the_portal(url: str) -> None:
    assert portal_base(url) == "https://data.stad.gent"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"total_count": 1}, "`results`"),
        ({"total_count": 1, "datasets": []}, r"`results`.*v2\.0"),
        ({"results": [generated(0)]}, "`total_count`"),
        ({"total_count": 1, "results": {"dataset_id": "x"}}, "`results` is not a list"),
        ({"total_count": 1, "results": [{"dataset_id": "x", "dataset": {}}]}, "`metas`"),
        ({"total_count": 1, "results": [{"metas": {"default": {}}}]}, "`dataset_id`"),
        ([generated(0)], "JSON object"),
    ],
)
def test_a_changed_answer_stops_the_run_naming_the_field(
    replay: ReplayServer, http: Http, body: Any, named: str
) -> None:
    replay.route(DATASETS, body=json.dumps(body).encode(), headers=JSON)
    found, error = collect_until_error(harvester(replay.url(""), http))
    assert found == []
    assert isinstance(error, FeedError)
    assert replay.url(DATASETS) in str(error)
    assert re.search(named, str(error)), str(error)


def test_a_changed_export_stops_the_run(replay: ReplayServer, http: Http) -> None:
    datasets = [light(n) for n in range(10_001)]
    page = {"total_count": len(datasets), "results": datasets[:100]}
    replay.route(DATASETS, body=json.dumps(page).encode(), headers=JSON)
    replay.route(EXPORT, body=json.dumps({"datasets": datasets}).encode(), headers=JSON)
    found, error = collect_until_error(harvester(replay.url(""), http))
    assert len(found) == 100, "the first page's datasets were given before the export failed"
    assert isinstance(error, FeedError) and "not a JSON list of datasets" in str(error)


def test_a_dataset_that_cannot_be_mapped_fails_alone(replay: ReplayServer, http: Http) -> None:
    broken_metas = {"dataset_id": "ds-broken", "metas": {"dcat": {}}}
    no_id = {"metas": {"default": {"title": "Zonder id"}}}
    bad_bbox = generated(3, bbox={"type": "Polygon", "coordinates": [[[500, 1], [501, 2]]]})
    bad_date = generated(4, modified="gisteren")
    replay.route(
        DATASETS,
        body=json.dumps(
            {"total_count": 6, "results": [generated(1), broken_metas, no_id, bad_bbox, bad_date, 7]}
        ).encode(),
        headers=JSON,
    )

    found = collect(harvester(replay.url(""), http))

    assert len(found) == 6
    outcome = {r.remote_id: r.error for r in found}
    assert outcome["ds-00001"] is None
    assert outcome["ds-broken"] == "dataset has no `metas.default` object"
    assert outcome["(no dataset_id)"] == "dataset has no `dataset_id`"
    assert outcome["(not a dataset)"] == "not a JSON object"
    kept = by_id(found)
    assert kept["ds-00003"].record is not None and kept["ds-00003"].record.spatial == []
    assert [p.path for p in kept["ds-00003"].problems] == ["bbox"]
    assert kept["ds-00004"].record is not None and kept["ds-00004"].record.modified is None
    assert [(p.path, p.value) for p in kept["ds-00004"].problems] == [("modified", "gisteren")]


def test_a_dataset_listed_twice_is_skipped_the_second_time(replay: ReplayServer, http: Http) -> None:
    pages = [
        {"total_count": 4, "results": [generated(0), generated(1)]},
        {"total_count": 4, "results": [generated(1), generated(2)]},
    ]
    replay.route(DATASETS, body=json.dumps(pages[0]).encode(), headers=JSON, query={"offset": "0"})
    replay.route(DATASETS, body=json.dumps(pages[1]).encode(), headers=JSON, query={"offset": "2"})
    replay.route(
        DATASETS,
        body=json.dumps({"total_count": 4, "results": []}).encode(),
        headers=JSON,
        query={"offset": "4"},
    )

    plugin = harvester(replay.url(""), http, page_size=2)
    found = collect(plugin)

    assert [(r.remote_id, r.skipped is not None) for r in found] == [
        ("ds-00000", False), ("ds-00001", False), ("ds-00001", True), ("ds-00002", False)
    ]  # fmt: skip
    assert plugin.complete is True


def test_a_listing_that_ends_early_is_not_complete(replay: ReplayServer, http: Http) -> None:
    first = {"total_count": 5, "results": [generated(0), generated(1)]}
    replay.route(DATASETS, body=json.dumps(first).encode(), headers=JSON, query={"offset": "0"})
    replay.route(
        DATASETS,
        body=json.dumps({"total_count": 5, "results": []}).encode(),
        headers=JSON,
        query={"offset": "2"},
    )
    plugin = harvester(replay.url(""), http, page_size=2)
    assert len(collect(plugin)) == 2
    assert plugin.complete is False, "datasets went away while paging: nothing may be withdrawn"


HTML_FIELDS = {
    "title": "<h1>Fiets&shy;tellingen <em>2024</em></h1>",
    "description": '<p>Zie <a href="https://stad.gent/fiets">de fietspagina</a>.</p><script>x()</script>',
    "keyword": ["<b>fiets</b>", "tellingen &amp; metingen"],
    "theme": ["<span>Mobiliteit</span>"],
    "license": "<a href='https://creativecommons.org/licenses/by/4.0/'>CC BY 4.0</a>",
    "publisher": "<strong>Stad Gent</strong>",
    "territory": ["<i>Gent</i>"],
    "attributions": ["<p>Mobiliteitsbedrijf &lt;Gent&gt;</p>"],
}


def test_html_in_every_text_field_becomes_plain_text(replay: ReplayServer, http: Http) -> None:
    item = generated(0, **HTML_FIELDS)
    item["metas"]["dcat"] = {
        "creator": "<p>Dienst <b>Mobiliteit</b></p>",
        "contact_name": "<em>Fietsambtenaar</em>",
        "contact_email": "fiets@stad.gent",
        "accrualperiodicity": "<span>Dagelijks</span>",
        "spatial": "<p>Gent</p>",
    }
    item["attachments"] = [
        {
            "href": "https://data.stad.gent/x/attachments/a",
            "id": "a",
            "mimetype": "application/pdf",
            "title": "<b>Uitleg</b>",
        }
    ]
    replay.route(DATASETS, body=json.dumps({"total_count": 1, "results": [item]}).encode(), headers=JSON)

    [found] = collect(harvester(replay.url(""), http))

    record = found.record
    assert record is not None, found.error
    assert record.title == {"nl": "Fiets\xadtellingen 2024"}
    assert record.description == {"nl": "Zie de fietspagina (https://stad.gent/fiets)."}
    assert record.keyword == {"nl": ["fiets", "tellingen & metingen"]}
    assert record.theme == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    assert record.license == CC_BY
    assert record.publisher is not None and record.publisher.name == {"": "Stad Gent"}
    assert record.creator is not None and record.creator.name == {"": "Dienst Mobiliteit"}
    assert [(c.name, c.email) for c in record.contact_point] == [("Fietsambtenaar", "fiets@stad.gent")]
    assert record.frequency == "http://publications.europa.eu/resource/authority/frequency/DAILY"
    assert {loc.uri for loc in record.spatial} == {"https://data.vlaanderen.be/id/gemeente/44021"}
    assert record.provenance == {"": "Mobiliteitsbedrijf <Gent>"}
    attachment = next(d for d in record.distribution if d.identifier == ["a"])
    assert attachment.title == {"nl": "Uitleg"}
    assert found.problems == ()
    text = json.dumps(record.model_dump(mode="json"))
    assert "<" not in text.replace("<Gent>", ""), "no markup is left anywhere in the record"
