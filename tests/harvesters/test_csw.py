"""The CSW harvester's listing against GeoNetwork responses replayed on a loopback server.

Page 1 is GeoNetwork's real ISO 19139 answer (reference samples), page 2 a project capture
(``tests/data/csw/``); see ``csw_support``.
"""

from __future__ import annotations

import pytest
from csw_support import CSW_PATH, PAGE_2, XML, iso_pages, serve_pages, start_position
from lxml import etree
from plugin_support import collect, collect_until_error, source
from pydantic import ValidationError
from replay import SAMPLES_DIR, RecordedRequest, ReplayServer, Reply

from catalog.exceptions import FeedError
from harvesters._csw_response import CswException
from harvesters._iso19139_xml import parse_xml
from harvesters.base import Http
from harvesters.csw import DUPLICATE, NO_IDENTIFIER, CswHarvester, CswOptions

pytestmark = pytest.mark.usefixtures("samples")

EXCEPTION_REPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows" version="1.2.0">
  <ows:Exception exceptionCode="InvalidParameterValue" locator="outputSchema">
    <ows:ExceptionText>Output schema not supported: http://example.org/nope</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>"""

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">
  <csw:SearchResults numberOfRecordsMatched="1" nextRecord="0">&lol2;</csw:SearchResults>
</csw:GetRecordsResponse>"""


def harvester(url: str, http: Http, **options: object) -> CswHarvester:
    return CswHarvester(source(url), CswOptions.model_validate(options), http)


def test_two_pages_by_post_give_every_record_once(replay: ReplayServer, http: Http) -> None:
    found = collect(harvester(serve_pages(replay, iso_pages()), http))

    assert [(r.method, start_position(r)) for r in replay.requests] == [("POST", 1), ("POST", 3)]
    stored = {r.remote_id: r.record.kind for r in found if r.record is not None}
    assert stored == {
        "fr-120066022-ldd-56fce164-04b2-41ae-be87-9f256f39dd44": "Dataset",
        "fr-120066022-ldd-777b1c6b-36a7-4650-befa-e4be638cd694": "Dataset",
        "7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f": "Dataset",
        "a1b2c3d4-0000-4000-8000-fietspadenwms": "DataService",
    }
    body = replay.requests[0].body
    assert b'outputSchema="http://www.isotc211.org/2005/gmd"' in body
    assert b"<csw:ElementSetName>full</csw:ElementSetName>" in body
    assert b'maxRecords="50"' in body
    first = next(r for r in found if r.remote_id.startswith("fr-120066022-ldd-56fce164"))
    assert first.raw_format == "application/xml" and parse_xml(first.raw).tag.endswith("MD_Metadata")
    assert first.url is not None and "request=GetRecordById" in first.url and "id=fr-120066022" in first.url


def test_record_without_identifier_is_skipped_and_a_broken_one_fails_alone(
    replay: ReplayServer, http: Http
) -> None:
    found = collect(harvester(serve_pages(replay, iso_pages()), http))

    skipped = [r for r in found if r.skipped]
    failed = [r for r in found if r.error]
    assert [(r.remote_id, r.skipped) for r in skipped] == [("(record 5: no fileIdentifier)", NO_IDENTIFIER)]
    assert [(r.remote_id, r.error) for r in failed] == [
        ("broken-0000-no-identification", "record cannot be mapped: record has no identificationInfo")
    ]
    assert len([r for r in found if r.record is not None]) == 4, "the others are mapped all the same"


def test_post_refused_falls_back_to_get_for_the_whole_run(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, iso_pages(), post=False)

    found = collect(harvester(url, http, page_size=2))

    assert [(r.method, start_position(r)) for r in replay.requests] == [("POST", 1), ("GET", 1), ("GET", 3)]
    get = replay.requests[1]
    assert get.param("request") == "GetRecords" and get.param("service") == "CSW"
    assert get.param("outputSchema") == "http://www.isotc211.org/2005/gmd"
    assert get.param("elementSetName") == "full" and get.param("maxRecords") == "2"
    assert len([r for r in found if r.record is not None]) == 4


def test_exception_report_to_post_is_retried_by_get(replay: ReplayServer, http: Http) -> None:
    pages = iso_pages()

    def handler(request: RecordedRequest) -> Reply:
        if request.method == "POST":
            return Reply(EXCEPTION_REPORT, 200, XML)
        return Reply(pages[start_position(request)], 200, XML)

    replay.route(CSW_PATH, handler=handler)
    found = collect(harvester(replay.url(CSW_PATH), http))

    assert [r.method for r in replay.requests] == ["POST", "GET", "GET"]
    assert len([r for r in found if r.record is not None]) == 4


def test_exception_report_ends_the_run_quoting_code_and_text(replay: ReplayServer, http: Http) -> None:
    replay.route(CSW_PATH, body=EXCEPTION_REPORT, headers=XML)

    found, error = collect_until_error(harvester(replay.url(CSW_PATH), http))

    assert found == []
    assert isinstance(error, CswException) and error.code == "InvalidParameterValue"
    assert "InvalidParameterValue (locator outputSchema)" in str(error)
    assert "Output schema not supported: http://example.org/nope" in str(error)


def test_exception_report_on_page_two_ends_the_run_after_page_one(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, {**iso_pages(), 3: EXCEPTION_REPORT})

    found, error = collect_until_error(harvester(url, http))

    assert len(found) == 2 and isinstance(error, CswException)
    assert [r.method for r in replay.requests] == ["POST", "POST"], "no GET fallback once POST has worked"


@pytest.mark.parametrize(
    "body",
    [
        ENTITY_BOMB,
        b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        b'<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"/>',
    ],
    ids=["entity-bomb", "external-dtd"],
)
def test_hostile_xml_is_refused(replay: ReplayServer, http: Http, body: bytes) -> None:
    replay.route(CSW_PATH, body=body, headers=XML)

    found, error = collect_until_error(harvester(replay.url(CSW_PATH), http, method="get"))

    assert found == [] and isinstance(error, FeedError)
    assert "document type declarations (DTD, entities) are not allowed" in str(error)
    assert [r.path for r in replay.requests] == [CSW_PATH], "nothing else was fetched"


def test_a_server_that_does_not_advance_is_stopped(replay: ReplayServer, http: Http) -> None:
    page = iso_pages()[1].replace(b'nextRecord="3"', b'nextRecord="1"')
    url = serve_pages(replay, {1: page})

    found, error = collect_until_error(harvester(url, http))

    assert len(found) == 2
    assert isinstance(error, FeedError) and "does not advance: nextRecord 1 after startPosition 1" in str(
        error
    )


def test_the_last_page_is_known_by_number_matched(replay: ReplayServer, http: Http) -> None:
    page = iso_pages()[1].replace(b'numberOfRecordsMatched="6"', b'numberOfRecordsMatched="2"')
    found = collect(harvester(serve_pages(replay, {1: page}), http))
    assert len(found) == 2 and len(replay.requests) == 1


def test_max_pages_marks_the_listing_incomplete(replay: ReplayServer, http: Http) -> None:
    h = harvester(serve_pages(replay, iso_pages()), http, max_pages=1)
    found = collect(h)
    assert len(found) == 2 and h.complete is False


def test_keyword_and_organisation_filter_is_sent_as_ogc_filter(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, iso_pages())
    collect(harvester(url, http, keyword="mobiliteit, fiets", organisation="Stad Gent"))

    constraint = parse_xml(replay.requests[0].body).find(".//{http://www.opengis.net/ogc}Filter")
    assert constraint is not None
    names = [e.text for e in constraint.iter("{http://www.opengis.net/ogc}PropertyName")]
    literals = [e.text for e in constraint.iter("{http://www.opengis.net/ogc}Literal")]
    assert names == ["Subject", "Subject", "OrganisationName"]
    assert literals == ["mobiliteit", "fiets", "Stad Gent"]
    assert constraint[0].tag == "{http://www.opengis.net/ogc}And"


def test_cql_constraint_goes_by_get_as_cql_text(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, iso_pages(), post=False)
    collect(harvester(url, http, method="get", keyword="fiets", constraint="type = 'dataset'"))

    assert replay.requests[0].param("constraintLanguage") == "CQL_TEXT"
    assert replay.requests[0].param("constraint") == "(Subject = 'fiets') AND (type = 'dataset')"


def test_options_are_checked() -> None:
    with pytest.raises(ValidationError, match="ogc:Filter"):
        CswOptions.model_validate({"constraint": "<Filter/>"})
    with pytest.raises(ValidationError, match="not allowed"):
        CswOptions.model_validate({"constraint": '<!DOCTYPE x [<!ENTITY a "b">]><x/>'})
    with pytest.raises(ValidationError):
        CswOptions.model_validate({"output_schema": "csw"})
    with pytest.raises(ValidationError):
        CswOptions.model_validate({"page_size": 0})
    assert CswOptions.model_validate({"organization": "Stad Gent"}).organisation == "Stad Gent"


def test_dcat_output_is_read_through_the_rdf_path(replay: ReplayServer, http: Http) -> None:
    dcat = (SAMPLES_DIR / "udata-geonetwork-dcat-page-1.xml").read_bytes()
    # page 2: the same two records under other identifiers (rewritten as served), the last page
    page_2 = dcat.replace(b"04bcec79-", b"14bcec79-").replace(b"06367a09-", b"16367a09-")
    url = serve_pages(replay, {1: dcat, 3: page_2.replace(b'nextRecord="3"', b'nextRecord="0"')})

    found = collect(harvester(url, http, output_schema="dcat"))

    assert [start_position(r) for r in replay.requests] == [1, 3]
    assert b'outputSchema="http://www.w3.org/ns/dcat#"' in replay.requests[0].body
    titles = sorted(r.record.text() or "" for r in found if r.record is not None)
    assert len(titles) == 4 and len({r.remote_id for r in found}) == 4
    assert titles[0].startswith("INSEE - Part des ménages")
    assert titles[3].startswith("Zonage du bassin urbain")
    assert all(
        r.raw_format == "ntriples" and r.remote_id.startswith("https://www.geo2france.fr/") for r in found
    )


def test_iso_records_asked_but_dcat_answered_is_a_clear_error(replay: ReplayServer, http: Http) -> None:
    dcat = (SAMPLES_DIR / "udata-geonetwork-dcat-page-1.xml").read_bytes()
    replay.route(CSW_PATH, body=dcat, headers=XML)

    _, error = collect_until_error(harvester(replay.url(CSW_PATH), http, method="post"))

    assert (
        isinstance(error, FeedError)
        and "not ISO 19139" in str(error)
        and "output_schema = dcat" in str(error)
    )


def test_pasted_getcapabilities_url_is_reduced_to_the_endpoint(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, iso_pages())
    collect(harvester(url + "?service=CSW&request=GetCapabilities&version=2.0.2", http))
    assert all(r.query == {} for r in replay.requests)


def _page_with(records: list[bytes], *, matched: int | None = None, next_record: int = 0) -> bytes:
    """A GetRecords answer holding ``records`` (serialised MD_Metadata elements)."""
    count = len(records) if matched is None else matched
    head = (
        '<csw:GetRecordsResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">'
        f'<csw:SearchResults numberOfRecordsMatched="{count}" numberOfRecordsReturned="{len(records)}"'
        f' nextRecord="{next_record}">'
    )
    return head.encode() + b"".join(records) + b"</csw:SearchResults></csw:GetRecordsResponse>"


def _capture_records() -> list[bytes]:
    root = parse_xml(PAGE_2.read_bytes())
    return [etree.tostring(e) for e in root.iter("{http://www.isotc211.org/2005/gmd}MD_Metadata")]


def test_a_service_listed_before_its_dataset_still_serves_it(replay: ReplayServer, http: Http) -> None:
    dataset, service = _capture_records()[:2]
    url = serve_pages(
        replay, {1: _page_with([service], matched=2, next_record=2), 2: _page_with([dataset], matched=2)}
    )

    found = collect(harvester(url, http))

    assert [r.remote_id for r in found] == [
        "7f3c0d2e-5a1b-4c8e-9f00-0a1b2c3d4e5f",
        "a1b2c3d4-0000-4000-8000-fietspadenwms",
    ], "services come after the last page"
    served = found[1].record
    assert served is not None and served.kind == "DataService"
    assert served.serves_dataset == ["https://data.stad.gent/id/dataset/fietspaden-gent"]


def test_a_record_listed_on_two_pages_is_read_once(replay: ReplayServer, http: Http) -> None:
    dataset = _capture_records()[0]
    url = serve_pages(
        replay, {1: _page_with([dataset], matched=2, next_record=2), 2: _page_with([dataset], matched=2)}
    )

    found = collect(harvester(url, http))

    assert [(r.record is not None, r.skipped) for r in found] == [(True, None), (False, DUPLICATE)]


def test_get_is_remembered_for_the_next_run(replay: ReplayServer, http: Http) -> None:
    url = serve_pages(replay, iso_pages(), post=False)
    first = harvester(url, http)
    collect(first)
    assert first.state == {"method": "get"}

    replay.requests.clear()
    second = CswHarvester(source(url, state=first.state), CswOptions(), http)
    collect(second)

    assert [r.method for r in replay.requests] == ["GET", "GET"], "no refused POST on every nightly run"
