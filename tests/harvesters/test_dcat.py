"""The DCAT harvester against real feeds replayed on a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_support import collect, collect_until_error, real_fetcher, source
from pydantic import ValidationError
from replay import ReplayServer

from catalog.exceptions import FeedError
from catalog.harvest.fetch import UnsafeURL
from catalog.rdf.parse import parse_record
from harvesters.base import Http
from harvesters.dcat import DcatHarvester, DcatOptions

pytestmark = pytest.mark.usefixtures("samples")

OLD_NEXT = "http://data.test.org/catalog.jsonld?page=2"


def harvester(url: str, http: Http, **options: object) -> DcatHarvester:
    return DcatHarvester(source(url), DcatOptions.model_validate(options), http)


def serve_two_pages(replay: ReplayServer, style: str) -> str:
    """Serve a two-page Hydra sample; page 1's next link is pointed at page 2 on the replay server."""
    page_2 = replay.url("/catalog.jsonld") + "?page=2"
    replay.sample("/catalog.jsonld", f"udata-{style}-collection-1.jsonld", rewrite={OLD_NEXT: page_2})
    replay.sample("/catalog.jsonld", f"udata-{style}-collection-2.jsonld", query={"page": "2"})
    return replay.url("/catalog.jsonld")


@pytest.mark.parametrize("style", ["paged", "partial"])
def test_hydra_paging_follows_next_to_page_two(replay: ReplayServer, http: Http, style: str) -> None:
    found = collect(harvester(serve_two_pages(replay, style), http))

    assert sorted(r.remote_id for r in found) == [f"http://data.test.org/datasets/{n}" for n in (1, 2, 3, 4)]
    assert [r.param("page") for r in replay.requests] == [None, "2"]
    on_page_2 = next(r for r in found if r.remote_id.endswith("/4"))
    assert on_page_2.url == replay.url("/catalog.jsonld") + "?page=2"
    assert all(r.record is not None and r.error is None for r in found)


def test_raw_is_the_records_own_triples_and_reads_back(replay: ReplayServer, http: Http) -> None:
    found = collect(harvester(serve_two_pages(replay, "paged"), http))
    first = next(r for r in found if r.remote_id == "http://data.test.org/datasets/1")
    assert first.raw_format == "ntriples"
    assert parse_record(first.raw).record == first.record
    assert first.record is not None and first.record.title == {"": "Dataset 1"}


def test_opendatasoft_export_gives_dataset_and_data_service(replay: ReplayServer, http: Http) -> None:
    path = "/api/explore/v2.1/catalog/exports/dcat"
    replay.sample(path, "ods-capatlantique-catalog-exports-dcat.rdf")

    found = collect(harvester(replay.url(path), http))

    kinds = {r.remote_id: r.record.kind for r in found if r.record is not None}
    assert kinds == {
        "https://data.capatlantique.fr/explore/dataset/264400516_arretes_ccas_guerande/": "Dataset",
        "https://data.capatlantique.fr/api/explore/v2.1/": "DataService",
    }
    dataset = next(r.record for r in found if r.record is not None and r.record.kind == "Dataset")
    assert dataset.text() == "Arrêtés du CCAS de Guérande"
    assert replay.requests[0].headers["accept"].startswith("text/turtle")


def test_geonetwork_dcat_output_inside_a_csw_response(replay: ReplayServer, http: Http) -> None:
    replay.sample("/geonetwork/srv/eng/csw", "udata-geonetwork-dcat-page-1.xml", content_type="text/xml")

    found = collect(harvester(replay.url("/geonetwork/srv/eng/csw"), http))

    titles = sorted(r.record.text() or "" for r in found if r.record is not None)
    assert len(titles) == 2
    assert titles[0].startswith("INSEE - Part des ménages")
    assert titles[1].startswith("Zonage du bassin urbain")


@pytest.mark.parametrize(
    ("name", "remote_id", "title"),
    [
        (
            "fietstelpaal-visserij-gent.dcat-ap3.xml",
            "https://data.stad.gent/api/v2/catalog/datasets/fietstelpaal-visserij-2023-gent",
            "Fietstelpaal Visserij 2023 Gent",
        ),
        (
            "agrarisch-groen-ontoegankelijk-antwerpen.xml",
            "https://portaal-stadantwerpen.opendata.arcgis.com/maps/stadAntwerpen::agrarisch-groen-ontoegankelijk",
            "agrarisch groen ontoegankelijk",
        ),
    ],
)
def test_flemish_city_records_keep_what_they_can(
    replay: ReplayServer, http: Http, name: str, remote_id: str, title: str
) -> None:
    replay.sample("/feed", name)

    [found] = collect(harvester(replay.url("/feed"), http))

    assert found.remote_id == remote_id
    assert found.record is not None and found.record.text() == title
    assert found.problems, "the real defects of these records are reported, not silently dropped"


def test_format_sniffed_when_content_type_says_nothing(replay: ReplayServer, http: Http) -> None:
    replay.sample(
        "/download", "ods-capatlantique-catalog-exports-dcat.rdf", content_type="application/octet-stream"
    )
    assert len(collect(harvester(replay.url("/download"), http))) == 2


def test_format_option_overrides_a_wrong_content_type(replay: ReplayServer, http: Http) -> None:
    replay.sample("/feed", "ods-capatlantique-catalog-exports-dcat.rdf", content_type="text/turtle")
    with pytest.raises(FeedError):
        collect(harvester(replay.url("/feed"), http))
    assert len(collect(harvester(replay.url("/feed"), http, format="rdfxml"))) == 2


def test_dcat_us_data_json_is_refused(replay: ReplayServer, http: Http) -> None:
    replay.sample("/data.json", "udata-evian.json")
    with pytest.raises(FeedError, match=r"not DCAT RDF: looks like a DCAT-US data\.json \(use the arcgis"):
        collect(harvester(replay.url("/data.json"), http))


def test_ckan_api_answer_is_refused_with_a_hint(replay: ReplayServer, http: Http) -> None:
    replay.sample("/api/3/action/package_search", "ckan-datasud/package_search.json")
    with pytest.raises(FeedError, match="not DCAT RDF: looks like a CKAN API response"):
        collect(harvester(replay.url("/api/3/action/package_search"), http))


def test_next_page_loop_stops_with_feed_error(replay: ReplayServer, http: Http) -> None:
    url = replay.url("/catalog.jsonld")
    replay.sample("/catalog.jsonld", "udata-paged-collection-1.jsonld", rewrite={OLD_NEXT: url})
    with pytest.raises(FeedError):
        collect(harvester(url, http))
    assert len(replay.requests) == 2


def test_malformed_page_two_names_the_page(replay: ReplayServer, http: Http) -> None:
    page_2 = replay.url("/catalog.jsonld") + "?page=2"
    replay.sample("/catalog.jsonld", "udata-paged-collection-1.jsonld", rewrite={OLD_NEXT: page_2})
    replay.route(
        "/catalog.jsonld", query={"page": "2"}, body=b'{"@id": "x", ', content_type="application/ld+json"
    )

    seen, error = collect_until_error(harvester(replay.url("/catalog.jsonld"), http))

    assert isinstance(error, FeedError)
    assert "catalog.jsonld?page=2" in str(error)
    assert len(seen) == 3, "page 1's records were yielded before page 2 failed"


def test_max_pages_cuts_the_listing_and_marks_it_incomplete(replay: ReplayServer, http: Http) -> None:
    plugin = harvester(serve_two_pages(replay, "partial"), http, max_pages=1)
    assert len(collect(plugin)) == 3
    assert plugin.complete is False
    assert len(replay.requests) == 1


def test_complete_run_stays_complete(replay: ReplayServer, http: Http) -> None:
    plugin = harvester(serve_two_pages(replay, "partial"), http)
    collect(plugin)
    assert plugin.complete is True


def test_page_size_param_is_sent_on_the_first_request_only(replay: ReplayServer, http: Http) -> None:
    url = serve_two_pages(replay, "paged")
    collect(harvester(url, http, page_size_param="limit", page_size=3))
    assert [r.param("limit") for r in replay.requests] == ["3", None]


def test_blank_node_record_keyed_by_identifier_or_skipped(replay: ReplayServer, http: Http) -> None:
    body = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
[] a dcat:Dataset ; dct:title "With id" ; dct:identifier "abc-1" .
[] a dcat:Dataset ; dct:title "No id" .
"""
    replay.route("/feed.ttl", body=body, content_type="text/turtle")

    found = {
        (r.record.text() if r.record else None): r for r in collect(harvester(replay.url("/feed.ttl"), http))
    }

    assert found["With id"].remote_id == "abc-1"
    [skipped] = [r for r in found.values() if r.skipped]
    assert skipped.record is None and "no IRI" in skipped.skipped


def test_http_error_is_a_feed_error(replay: ReplayServer, http: Http) -> None:
    replay.route("/feed", status=500, body=b"boom")
    with pytest.raises(FeedError):
        collect(harvester(replay.url("/feed"), http))


def test_options_are_checked() -> None:
    with pytest.raises(ValidationError):
        DcatOptions.model_validate({"format": "csv"})
    with pytest.raises(ValidationError):
        DcatOptions.model_validate({"pages": 3})


def test_a_record_listed_on_two_pages_is_read_once(replay: ReplayServer, http: Http) -> None:
    page_2 = replay.url("/catalog.jsonld") + "?page=2"
    replay.sample("/catalog.jsonld", "udata-paged-collection-1.jsonld", rewrite={OLD_NEXT: page_2})
    replay.sample(
        "/catalog.jsonld",
        "udata-paged-collection-2.jsonld",
        query={"page": "2"},
        rewrite={"http://data.test.org/datasets/4": "http://data.test.org/datasets/1"},
    )
    found = collect(harvester(replay.url("/catalog.jsonld"), http))
    again = [r for r in found if r.remote_id == "http://data.test.org/datasets/1"]
    assert [r.record is not None for r in again] == [True, False]
    assert again[1].skipped is not None and "listed again" in again[1].skipped


def test_a_record_that_cannot_be_built_fails_alone(
    replay: ReplayServer, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    import catalog.rdf.parse as parse_module

    real = parse_module._read_one

    def flaky(describe: object, subject: object, kind: str) -> object:
        if "datasets/2" in str(subject):
            return "record nests too deeply"
        return real(describe, subject, kind)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_module, "_read_one", flaky)
    url = serve_two_pages(replay, "paged")

    found = {r.remote_id: r for r in collect(harvester(url, http))}

    failed = found["http://data.test.org/datasets/2"]
    assert (failed.record, failed.error, failed.url) == (None, "record nests too deeply", url)
    assert sum(1 for r in found.values() if r.record is not None) == 3


def test_relative_next_link_in_turtle_then_an_n_triples_page(replay: ReplayServer, http: Http) -> None:
    page_1 = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://example.org/d/1> a dcat:Dataset ; dct:title "Een"@nl .
<https://example.org/catalog> a hydra:Collection ; hydra:view <?page=1> .
<?page=1> a hydra:PartialCollectionView ; hydra:next <feed.nt?page=2> .
"""
    page_2 = (
        b"<https://example.org/d/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<http://www.w3.org/ns/dcat#Dataset> .\n"
        b'<https://example.org/d/2> <http://purl.org/dc/terms/title> "Twee"@nl .\n'
    )
    replay.route("/feeds/catalog", body=page_1, content_type="text/turtle")
    replay.route("/feeds/feed.nt", query={"page": "2"}, body=page_2, content_type="application/n-triples")

    found = collect(harvester(replay.url("/feeds/catalog"), http))

    assert {r.remote_id: r.record.text() for r in found if r.record} == {
        "https://example.org/d/1": "Een",
        "https://example.org/d/2": "Twee",
    }
    assert found[1].url == replay.url("/feeds/feed.nt") + "?page=2"


def test_file_url_only_when_the_setting_allows(samples: Path) -> None:
    url = (samples / "ods-capatlantique-catalog-exports-dcat.rdf").as_uri()
    with real_fetcher(allow_file_urls=True) as http:
        assert len(collect(harvester(url, http))) == 2
    with real_fetcher() as http, pytest.raises(UnsafeURL, match="file URLs are off"):
        collect(harvester(url, http))
