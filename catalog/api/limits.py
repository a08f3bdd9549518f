"""Request limits of the web service: the body size cap (middleware) and the options JSON check.

``BodySizeLimitMiddleware`` refuses a request whose body is larger than ``server.max_body_bytes`` with
413 problem+json. A declared ``Content-Length`` over the cap is refused before anything is read; a body
without one (chunked) or with a false one is counted while it streams in and refused at the first byte
over the cap, so a large body is never held in memory.

A route that takes larger bodies and caps them itself (``POST /api/validate``: whole DCAT documents) says
so with ``openapi_extra={BODY_LIMIT_KEY: n}``; the cap for its requests is then ``n`` (shown in the
OpenAPI document too).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.api.problems import problem
from catalog.auth.limits import MAX_OPTIONS_BYTES, MAX_OPTIONS_DEPTH, check_options_json

__all__ = [
    "BODY_LIMIT_KEY",
    "MAX_OPTIONS_BYTES",
    "MAX_OPTIONS_DEPTH",
    "BodySizeLimitMiddleware",
    "BodyTooLarge",
    "check_options_json",
]


_log = logging.getLogger(__name__)

BODY_LIMIT_KEY = "x-max-body-bytes"
"""The ``openapi_extra`` key by which a route sets its own body cap."""


class BodyTooLarge(HTTPException):
    """Raised while the body streams in, at the first byte over the cap (rendered as 413 problem+json)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _declared_limits(app: Any) -> list[tuple[str, re.Pattern[str], int]]:
    """(method, path pattern, cap) of the operations that declare ``BODY_LIMIT_KEY``, read from the
    app's OpenAPI document (the one public list of every route, however routers are nested)."""
    if not callable(getattr(app, "openapi", None)):
        return []
    try:
        paths: dict[str, Any] = app.openapi().get("paths", {})
    except Exception:  # no schema, no overrides: every route keeps the server's cap
        _log.warning(
            "body size cap: cannot read the OpenAPI document; no route has its own cap", exc_info=True
        )
        return []
    found: list[tuple[str, re.Pattern[str], int]] = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and BODY_LIMIT_KEY in operation:
                found.append((method.lower(), compile_path(path)[0], int(operation[BODY_LIMIT_KEY])))
    return found


class BodySizeLimitMiddleware:
    """413 for request bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._own_limits: list[tuple[str, re.Pattern[str], int]] | None = None

    def _limit(self, scope: Scope) -> int:
        """The cap for this request: its route's own (``BODY_LIMIT_KEY``), else ``max_bytes``."""
        if self._own_limits is None:  # the routes are complete once requests arrive
            self._own_limits = _declared_limits(scope.get("app"))
        if self._own_limits:
            path, root = scope["path"], scope.get("root_path", "")
            path = path[len(root) :] if root and path.startswith(root) else path
            method = scope["method"].lower()
            for route_method, pattern, limit in self._own_limits:
                if route_method == method and pattern.fullmatch(path):
                    return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            if declared.isdigit():
                response = problem(413, str(BodyTooLarge(max_bytes).detail), instance=scope["path"])
            else:
                response = problem(400, "invalid Content-Length header", instance=scope["path"])
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as exc:  # read outside a FastAPI route (which renders it itself)
            if started:
                raise
            response = problem(413, str(exc.detail), instance=scope["path"], headers={"Connection": "close"})
            await response(scope, receive, send)
