"""``POST /api/validate``: a document uploaded or fetched by URL, validated without being stored."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import SH

from catalog.api.app import create_app
from catalog.api.routes.validate import MAX_BODY_BYTES
from catalog.rdf.serialize import serialize_record
from catalog.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "rdf"))
from test_serialize_samples import BASE, dataset

GENT = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "samples"
    / "fietstelpaal-visserij-gent.dcat-ap3.xml"
)


def _client(tmp_path: Path, *, allow_private: bool = False) -> TestClient:
    settings = Settings(
        database={"url": f"sqlite:///{tmp_path / 'catalog.db'}"},
        catalog={"base_uri": "https://catalog.example/"},
        harvest={"allow_private_networks": allow_private},
    )
    return TestClient(create_app(settings))


def _problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["status"] == status
    return body


def test_an_uploaded_turtle_document_is_reported_per_dataset(tmp_path: Path) -> None:
    good = dataset(1)
    bad = dataset(2).model_copy(update={"description": {}})
    body = serialize_record(good, format="ntriples", base_uri=BASE) + serialize_record(
        bad, format="ntriples", base_uri=BASE
    )
    response = _client(tmp_path).post(
        "/api/validate", content=body, headers={"Content-Type": "application/n-triples"}
    )
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False and report["shapes"] == "vl"
    records = {r["subject"]: r for r in report["records"]}
    assert records[good.uri]["conforms"] is True
    assert [f["path"] for f in records[bad.uri]["findings"]] == ["http://purl.org/dc/terms/description"]


def test_json_ld_upload_and_the_dcat_ap_shape_set(tmp_path: Path) -> None:
    body = serialize_record(dataset().model_copy(update={"identifier": []}), format="jsonld", base_uri=BASE)
    client = _client(tmp_path)
    vl = client.post("/api/validate", content=body, headers={"Content-Type": "application/ld+json"}).json()
    assert [f["path"] for r in vl["records"] for f in r["findings"] if f["severity"] == "violation"] == [
        "http://purl.org/dc/terms/identifier"
    ]
    plain = client.post(
        "/api/validate",
        params={"shapes": "dcat-ap"},
        content=body,
        headers={"Content-Type": "application/json"},  # JSON-LD sent as plain JSON is still a document
    ).json()
    assert plain["conforms"] is True
    _problem(client.post("/api/validate", params={"shapes": "nope"}, content=body), 422)


def test_turtle_is_answered_with_a_shacl_report(tmp_path: Path) -> None:
    if not GENT.is_file():
        pytest.skip("reference sample absent")
    response = _client(tmp_path).post(
        "/api/validate",
        content=GENT.read_bytes(),
        headers={"Content-Type": "application/rdf+xml", "Accept": "text/turtle"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    (report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False


def test_unreadable_and_oversized_bodies_are_problems(tmp_path: Path) -> None:
    client = _client(tmp_path)
    broken = _problem(
        client.post("/api/validate", content=b"<a> <b> ", headers={"Content-Type": "text/turtle"}), 422
    )
    assert broken["type"].endswith("/unreadable-document") and "turtle" in str(broken["detail"])
    empty = _problem(client.post("/api/validate", content=b"", headers={"Content-Type": "text/turtle"}), 422)
    assert "empty" in str(empty["detail"])
    unknown = _problem(
        client.post("/api/validate", content=b"hello", headers={"Content-Type": "text/plain"}), 422
    )
    assert "cannot tell the RDF format" in str(unknown["detail"])
    huge = b" " * (MAX_BODY_BYTES + 1)
    _problem(client.post("/api/validate", content=huge, headers={"Content-Type": "text/turtle"}), 413)


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = GENT.read_bytes()  # read at serve time, never copied into the repository
        self.send_response(200)
        self.send_header("Content-Type", "application/rdf+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    if not GENT.is_file():
        pytest.skip("reference sample absent")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/gent.rdf"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_is_fetched_through_the_safe_fetcher(server: str, tmp_path: Path) -> None:
    request = json.dumps({"url": server})
    headers = {"Content-Type": "application/json"}
    refused = _problem(_client(tmp_path).post("/api/validate", content=request, headers=headers), 422)
    assert "refusing to fetch" in str(refused["detail"])
    allowed = _client(tmp_path, allow_private=True).post("/api/validate", content=request, headers=headers)
    assert allowed.status_code == 200
    report = allowed.json()
    licence = [
        f
        for r in report["records"]
        for f in r["findings"]
        if f["path"] == "http://purl.org/dc/terms/license" and f["severity"] == "violation"
    ]
    assert len(licence) == 2 and "Modellicentie Gratis Hergebruik" in licence[0]["message_nl"]
