"""The request body size cap: 413 problem+json for a declared or a streamed body over
``server.max_body_bytes``, counted while the body streams in (never read whole)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Body, Request
from fastapi.testclient import TestClient
from starlette.types import Message

from catalog.api.app import create_app
from catalog.api.limits import BODY_LIMIT_KEY, BodySizeLimitMiddleware
from catalog.api.problems import problem
from catalog.settings import Settings

LIMIT = 1000
probes = APIRouter(prefix="/probe")


@probes.post("/json")
def take_json(payload: dict[str, Any] = Body(...)) -> dict[str, int]:
    return {"keys": len(payload)}


@probes.post("/stream")
async def take_stream(request: Request) -> dict[str, int]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return {"bytes": size}


@probes.post("/large", openapi_extra={BODY_LIMIT_KEY: LIMIT * 4})
async def take_large(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    # the cap does not depend on the store: the probes never touch it
    app = create_app(
        Settings(database={"url": f"sqlite:///{tmp_path / 'c.db'}"}, server={"max_body_bytes": LIMIT})
    )
    app.include_router(probes)
    with TestClient(app) as client:
        yield client


def _is_413(response: Any) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 413 and f"larger than {LIMIT} bytes" in body["detail"]
    assert response.headers["x-request-id"]  # inside the request context: logged and traceable


def test_bodies_up_to_the_limit_pass(client: TestClient) -> None:
    payload = '{"a": "' + "x" * (LIMIT - 10) + '"}'
    assert len(payload) <= LIMIT
    assert client.post(
        "/probe/json", content=payload, headers={"content-type": "application/json"}
    ).json() == {"keys": 1}
    assert client.post("/probe/stream", content=b"x" * LIMIT).json() == {"bytes": LIMIT}


def test_a_declared_length_over_the_limit_is_413(client: TestClient) -> None:
    _is_413(client.post("/probe/json", json={"a": "x" * LIMIT}))
    _is_413(client.post("/probe/stream", content=b"x" * (LIMIT + 1)))


def test_a_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(5):
            yield b"x" * 300

    _is_413(client.post("/probe/stream", content=chunks()))
    _is_413(client.post("/probe/json", content=chunks(), headers={"content-type": "application/json"}))


def test_the_body_is_counted_as_it_streams_and_reading_stops_at_the_cap() -> None:
    """A client that declares nothing (or lies) is cut off at the first chunk over the cap."""
    reads = 0

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 400, "more_body": reads < 100}

    async def app(scope: Any, receive_: Any, send: Any) -> None:
        while (await receive_()).get("more_body"):
            pass
        await problem(200, "read it all")(scope, receive_, send)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"content-length", b"10")]}
    asyncio.run(BodySizeLimitMiddleware(app, max_bytes=LIMIT)(scope, receive, send))
    assert reads == 3  # 400 + 400 + 400 > 1000: refused at the third chunk of 100
    assert sent[0]["status"] == 413


def test_a_malformed_content_length_is_400() -> None:
    sent: list[Message] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not reached")

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"content-length", b"-5")]}
    asyncio.run(BodySizeLimitMiddleware(app, max_bytes=LIMIT)(scope, receive, send))
    assert sent[0]["status"] == 400


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread."""
    app = create_app(
        Settings(database={"url": f"sqlite:///{tmp_path / 'c.db'}"}, server={"max_body_bytes": LIMIT})
    )
    app.include_router(probes)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off"
    )
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not served.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = served.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        served.should_exit = True
        thread.join(10)


def test_over_real_http_a_large_chunked_upload_is_refused(server: str) -> None:
    """uvicorn on loopback, a chunked upload of 8 MB (no Content-Length) against a cap of 1,000 bytes."""

    def chunks() -> Iterator[bytes]:
        for _ in range(2000):
            yield b"x" * 4096

    with httpx.Client(timeout=10) as client:
        _is_413(client.post(server + "/probe/stream", content=chunks()))
        _is_413(
            client.post(
                server + "/probe/json", content=chunks(), headers={"content-type": "application/json"}
            )
        )
        small = client.post(server + "/probe/stream", content=b"x" * 10)  # the server goes on serving
    assert small.status_code == 200 and small.json() == {"bytes": 10}


def test_a_route_may_take_larger_bodies_that_it_caps_itself(client: TestClient) -> None:
    big = b"x" * (LIMIT * 3)
    assert client.post("/probe/large", content=big).json() == {"bytes": len(big)}
    assert client.post("/probe/large", content=iter([big[:LIMIT], big[LIMIT:]])).json() == {"bytes": len(big)}
    _is_413(client.post("/probe/stream", content=big))  # the others keep the server's cap
    too_big = client.post("/probe/large", content=b"x" * (LIMIT * 5))
    assert too_big.status_code == 413 and f"larger than {LIMIT * 4} bytes" in too_big.json()["detail"]
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/probe/large"]["post"][BODY_LIMIT_KEY] == LIMIT * 4


def test_validate_takes_documents_beyond_the_server_cap_up_to_its_own(client: TestClient) -> None:
    from catalog.api.routes.validate import MAX_BODY_BYTES

    blank = client.post("/api/validate", content=b" " * (LIMIT * 50), headers={"Content-Type": "text/turtle"})
    assert blank.status_code == 422  # read and judged (an empty document), not refused for its size
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/api/validate"]["post"][BODY_LIMIT_KEY] == MAX_BODY_BYTES
