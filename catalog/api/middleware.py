"""ASGI middleware of the web service: request ids and access logs, HEAD as GET without a body.

Both are plain ASGI (not ``BaseHTTPMiddleware``), so streamed responses pass through chunk by chunk.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.api.metrics import route_label
from catalog.logging import ACCESS_LOGGER, ensure_logging, request_id

__all__ = ["REQUEST_ID_HEADER", "HeadAsGetMiddleware", "RequestContextMiddleware", "install_middleware"]

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_access = logging.getLogger(ACCESS_LOGGER)


class RequestContextMiddleware:
    """Gives each request an id and writes one access-log line when its response is done.

    The id is the client's ``X-Request-ID`` when it is sane (1-128 of ``A-Za-z0-9._:-``), else a new
    one; it is echoed in the response and set in ``catalog.logging.request_id`` for every log line
    written while the request is handled. The access line (logger ``catalog.access``) has method,
    path, status, duration in ms, bytes of body sent and the request id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid  # for handlers that run outside (500s)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": None, "bytes": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            elif message["type"] == "http.response.body":
                state["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            state["status"] = state["status"] or 500
            raise
        finally:
            latency = getattr(getattr(scope.get("app"), "state", None), "http_latency", None)
            if latency is not None:
                latency.observe(
                    scope["method"], route_label(scope), state["status"], time.perf_counter() - started
                )
            _access.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                state["status"],
                extra={
                    "request_id": rid,
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": state["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "bytes": state["bytes"],
                    },
                },
            )
            request_id.reset(token)


class _HeadDone(Exception):
    """Raised into the app once the headers of a HEAD response are out: its body is not needed."""


class HeadAsGetMiddleware:
    """Answers HEAD as GET would, without the body (and without computing a streamed body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_headers_only(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                await send(message)
            elif message["type"] == "http.response.body":
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                raise _HeadDone

        try:
            await self.app({**scope, "method": "GET"}, receive, send_headers_only)
        except _HeadDone:
            pass
        except Exception:
            if not started:
                raise


EXPOSED_HEADERS = ["ETag", "Last-Modified", "Link", "Content-Location", REQUEST_ID_HEADER]


def install_middleware(app: FastAPI) -> None:
    """The conventions of every response, outermost first: request id and access log, HEAD, CORS
    (any origin may GET), gzip for compressible bodies (not for the ``.gz`` dumps, and flushed chunk
    by chunk so streams stay streams), the request body size cap (``catalog.api.limits``). JSON logs go
    to standard error unless logging is configured."""
    from catalog.api.limits import BodySizeLimitMiddleware

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=app.state.settings.server.max_body_bytes)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1000,
        compresslevel=6,
        exclude_content_types=("text/event-stream", "application/gzip"),
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(RequestContextMiddleware)
    ensure_logging()
