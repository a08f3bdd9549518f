"""The DCAT catalogue at /catalog: Hydra paging walked by an independent client, filters, SHACL, dumps."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import DCAT, RDF, RDFS, XSD

from catalog.api.app import create_app
from catalog.api.dumps import refresh_dump_cache
from catalog.db.withdraw import withdraw_dataset
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings

BASE = "https://catalog.example/"
CATALOG = rdflib.URIRef(BASE + "catalog")
HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
RDFLIB = {
    "application/ld+json": "json-ld",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
DEMO_TOTAL = 46


@pytest.fixture
def demo(store: Any, tmp_path: Path) -> tuple[TestClient, Any]:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": BASE})
    upgrade_database(settings=settings)
    import_demo(settings)
    app = create_app(settings)
    app.state.dump_cache_dir = tmp_path / "dump-cache"
    return TestClient(app), store


@pytest.fixture
def client(demo: tuple[TestClient, Any]) -> TestClient:
    return demo[0]


def _members(graph: rdflib.Graph) -> list[rdflib.term.Node]:
    return [*graph.objects(CATALOG, DCAT.dataset), *graph.objects(CATALOG, DCAT.service)]


def harvest_like_ckanext_dcat(client: TestClient, url: str, accept: str) -> tuple[list[str], int | None, int]:
    """An rdflib-only harvester: read a page, take the catalogue's datasets, follow hydra:next
    (or hydra:nextPage) until there is none. Returns (dataset IRIs, totalItems, pages read)."""
    seen: list[str] = []
    total: int | None = None
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        graph = rdflib.Graph().parse(data=response.content, format=RDFLIB[accept])
        pages += 1
        assert pages <= 100, "paging does not end"
        seen += [str(node) for node in _members(graph)]
        next_url = None
        for view in graph.subjects(RDF.type, HYDRA.PartialCollectionView):
            found = graph.value(view, HYDRA.next) or graph.value(view, HYDRA.nextPage)
            assert found is None or isinstance(found, rdflib.URIRef), "hydra:next must be an IRI"
            next_url = str(found) if found is not None else None
            items = graph.value(view, HYDRA.totalItems)
            if items is not None:
                assert items.datatype in (XSD.integer, XSD.nonNegativeInteger)
                total = int(items)
    return seen, total, pages


@pytest.mark.parametrize("accept", sorted(RDFLIB))
def test_hydra_walk_gets_every_dataset_exactly_once(client: TestClient, accept: str) -> None:
    seen, total, pages = harvest_like_ckanext_dcat(client, "/catalog?per_page=7", accept)
    assert total == DEMO_TOTAL
    assert len(seen) == len(set(seen)) == DEMO_TOTAL
    assert pages == -(-DEMO_TOTAL // 7)


def test_view_links_are_iris_first_previous_next_last(client: TestClient) -> None:
    response = client.get("/catalog", params={"page": 3, "per_page": 10}, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    view = graph.value(CATALOG, HYDRA.view)
    assert isinstance(view, rdflib.URIRef) and (view, RDF.type, HYDRA.PartialCollectionView) in graph
    pages = {}
    for name in ("first", "previous", "next", "last"):
        target = graph.value(view, HYDRA[name])
        assert isinstance(target, rdflib.URIRef), name
        pages[name] = parse_qs(urlsplit(str(target)).query)["page"][0]
    assert pages == {"first": "1", "previous": "2", "next": "4", "last": "5"}
    assert int(graph.value(view, HYDRA.itemsPerPage)) == 10  # type: ignore[arg-type]
    assert len(_members(graph)) == 10
    first = client.get("/catalog", params={"per_page": 10}, headers={"Accept": "text/turtle"})
    first_graph = rdflib.Graph().parse(data=first.content, format="turtle")
    first_view = first_graph.value(CATALOG, HYDRA.view)
    assert first_graph.value(first_view, HYDRA.previous) is None


def test_catalogue_describes_itself(client: TestClient) -> None:
    response = client.get("/catalog.ttl", params={"per_page": 1})
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert (CATALOG, RDF.type, DCAT.Catalog) in graph
    for predicate in (
        dct.title,
        dct.description,
        dct.publisher,
        dct.license,
        dct.language,
        DCAT.themeTaxonomy,
    ):
        assert graph.value(CATALOG, predicate) is not None, predicate
    assert graph.value(CATALOG, DCAT.contactPoint) is not None
    assert graph.value(CATALOG, rdflib.URIRef("http://xmlns.com/foaf/0.1/homepage")) is not None


def test_json_listing_pages_through_everything(client: TestClient) -> None:
    ids: list[str] = []
    url: str | None = "/catalog.json?per_page=20"
    while url:
        body = client.get(url).json()
        assert body["total"] == DEMO_TOTAL and body["per_page"] == 20
        ids += [d["id"] for d in body["datasets"]]
        url = body["next"]
    assert len(ids) == len(set(ids)) == DEMO_TOTAL


def test_filters_narrow_the_feed(client: TestClient) -> None:
    everything = client.get("/catalog.json", params={"per_page": 1000}).json()["datasets"]
    gent = client.get("/catalog.json", params={"municipality": "44021", "per_page": 1000}).json()
    assert 0 < gent["total"] < DEMO_TOTAL
    assert gent["total"] == sum(1 for d in everything if d["municipality"] == "44021")
    assert {d["municipality"] for d in gent["datasets"]} == {"44021"}
    # the Hydra view keeps the filter in its links
    turtle = client.get(
        "/catalog", params={"municipality": "44021", "per_page": 2}, headers={"Accept": "text/turtle"}
    )
    graph = rdflib.Graph().parse(data=turtle.content, format="turtle")
    next_page = graph.value(graph.value(CATALOG, HYDRA.view), HYDRA.next)
    assert parse_qs(urlsplit(str(next_page)).query)["municipality"] == ["44021"]

    since = "2024-06-01T00:00:00"
    recent = client.get("/catalog.json", params={"modified_since": since, "per_page": 1000}).json()
    assert 0 < recent["total"] < DEMO_TOTAL
    assert all(d["modified"] >= since for d in recent["datasets"])

    title = everything[0]["title"]
    found = client.get("/catalog.json", params={"q": title.upper(), "per_page": 1000}).json()
    assert everything[0]["id"] in {d["id"] for d in found["datasets"]}
    assert 0 < found["total"] < DEMO_TOTAL
    assert client.get("/catalog.json", params={"q": "zzzgeenwoord"}).json()["total"] == 0


def test_publisher_filter(client: TestClient) -> None:
    item = client.get("/catalog.json", params={"per_page": 1}).json()["datasets"][0]
    publisher = client.get(f"/datasets/{item['id']}.json").json()["record"]["publisher"]["uri"]
    body = client.get("/catalog.json", params={"publisher": publisher, "per_page": 1000}).json()
    assert body["total"] >= 1 and item["id"] in {d["id"] for d in body["datasets"]}
    for d in body["datasets"]:
        assert client.get(f"/datasets/{d['id']}.json").json()["record"]["publisher"]["uri"] == publisher
    assert client.get("/catalog.json", params={"publisher": "https://nobody.example/x"}).json()["total"] == 0


def test_paging_limits(client: TestClient) -> None:
    too_big = client.get("/catalog", params={"per_page": 1001})
    assert too_big.status_code == 422
    assert too_big.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in too_big.json()["errors"]] == ["query.per_page"]
    assert client.get("/catalog", params={"per_page": 1000}).status_code == 200
    past = client.get("/catalog", params={"page": 99})
    assert past.status_code == 404 and past.headers["content-type"] == "application/problem+json"
    assert client.get("/catalog.xyz").status_code == 404
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_default_page_size_is_100(client: TestClient) -> None:
    body = client.get("/catalog.json").json()
    assert body["per_page"] == 100 and len(body["datasets"]) == DEMO_TOTAL and body["next"] is None


def test_catalogue_page_headers(client: TestClient) -> None:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "Accept" in response.headers["vary"]
    assert '/catalog.nt>; rel="alternate"; type="application/n-triples"' in response.headers["link"]
    browser = client.get("/catalog", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and "/catalog.ttl" in browser.text


def test_withdrawn_datasets_leave_the_feed(demo: tuple[TestClient, Any]) -> None:
    client, store = demo
    item = client.get("/catalog.json", params={"per_page": 1}).json()["datasets"][0]
    with store.sessions() as session:
        withdraw_dataset(session, id=item["id"], reason="gone")
        session.commit()
    seen, total, _ = harvest_like_ckanext_dcat(client, "/catalog?per_page=20", "text/turtle")
    assert total == DEMO_TOTAL - 1 and item["uri"] not in seen


def test_catalogue_page_conforms_to_dcat_ap_3(demo: tuple[TestClient, Any]) -> None:
    client, store = demo
    if store.dialect != "sqlite":
        pytest.skip("the output does not depend on the database; validated once, on SQLite")
    shapes_dir = REFERENCE / "shapes"
    if not shapes_dir.is_dir():
        pytest.skip(f"reference shapes not found at {shapes_dir} (only in the project's shared checkout)")
    pyshacl = pytest.importorskip("pyshacl")
    shapes = rdflib.Graph()
    for name in ("dcat-ap-3.0.1-shapes.ttl", "dcat-ap-3.0.1-range.ttl"):
        shapes.parse(shapes_dir / name, format="turtle")
    response = client.get("/catalog", params={"per_page": 100}, headers={"Accept": "text/turtle"})
    data = rdflib.Graph().parse(data=response.content, format="turtle")
    assert len(_members(data)) == DEMO_TOTAL
    # DCAT 3 itself says a series is a dataset (so a catalogue lists it with dcat:dataset); SHACL's
    # sh:class follows rdfs:subClassOf in the data, so the vocabulary's statement is mixed in.
    dcat_vocabulary = rdflib.Graph()
    dcat_vocabulary.add((rdflib.URIRef(str(DCAT) + "DatasetSeries"), RDFS.subClassOf, DCAT.Dataset))
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=dcat_vocabulary, inference="none", allow_warnings=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = Counter(
        str(report.value(r, sh.resultMessage))[:120]
        for r in report.subjects(RDF.type, sh.ValidationResult)
        if report.value(r, sh.resultSeverity) == sh.Violation
    )
    assert not violations, violations


@pytest.mark.parametrize(
    ("path", "rdf_format"), [("/catalog/dump.nt.gz", "nt"), ("/catalog/dump.ttl.gz", "turtle")]
)
def test_dumps_decompress_and_parse(client: TestClient, path: str, rdf_format: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in response.headers  # the file is gzip, not the transfer
    graph = rdflib.Graph().parse(data=gzip.decompress(response.content), format=rdf_format)
    assert (CATALOG, RDF.type, DCAT.Catalog) in graph
    members = _members(graph)
    assert len(members) == len(set(members)) == DEMO_TOTAL
    # the same statements as the catalogue's pages (blank nodes aside: each page is its own document)
    paged = rdflib.Graph()
    for page in (1, 2, 3):
        body = client.get("/catalog.nt", params={"per_page": 20, "page": page}).content
        paged.parse(data=body, format="nt")
    hydra = {s for s in paged.subjects(RDF.type, HYDRA.PartialCollectionView)}
    for view in hydra:
        paged.remove((view, None, None))
        paged.remove((None, HYDRA.view, view))
    assert _ground(graph) == _ground(paged)


def _ground(graph: rdflib.Graph) -> set[tuple[Any, Any, Any]]:
    return {t for t in graph if not any(isinstance(term, rdflib.BNode) for term in t)}


def test_dump_is_revalidated_and_rebuilt_on_change(demo: tuple[TestClient, Any], tmp_path: Path) -> None:
    client, store = demo
    first = client.get("/catalog/dump.nt.gz")
    etag = first.headers["etag"]
    assert client.get("/catalog/dump.nt.gz", headers={"If-None-Match": etag}).status_code == 304
    cached = sorted((tmp_path / "dump-cache" / "ntriples").glob("*.gz"))
    assert cached, "blocks are cached"
    again = client.get("/catalog/dump.nt.gz")
    assert again.content == first.content  # served from the cache, byte for byte
    item = client.get("/catalog.json", params={"per_page": 1}).json()["datasets"][0]
    with store.sessions() as session:
        withdraw_dataset(session, id=item["id"], reason="gone")
        session.commit()
    changed = client.get("/catalog/dump.nt.gz")
    assert changed.headers["etag"] != etag
    graph = rdflib.Graph().parse(data=gzip.decompress(changed.content), format="nt")
    assert rdflib.URIRef(item["uri"]) not in set(_members(graph))
    assert len(_members(graph)) == DEMO_TOTAL - 1


def test_refresh_builds_only_what_changed(demo: tuple[TestClient, Any], tmp_path: Path) -> None:
    client, store = demo
    settings = client.app.state.settings  # type: ignore[attr-defined]
    cache = tmp_path / "dump-cache"
    assert refresh_dump_cache(settings, cache_dir=cache) == {"ntriples": 1, "turtle": 1}
    assert refresh_dump_cache(settings, cache_dir=cache) == {"ntriples": 0, "turtle": 0}
    (cache / "ntriples" / "9999999-stale.gz").write_bytes(b"old")
    refresh_dump_cache(settings, cache_dir=cache)
    assert not (cache / "ntriples" / "9999999-stale.gz").exists()
    with store.sessions() as session:
        withdraw_dataset(session, id=client.get("/catalog.json").json()["datasets"][0]["id"], reason="gone")
        session.commit()
    assert refresh_dump_cache(settings, cache_dir=cache, formats=("ntriples",)) == {"ntriples": 1}
    assert len(list((cache / "ntriples").glob("*.gz"))) == 1


def test_walk_misses_nothing_while_datasets_are_withdrawn(demo: tuple[TestClient, Any]) -> None:
    """Next links continue by key: withdrawing a dataset already read does not shift the later pages
    (with offsets, the first dataset of the next page would be skipped)."""
    client, store = demo
    first = client.get("/catalog", params={"per_page": 10}, headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=first.content, format="turtle")
    seen = [str(node) for node in _members(graph)]
    next_url = str(graph.value(graph.value(CATALOG, HYDRA.view), HYDRA.next))
    assert "after=" in next_url
    gone = client.get("/catalog.json", params={"per_page": 1}).json()["datasets"][0]
    assert gone["uri"] in seen
    with store.sessions() as session:
        withdraw_dataset(session, id=gone["id"], reason="gone")
        session.commit()
    rest, total, _ = harvest_like_ckanext_dcat(client, next_url, "text/turtle")
    assert total == DEMO_TOTAL - 1
    assert len(seen) + len(rest) == len(set(seen + rest)) == DEMO_TOTAL


def test_pages_are_revalidated_until_the_store_changes(demo: tuple[TestClient, Any]) -> None:
    client, store = demo
    url = "/catalog.ttl?per_page=10"
    response = client.get(url)
    etag, last_modified = response.headers["etag"], response.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get("/catalog.nt?per_page=10").headers["etag"] != etag  # per format
    assert client.get("/catalog.ttl?per_page=10&page=2").headers["etag"] != etag  # per page
    item = client.get("/catalog.json", params={"per_page": 1}).json()["datasets"][0]
    with store.sessions() as session:
        withdraw_dataset(session, id=item["id"], reason="gone")
        session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
