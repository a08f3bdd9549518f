"""Request limits of the web service: the body size cap (middleware) and the options JSON check.

``BodySizeLimitMiddleware`` refuses a request whose body is larger than ``server.max_body_bytes`` with
413 problem+json. A declared ``Content-Length`` over the cap is refused before anything is read; a body
without one (chunked) or with a false one is counted while it streams in and refused at the first byte
over the cap, so a large body is never held in memory.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.api.problems import problem
from catalog.auth.limits import MAX_OPTIONS_BYTES, MAX_OPTIONS_DEPTH, check_options_json

__all__ = [
    "MAX_OPTIONS_BYTES",
    "MAX_OPTIONS_DEPTH",
    "BodySizeLimitMiddleware",
    "BodyTooLarge",
    "check_options_json",
]


class BodyTooLarge(HTTPException):
    """Raised while the body streams in, at the first byte over the cap (rendered as 413 problem+json)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodySizeLimitMiddleware:
    """413 for request bodies over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            if declared.isdigit():
                response = problem(413, str(BodyTooLarge(self.max_bytes).detail), instance=scope["path"])
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
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
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
