"""Conventions of every response: problem+json errors, CORS, gzip, request ids, access logs, OpenAPI."""

from __future__ import annotations

import gzip
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from catalog.api.app import create_app
from catalog.logging import (
    ACCESS_LOGGER,
    JsonFormatter,
    RequestIdFilter,
    configure_logging,
    ensure_logging,
    request_id,
)
from catalog.services import import_demo, upgrade_database
from catalog.settings import Settings

BASE = "https://catalog.example/"


@pytest.fixture
def client(store: Any, tmp_path: Any) -> TestClient:
    settings = Settings(database={"url": store.url}, catalog={"base_uri": BASE})
    upgrade_database(settings=settings)
    import_demo(settings)
    app = create_app(settings)
    app.state.dump_cache_dir = tmp_path / "dump-cache"

    @app.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("unexpected")

    return TestClient(app, raise_server_exceptions=False)


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_errors_are_problem_json(client: TestClient) -> None:
    _problem(client.get("/no/such/path"), 404)
    not_allowed = client.post("/catalog")
    _problem(not_allowed, 405)
    assert "GET" in not_allowed.headers["allow"]
    _problem(client.delete("/datasets/abc"), 405)
    _problem(client.get("/catalog", headers={"Accept": "image/png"}), 406)
    invalid = _problem(client.get("/catalog", params={"municipality": "Gent"}), 422)
    assert invalid["errors"][0]["location"] == "query.municipality"
    crash = _problem(client.get("/boom", headers={"X-Request-ID": "trace-500"}), 500)
    assert "RuntimeError" not in crash["detail"]  # no internals leak
    assert "trace-500" in crash["detail"]


def test_cors_is_open_for_reading(client: TestClient) -> None:
    response = client.get("/catalog.json", headers={"Origin": "https://app.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    for header in ("etag", "link", "x-request-id", "last-modified"):
        assert header in exposed
    preflight = client.options(
        "/datasets/abc",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]
    refused = client.options(
        "/catalog", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"}
    )
    assert refused.status_code == 400


def test_gzip_for_compressible_bodies_but_not_for_gzip_files(client: TestClient) -> None:
    page = client.get("/catalog.ttl", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["vary"]
    assert page.text.startswith("@prefix")  # decoded transparently by the client
    plain = client.get("/catalog.ttl", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == page.text
    dump = client.get("/catalog/dump.nt.gz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in dump.headers
    assert dump.content[:2] == b"\x1f\x8b"
    assert b"http://www.w3.org/ns/dcat#Catalog" in gzip.decompress(dump.content)


def test_cache_control(client: TestClient) -> None:
    assert client.get("/catalog").headers["cache-control"] == "public, max-age=300"
    assert "max-age" in client.get("/catalog/dump.ttl.gz").headers["cache-control"]


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-123.x:y"}).headers["x-request-id"]
        == "abc-123.x:y"
    )
    for insane in ("has spaces", "x" * 200, 'quote"d', ""):
        generated = client.get("/health", headers={"X-Request-ID": insane}).headers["x-request-id"]
        assert generated != insane and len(generated) == 32 and int(generated, 16) >= 0
    first = client.get("/health").headers["x-request-id"]
    assert first != client.get("/health").headers["x-request-id"]


def test_access_log_is_one_json_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        response = client.get(
            "/catalog.json", headers={"X-Request-ID": "req-42", "Accept-Encoding": "identity"}
        )
        client.get("/no/such/path")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 2
    entry = lines[0]
    assert entry["request_id"] == "req-42"
    assert entry["method"] == "GET" and entry["path"] == "/catalog.json" and entry["status"] == 200
    assert entry["bytes"] == len(response.content)
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert lines[1]["status"] == 404


def test_log_lines_carry_the_request_id() -> None:
    import io

    stream = io.StringIO()
    handler = configure_logging("INFO", stream)
    try:
        token = request_id.set("rid-7")
        logging.getLogger("catalog.test").info("hello %s", "world", extra={"fields": {"n": 3}})
        request_id.reset(token)
        logging.getLogger("catalog.test").info("outside")
    finally:
        logging.getLogger().removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello world" and first["request_id"] == "rid-7" and first["n"] == 3
    assert first["level"] == "INFO" and first["logger"] == "catalog.test"
    assert second["request_id"] is None
    assert RequestIdFilter().filter(logging.makeLogRecord({}))


def test_head_is_get_without_body(client: TestClient) -> None:
    dump = client.head("/catalog/dump.nt.gz")
    assert dump.status_code == 200 and dump.content == b""
    assert dump.headers["content-type"] == "application/gzip"
    page = client.head("/catalog")
    assert page.status_code == 200 and page.content == b""


LINKED_ROUTES = [
    ("/health", "get"),
    ("/datasets/{id}", "get"),
    ("/catalog", "get"),
    ("/catalog.{ext}", "get"),
    ("/catalog/dump.nt.gz", "get"),
    ("/catalog/dump.ttl.gz", "get"),
]


@pytest.mark.parametrize(("path", "method"), LINKED_ROUTES)
def test_openapi_documents_every_route_with_examples(client: TestClient, path: str, method: str) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"][path][method]
    assert operation.get("description") or operation.get("summary")
    content = operation["responses"]["200"]["content"]
    assert content and all("example" in media or "examples" in media for media in content.values())
    for status, response in operation["responses"].items():
        if status.startswith(("4", "5")) and status != "422":
            examples = [m.get("example") for m in response.get("content", {}).values()]
            assert all(e and e["status"] == int(status) for e in examples), status
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), parameter["name"]


def test_logging_is_set_up_once_and_only_when_nobody_did(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    handler = ensure_logging()
    assert handler is not None and root.handlers == [handler]
    assert isinstance(handler.formatter, JsonFormatter)
    assert ensure_logging() is None and root.handlers == [handler]
