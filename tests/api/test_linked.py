"""Datasets as linked data at /datasets/{id}, on SQLite and PostgreSQL with the demo catalogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from catalog.api.app import create_app
from catalog.db.sources import create_source
from catalog.db.upsert import upsert_record
from catalog.db.withdraw import withdraw_dataset
from catalog.model import Dataset
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings

BASE = "https://catalog.example/"
RDFLIB = {
    "application/ld+json": "json-ld",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
SUFFIX_TYPES = {
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
    ".rdf": "application/rdf+xml",
    ".nt": "application/n-triples",
    ".json": "application/json",
}


@pytest.fixture
def demo(store: Any) -> tuple[TestClient, Any]:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": BASE})
    upgrade_database(settings=settings)
    import_demo(settings)
    return TestClient(create_app(settings)), store


@pytest.fixture
def client(demo: tuple[TestClient, Any]) -> TestClient:
    return demo[0]


def _listing(client: TestClient) -> list[dict[str, Any]]:
    datasets: list[dict[str, Any]] = client.get("/catalog.json", params={"per_page": 1000}).json()["datasets"]
    return datasets


def _some_dataset(client: TestClient, kind: str = "Dataset") -> dict[str, Any]:
    return next(r for r in _listing(client) if r["kind"] == kind)


def _graph(response: Any) -> rdflib.Graph:
    media = response.headers["content-type"].split(";")[0]
    return rdflib.Graph().parse(data=response.content, format=RDFLIB[media])


def test_every_rdf_format_parses_to_the_same_graph(client: TestClient) -> None:
    item = _some_dataset(client)
    graphs = []
    for media in RDFLIB:
        response = client.get(f"/datasets/{item['id']}", headers={"Accept": media})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media
        graph = _graph(response)
        subject = rdflib.URIRef(item["uri"])
        assert (subject, RDF.type, DCAT.Dataset) in graph
        titles = {str(t) for t in graph.objects(subject, DCTERMS.title)}
        assert item["title"] in titles
        assert len(graph) > 20
        graphs.append(graph)
    for other in graphs[1:]:
        assert isomorphic(graphs[0], other)


def test_services_and_series_are_served_with_their_class(client: TestClient) -> None:
    kinds = {r["kind"]: r for r in _listing(client)}
    assert set(kinds) == {"Dataset", "DataService", "DatasetSeries"}
    for kind in ("DataService", "DatasetSeries"):
        cls = rdflib.URIRef(str(DCAT) + kind)
        response = client.get(f"/datasets/{kinds[kind]['id']}.ttl")
        assert (rdflib.URIRef(kinds[kind]["uri"]), RDF.type, cls) in _graph(response)


@pytest.mark.parametrize("suffix", sorted(SUFFIX_TYPES))
def test_suffix_overrides_accept(client: TestClient, suffix: str) -> None:
    item = _some_dataset(client)
    response = client.get(f"/datasets/{item['id']}{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == SUFFIX_TYPES[suffix]
    if suffix == ".json":
        assert response.json()["uri"] == item["uri"]
        assert response.json()["record"]["title"]["nl"] == item["title"]
    else:
        assert (rdflib.URIRef(item["uri"]), RDF.type, DCAT.Dataset) in _graph(response)


def test_json_variant_is_the_api_record(client: TestClient) -> None:
    item = _some_dataset(client)
    linked = client.get(f"/datasets/{item['id']}", headers={"Accept": "application/json"}).json()
    assert linked == client.get(f"/api/datasets/{item['id']}").json()


def test_browser_gets_html_with_links_to_every_format(client: TestClient) -> None:
    item = _some_dataset(client)
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/datasets/{item['id']}", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/html")
    for suffix in SUFFIX_TYPES:
        assert f"/datasets/{item['id']}{suffix}" in response.text


def test_headers_alternates_vary_and_validators(client: TestClient) -> None:
    item = _some_dataset(client)
    response = client.get(f"/datasets/{item['id']}", headers={"Accept": "text/turtle"})
    assert "Accept" in response.headers["vary"]
    links = response.headers["link"]
    for suffix, media in SUFFIX_TYPES.items():
        assert f'/datasets/{item["id"]}{suffix}>; rel="alternate"; type="{media}"' in links
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["last-modified"].endswith(" GMT")
    assert "max-age" in response.headers["cache-control"]
    other = client.get(f"/datasets/{item['id']}", headers={"Accept": "application/n-triples"})
    assert other.headers["etag"] != response.headers["etag"]  # the format is part of the ETag


def test_etag_revalidation_gives_304(client: TestClient) -> None:
    item = _some_dataset(client)
    url = f"/datasets/{item['id']}.ttl"
    etag = client.get(url).headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": f'W/"other", {etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    # a different format's ETag does not validate this one
    nt_etag = client.get(f"/datasets/{item['id']}.nt").headers["etag"]
    assert client.get(url, headers={"If-None-Match": nt_etag}).status_code == 200


def test_last_modified_revalidation_gives_304(client: TestClient) -> None:
    item = _some_dataset(client)
    url = f"/datasets/{item['id']}.jsonld"
    last_modified = client.get(url).headers["last-modified"]
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    later = format_datetime(datetime.now(UTC) + timedelta(days=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 304
    earlier = format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"nope"', "If-Modified-Since": later}
    assert client.get(url, headers=both).status_code == 200


def test_unknown_id_is_404_problem(client: TestClient) -> None:
    for path in ("/datasets/doesnotexist", "/datasets/doesnotexist.ttl"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "doesnotexist" in response.json()["detail"]


def test_no_acceptable_type_is_406_listing_offers(client: TestClient) -> None:
    item = _some_dataset(client)
    response = client.get(f"/datasets/{item['id']}", headers={"Accept": "image/png, text/csv"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 406
    assert set(body["offered"]) >= set(RDFLIB) | {"application/json", "text/html"}


def test_withdrawn_dataset_is_410_with_when_and_why(demo: tuple[TestClient, Any]) -> None:
    client, store = demo
    item = _some_dataset(client)
    with store.sessions() as session:
        assert withdraw_dataset(session, id=item["id"], reason="removed by the steward")
        session.commit()
    for path in (f"/datasets/{item['id']}", f"/datasets/{item['id']}.ttl"):
        response = client.get(path)
        assert response.status_code == 410
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["withdrawn_reason"] == "removed by the steward"
        assert datetime.fromisoformat(body["withdrawn_at"]).year >= 2026
        assert "removed by the steward" in body["detail"]


def test_minted_uri_resolves_here(demo: tuple[TestClient, Any]) -> None:
    client, store = demo
    record = Dataset(
        identifier=["zonder-uri"],
        title={"nl": "Dataset zonder eigen URI"},
        description={"nl": "Een record dat de catalogus een URI geeft."},
    )
    with store.sessions() as session:
        source = create_source(session, name="test", kind="dcat", url="https://portal.example/feed")
        session.flush()
        result = upsert_record(
            session,
            source_id=source.id,
            remote_id="r1",
            record=record,
            raw=None,
            raw_format=None,
            base_uri=BASE,
        )
        session.commit()
    uri = result.uri
    assert uri == f"{BASE}datasets/{result.dataset_id}"
    response = client.get(uri, headers={"Accept": "text/turtle"})  # the URI itself, as a client follows it
    assert urlsplit(uri).path.startswith("/datasets/")
    assert response.status_code == 200
    graph = _graph(response)
    assert (rdflib.URIRef(uri), RDF.type, DCAT.Dataset) in graph
    assert str(graph.value(rdflib.URIRef(uri), DCTERMS.title)) == "Dataset zonder eigen URI"


def test_head_gives_headers_without_body(client: TestClient) -> None:
    item = _some_dataset(client)
    response = client.head(f"/datasets/{item['id']}.ttl")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["etag"] == client.get(f"/datasets/{item['id']}.ttl").headers["etag"]
