"""RFC 9457 problem details: every error the API returns is ``application/problem+json``."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.exceptions import InputError, NotFound
from catalog.logging import request_id

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem"]

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://catalog.example/problems/"


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type_: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem+json response; ``type`` is ``about:blank`` unless a specific problem type is given."""
    body: dict[str, Any] = {
        "type": type_ or "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_MACHINE_PATHS = ("/api/", "/catalog", "/docs", "/openapi", "/metrics", "/health", "/readyz", "/static/")


def _page(request: Request, status: int) -> Response | None:
    """A friendly HTML error page when a browser asked for a page (not an API path), else None."""
    if request.url.path.startswith(_MACHINE_PATHS):
        return None
    from catalog.web.render import render, wants_html

    if not wants_html(request):
        return None
    kind = "not_found" if status in (404, 405) else "error"
    try:
        return render(request, "error.html", status_code=status, kind=kind)
    except Exception:  # the page itself failed: the problem document still answers
        return None


def install_problem_handlers(app: FastAPI) -> None:
    """Turn HTTP errors, request validation errors and the catalogue's own errors into problem+json
    (or, for a browser asking for a page, a friendly page in the site's style)."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        page = _page(request, exc.status_code) if exc.status_code in (404, 405) else None
        if page is not None:
            return page
        return problem(
            exc.status_code,
            str(exc.detail) if exc.detail and exc.detail != HTTPStatus(exc.status_code).phrase else None,
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in err["loc"]), "message": err["msg"]} for err in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        return problem(
            422,
            detail,
            title="Invalid request",
            type_=PROBLEM_BASE + "invalid-request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _page(request, 404) or problem(404, str(exc), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        rid = request_id.get() or getattr(request.state, "request_id", None)
        page = _page(request, 500)
        if page is not None:
            if rid:
                page.headers["X-Request-ID"] = rid
            return page
        return problem(
            500,
            "an unexpected error occurred" + (f"; request id {rid}" if rid else ""),
            instance=request.url.path,
            headers={"X-Request-ID": rid} if rid else None,
        )

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return problem(400, str(exc), instance=request.url.path)
